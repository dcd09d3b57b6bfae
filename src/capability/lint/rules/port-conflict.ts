/**
 * Within one file: a REST and an MCP adapter (or a skill / control adapter and
 * anything else) cannot listen on the same port, and there is at most one
 * control adapter (reference rule naftiko-control-port-singleton-and-unique).
 * REST adapters on one port share a router and MCP adapters on one port share
 * a server — those are fine. Cross-file clashes are the listener planner's job.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { ExposedAdapter } from '../../model.js';
import type { LintRule } from '../index.js';
import { listenerKey, perCapability, report } from '../context.js';

const code = 'port-conflict';
/** Adapter kinds that can share a port with adapters of the same kind. */
const SHAREABLE = new Set(['rest', 'mcp']);

export const portConflict: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      const byPort = new Map<string, ExposedAdapter>();
      let control: ExposedAdapter | undefined;
      capability.exposes.forEach((adapter, i) => {
        if (adapter.type === 'control') {
          if (control) {
            out.push(
              report(adapter.loc, {
                code,
                severity: 'error',
                message: `A file may declare only one control adapter; another one is at line ${control.loc.position?.line ?? '?'}.`,
              }),
            );
          } else control = adapter;
        }
        const key = listenerKey(adapter, i);
        if (key.includes('#')) return; // stdio, or no port
        const port = key.slice(key.lastIndexOf(':') + 1);
        const first = byPort.get(key);
        if (!first) {
          byPort.set(key, adapter);
          return;
        }
        if (first.type === adapter.type && SHAREABLE.has(adapter.type)) return;
        const implicit = adapter.port === undefined ? ' (the default port)' : '';
        out.push(
          report(adapter.loc, {
            code,
            severity: 'error',
            message: `This ${adapter.type} adapter${adapter.namespace ? ` \`${adapter.namespace}\`` : ''} uses port ${port}${implicit}, already taken by the ${first.type} adapter${first.namespace ? ` \`${first.namespace}\`` : ''} at line ${first.loc.position?.line ?? '?'}.`,
            hint: 'Give each kind of adapter its own port.',
          }),
        );
      });
      return out;
    }),
};
