/**
 * Orchestration references between steps: a `lookup` step's `index` must name
 * an earlier call step (the runtime fails the request otherwise — error), and
 * a `mappings` value `$.step…` must name a step of the unit (otherwise it never
 * resolves and the mapping is silently skipped — warning).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, didYouMean, perCapability, report, reportAt } from '../context.js';

const code = 'step-reference-unresolved';

export const stepReferenceUnresolved: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      for (const unit of index.units) {
        const steps = unit.invocable.steps;
        if (steps.length === 0) continue;
        steps.forEach((step, i) => {
          if (step.type !== 'lookup') return;
          const earlier = steps.slice(0, i).filter((s) => s.type !== 'lookup').map((s) => s.name);
          if (earlier.includes(step.index)) return;
          const later = steps.slice(i + 1).some((s) => s.name === step.index);
          out.push(
            report(step.loc, {
              code,
              severity: 'error',
              message: `The lookup step \`${step.name}\` of the ${unit.label} uses the index \`${step.index}\`, which ${later ? 'only runs after it' : 'is not an earlier call step'}.`,
              hint: later ? 'Move the lookup after that step.' : didYouMean(step.index, earlier),
            }),
          );
        });
        const names = steps.map((s) => s.name);
        unit.invocable.mappings.forEach((mapping, i) => {
          if (!mapping.value.startsWith('$.')) return;
          const first = mapping.value.slice(2).split('.')[0]!;
          if (names.includes(first)) return;
          out.push(
            reportAt(index.capability, childPointer(unit.invocable.loc, 'mappings', i, 'value'), {
              code,
              severity: 'warning',
              message: `The mapping \`${mapping.targetName}\` of the ${unit.label} reads \`${mapping.value}\`, but no step is named \`${first}\`, so it never resolves.`,
              hint: didYouMean(first, names, (s) => `\`$.${s}\``),
            }),
          );
        });
      }
      return out;
    }),
};
