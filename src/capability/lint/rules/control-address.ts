/**
 * The control adapter (health, metrics, scripting governance) should listen on
 * loopback only (reference rule naftiko-control-address-localhost-warning).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, reportAt } from '../context.js';

const code = 'control-address';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

export const controlAddress: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      for (const adapter of capability.exposes) {
        if (adapter.type !== 'control' || adapter.address === undefined || LOOPBACK.has(adapter.address)) continue;
        out.push(
          reportAt(capability, childPointer(adapter.loc, 'address'), {
            code,
            severity: 'warning',
            message: `The control adapter listens on \`${adapter.address}\`; its management endpoints should only be reachable from this host.`,
            hint: 'Use `address: localhost` (or 127.0.0.1).',
          }),
        );
      }
      return out;
    }),
};
