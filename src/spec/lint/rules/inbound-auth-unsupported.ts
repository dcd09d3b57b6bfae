/**
 * Inbound authentication on an exposed adapter is enforced for `apikey`,
 * `bearer` and `basic`. Other kinds (`digest`, `oauth2`) cannot be verified by
 * this runtime, and serving the adapter without the protection its author asked
 * for would be worse than refusing it: error.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, reportAt } from '../context.js';

const code = 'inbound-auth-unsupported';
const ENFORCED = new Set(['apikey', 'bearer', 'basic']);

export const inboundAuthUnsupported: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      for (const adapter of capability.exposes) {
        if (adapter.type !== 'rest' && adapter.type !== 'mcp') continue;
        if (adapter.type === 'mcp' && adapter.transport === 'stdio') continue; // mcp-stdio-auth says it has no effect
        const auth = adapter.authentication;
        if (!auth || ENFORCED.has(auth.type)) continue;
        out.push(
          reportAt(capability, childPointer(adapter.loc, 'authentication'), {
            code,
            severity: 'error',
            message: `Inbound \`${auth.type}\` authentication on the ${adapter.type} adapter \`${adapter.namespace}\` is not supported by this runtime, so it cannot be served protected.`,
            hint: 'Use apikey, bearer or basic authentication, or put an authenticating proxy in front and remove the block.',
          }),
        );
      }
      return out;
    }),
};
