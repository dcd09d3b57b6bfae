/**
 * Inbound authentication on an exposed adapter is enforced for `apikey`,
 * `bearer`, `basic` and `oauth2` (JWT validated against the authorization
 * server's keys). `digest` and oauth2 token introspection cannot be verified by
 * this runtime, and serving the adapter without the protection its author asked
 * for would be worse than refusing it: error.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, reportAt } from '../context.js';

const code = 'inbound-auth-unsupported';
const ENFORCED = new Set(['apikey', 'bearer', 'basic', 'oauth2']);

export const inboundAuthUnsupported: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      for (const adapter of capability.exposes) {
        if (adapter.type !== 'rest' && adapter.type !== 'mcp') continue;
        if (adapter.type === 'mcp' && adapter.transport === 'stdio') continue; // mcp-stdio-auth says it has no effect
        const auth = adapter.authentication;
        const introspection = auth?.type === 'oauth2' && auth.settings.tokenValidation === 'introspection';
        if (!auth || (ENFORCED.has(auth.type) && !introspection)) continue;
        out.push(
          reportAt(capability, childPointer(adapter.loc, 'authentication'), {
            code,
            severity: 'error',
            message: `Inbound \`${introspection ? 'oauth2 introspection' : auth.type}\` authentication on the ${adapter.type} adapter \`${adapter.namespace}\` is not supported by this runtime, so it cannot be served protected.`,
            hint: introspection ? 'Use `tokenValidation: jwks` (JWTs checked against the authorization server keys).' : 'Use apikey, bearer, basic or oauth2 authentication, or put an authenticating proxy in front and remove the block.',
          }),
        );
      }
      return out;
    }),
};
