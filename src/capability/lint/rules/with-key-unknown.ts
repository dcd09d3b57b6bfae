/**
 * A `with:` key names a parameter of the call target: a consumed input
 * parameter, or a `{{variable}}` / `{placeholder}` its path, body, parameter
 * values or auth read. Any other key is carried along and then dropped: its
 * value never reaches the upstream request. A warning, because a stray key is
 * harmless in itself; it usually means a renamed or misspelt parameter.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { callSites, consumedParameters, didYouMean, listOf, operationVariables, perCapability, reportAt, uniqueCall, withPointer } from '../context.js';

const code = 'with-key-unknown';

export const withKeyUnknown: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      for (const site of callSites(index)) {
        const keys = Object.keys(site.with);
        if (keys.length === 0) continue;
        const target = uniqueCall(index, site.ref);
        if (!target) continue; // call-target-unresolved
        const params = consumedParameters(target).map((p) => p.name);
        const known = new Set(params);
        const variables = operationVariables(target);
        for (const v of variables) {
          known.add(v);
          // `{{tools.records}}` / `{{step.field}}`: the key feeds the first or last segment.
          const dot = v.indexOf('.');
          if (dot > 0) {
            known.add(v.slice(0, dot));
            known.add(v.slice(v.lastIndexOf('.') + 1));
          }
        }
        for (const key of keys) {
          if (known.has(key)) continue;
          const where = site.step ? `step \`${site.step.name}\` of the ${site.unit.label}` : `the ${site.unit.label}`;
          out.push(
            reportAt(
              index.capability,
              withPointer(index.capability, site.owner, key),
              {
                code,
                severity: 'warning',
                message: `The \`with\` key \`${key}\` of ${where} is not an input parameter of \`${target.ref}\` nor a variable of its path, body or templates, so its value is never sent.`,
                hint:
                  didYouMean(key, [...params, ...[...variables].filter((v) => !v.includes('.'))]) ??
                  (params.length > 0 ? `\`${target.ref}\` takes: ${listOf(params)}.` : `Declare \`${key}\` under the inputParameters of \`${target.ref}\` (with its \`in\`) so it is sent.`),
              },
              { key: true },
            ),
          );
        }
      }
      return out;
    }),
};
