/**
 * Step names are how later steps and `mappings` refer to a step's output
 * (`{{step.field}}`, `$.step.field`): they should match `[A-Za-z0-9_-]+` (a dot
 * or space breaks those references; reference rule naftiko-steps-name-pattern)
 * and be unique within their unit (a later step silently replaces the output
 * of an earlier one). Warning.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { perCapability, report } from '../context.js';

const code = 'step-name-invalid';
const PATTERN = /^[A-Za-z0-9_-]+$/;

export const stepNameInvalid: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      for (const unit of index.units) {
        const seen = new Set<string>();
        for (const step of unit.invocable.steps) {
          if (!PATTERN.test(step.name)) {
            out.push(
              report(step.loc, {
                code,
                severity: 'warning',
                message: `The step name \`${step.name}\` in the ${unit.label} ${step.name === '' ? 'is empty' : 'contains characters other than letters, digits, `_` and `-`'}, so later steps and mappings cannot refer to it reliably.`,
              }),
            );
          } else if (seen.has(step.name)) {
            out.push(
              report(step.loc, {
                code,
                severity: 'warning',
                message: `The ${unit.label} has two steps named \`${step.name}\`; the later one replaces the earlier one's output.`,
              }),
            );
          }
          seen.add(step.name);
        }
      }
      return out;
    }),
};
