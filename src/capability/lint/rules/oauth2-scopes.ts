/**
 * An exposed OAuth2 resource server without `scopes` accepts any token the
 * authorization server issued, for any purpose (reference rule
 * naftiko-oauth2-scopes-defined). Warning.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, rawAt, rawObject, reportAt } from '../context.js';

const code = 'oauth2-scopes';

export const oauth2Scopes: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      for (const adapter of capability.exposes) {
        const pointer = childPointer(adapter.loc, 'authentication');
        const auth = rawObject(rawAt(capability, pointer));
        if (auth?.type !== 'oauth2') continue;
        if (Array.isArray(auth.scopes) ? auth.scopes.length > 0 : Boolean(auth.scopes)) continue;
        out.push(
          reportAt(capability, pointer, {
            code,
            severity: 'warning',
            message: `The OAuth2 settings of the ${adapter.type} adapter${adapter.namespace ? ` \`${adapter.namespace}\`` : ''} declare no scopes, so any token from the authorization server is accepted.`,
            hint: 'List the scopes a token must carry under `scopes`.',
          }),
        );
      }
      return out;
    }),
};
