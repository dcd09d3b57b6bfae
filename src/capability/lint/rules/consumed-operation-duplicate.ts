/**
 * Operation names are unique within a consumed namespace: `call: ns.op`
 * reaches the first one only, so every later same-named operation is
 * unreachable. An error when something calls that name (some caller almost
 * certainly meant another of them); a warning when nothing does.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { callSites, perCapability, report } from '../context.js';

const code = 'consumed-operation-duplicate';

export const consumedOperationDuplicate: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      const called = new Set(callSites(index).map((s) => s.ref));
      for (const [ref, list] of index.operations) {
        if (list.length < 2 || list[0]!.operation.name === '') continue; // a missing name is the schema's to report
        const first = list[0]!;
        for (const extra of list.slice(1)) {
          out.push(
            report(extra.operation.loc, {
              code,
              severity: called.has(ref) ? 'error' : 'warning',
              message: `The consumed API \`${first.api.namespace}\` declares the operation \`${first.operation.name}\` more than once (resource \`${extra.resource.name || extra.resource.path}\`); \`call: ${ref}\` always reaches the first one (resource \`${first.resource.name || first.resource.path}\`, line ${first.operation.loc.position?.line ?? '?'}).`,
              hint: 'Give each operation its own name, e.g. by prefixing the resource name.',
            }),
          );
        }
      }
      return out;
    }),
};
