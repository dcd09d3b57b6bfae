/**
 * A method + path is declared once per REST server of a file (adapters on the
 * same port share a router; `/a/{x}` and `/a/{y}` are the same route): the
 * router dispatches to the first, the rest are unreachable. Duplicates across
 * files are reported by the listener planner (src/server/plan.ts), not here.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { Location } from '../../model.js';
import type { LintRule } from '../index.js';
import { listenerKey, normalizeRoute, perCapability, report } from '../context.js';

const code = 'rest-route-duplicate';

export const restRouteDuplicate: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      const seen = new Map<string, { loc: Location; path: string }>();
      capability.exposes.forEach((adapter, i) => {
        if (adapter.type !== 'rest') return;
        const server = listenerKey(adapter, i);
        for (const resource of adapter.resources) {
          for (const operation of resource.operations) {
            const key = `${server} ${operation.method} ${normalizeRoute(resource.path)}`;
            const first = seen.get(key);
            if (!first) {
              seen.set(key, { loc: operation.loc, path: resource.path });
              continue;
            }
            out.push(
              report(operation.loc, {
                code,
                severity: 'error',
                message: `The route ${operation.method} ${resource.path} is already declared${first.path !== resource.path ? ` as ${first.path}` : ''} at line ${first.loc.position?.line ?? '?'}; only the first one is ever reached.`,
                hint: 'Change the method or the path, or merge the two operations.',
              }),
            );
          }
        }
      });
      return out;
    }),
};
