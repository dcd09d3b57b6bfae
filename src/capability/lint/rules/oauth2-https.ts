/**
 * OAuth2 resource-server settings on an exposed adapter: the authorization
 * server must be reached over https (tokens and keys travel there) — error,
 * reference rule naftiko-oauth2-https-authserver; the `resource` URI should be
 * https too — warning, naftiko-oauth2-resource-https. Loopback hosts are
 * downgraded to a warning for local development.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { forEachAuth, reportAt } from '../context.js';

const code = 'oauth2-https';
const LOOPBACK = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i;

export const oauth2Https: LintRule = {
  code,
  check: (capabilities) =>
    forEachAuth(capabilities, ({ capability, adapter, pointer, raw: auth }) => {
      if (auth.type !== 'oauth2') return undefined;
      const out: Diagnostic[] = [];
      for (const [field, base] of [
        ['authorizationServerUri', 'error'],
        ['resource', 'warning'],
      ] as const) {
        const value = auth[field];
        if (typeof value !== 'string' || value.startsWith('https://') || value.includes('{{')) continue;
        out.push(
          reportAt(capability, `${pointer}/${field}`, {
            code,
            severity: LOOPBACK.test(value) ? 'warning' : base,
            message: `The OAuth2 \`${field}\` \`${value}\` of the ${adapter.type} adapter${adapter.namespace ? ` \`${adapter.namespace}\`` : ''} is not an https URL.`,
            hint: 'Use https; plain http exposes tokens and signing keys to anyone on the path.',
          }),
        );
      }
      return out;
    }),
};
