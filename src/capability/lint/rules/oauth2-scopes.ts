/**
 * An exposed OAuth2 resource server without `scopes` accepts any token the
 * authorization server issued, for any purpose (reference rule
 * naftiko-oauth2-scopes-defined). Warning.
 */
import type { LintRule } from '../index.js';
import { forEachAuth, reportAt } from '../context.js';

const code = 'oauth2-scopes';

export const oauth2Scopes: LintRule = {
  code,
  check: (capabilities) =>
    forEachAuth(capabilities, ({ capability, adapter, pointer, raw: auth }) => {
      if (auth.type !== 'oauth2') return undefined;
      if (Array.isArray(auth.scopes) ? auth.scopes.length > 0 : Boolean(auth.scopes)) return undefined;
      return reportAt(capability, pointer, {
        code,
        severity: 'warning',
        message: `The OAuth2 settings of the ${adapter.type} adapter${adapter.namespace ? ` \`${adapter.namespace}\`` : ''} declare no scopes, so any token from the authorization server is accepted.`,
        hint: 'List the scopes a token must carry under `scopes`.',
      });
    }),
};
