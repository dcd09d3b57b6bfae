/**
 * `ref: aggregate.function` on a REST operation or MCP tool must name a
 * function of an aggregate of the same file (the reference engine refuses to
 * start otherwise).
 */
import type { LintRule } from '../index.js';
import { didYouMean, listOf, perCapability, report } from '../context.js';

const code = 'ref-target-unresolved';

export const refTargetUnresolved: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, (index) =>
      index.units
        .filter((unit) => unit.invocable.ref !== undefined && !index.functions.has(unit.invocable.ref))
        .map((unit) => {
          const ref = unit.invocable.ref!;
          const refs = [...index.functions.keys()];
          return report(unit.invocable.loc, {
            code,
            severity: 'error',
            message: `The ${unit.label} refers to \`${ref}\`, but no aggregate function has that name.`,
            hint:
              didYouMean(ref, refs) ??
              (refs.length > 0 ? `Aggregate functions in this file: ${listOf(refs)}.` : 'This file declares no aggregates: add one under `capability.aggregates`, or use `call:` for a consumed operation.'),
          });
        }),
    ),
};
