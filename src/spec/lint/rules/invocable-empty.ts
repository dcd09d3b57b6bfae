/**
 * An exposed unit with no `call`, `steps` or `ref` can only answer from static
 * output values (a mock). Without any output parameter it fails every request
 * (error); with outputs that only map (`$.…`) and carry no `value`/`const`
 * there is nothing to map from, so it answers empty (warning).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { OutputParameter } from '../../model.js';
import type { LintRule } from '../index.js';
import { perCapability, report } from '../context.js';

const code = 'invocable-empty';

export const invocableEmpty: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      for (const unit of index.units) {
        const inv = unit.invocable;
        if (inv.call || inv.ref || inv.steps.length > 0) continue;
        if (unit.kind === 'mcp-resource') continue;
        if (unit.rest?.resource.forward) continue;
        if (inv.outputParameters.length === 0) {
          out.push(
            report(inv.loc, {
              code,
              severity: 'error',
              message: `The ${unit.label} has no call, steps, ref or output values, so there is nothing to execute and every request fails.`,
              hint: 'Add `call: <namespace>.<operation>`, steps, a `ref`, or outputParameters with static `value`s (a mock).',
            }),
          );
        } else if (!inv.outputParameters.some(hasStatic)) {
          out.push(
            report(inv.loc, {
              code,
              severity: 'warning',
              message: `The ${unit.label} has no call, steps or ref, and its outputParameters carry no static value, so it always answers empty.`,
              hint: 'Add a `call`, or give the outputs static `value`s to make it a mock.',
            }),
          );
        }
      }
      return out;
    }),
};

function hasStatic(o: OutputParameter): boolean {
  if (o.value !== undefined || o.const !== undefined) return true;
  if (o.properties && Object.values(o.properties).some(hasStatic)) return true;
  return (o.items !== undefined && hasStatic(o.items)) || (o.values !== undefined && hasStatic(o.values));
}
