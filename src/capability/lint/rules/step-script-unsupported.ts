/**
 * This runtime does not execute `script` steps (no safe sandbox): a unit that
 * contains one fails every request at that step. Error, so it is caught before
 * serving. Replaces the reference rule naftiko-script-defaults-required, which
 * only matters where scripts run.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { perCapability, report } from '../context.js';

const code = 'step-script-unsupported';

export const stepScriptUnsupported: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      for (const unit of index.units) {
        for (const step of unit.invocable.steps) {
          if (step.type !== 'script') continue;
          out.push(
            report(step.loc, {
              code,
              severity: 'error',
              message: `The script step \`${step.name}\` of the ${unit.label} cannot run: this runtime does not execute scripts, so every request fails there.`,
              hint: 'Replace it with call/lookup steps and mappings, or move the logic upstream.',
            }),
          );
        }
      }
      return out;
    }),
};
