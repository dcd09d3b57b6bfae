/**
 * Aggregate function names are unique within their aggregate (`ns.fn` is what
 * `ref:` names; the reference engine refuses to start on a duplicate).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { perCapability, report } from '../context.js';

const code = 'aggregate-function-duplicate';

export const aggregateFunctionDuplicate: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      for (const [ref, list] of index.functions) {
        for (const extra of list.slice(1)) {
          out.push(
            report(extra.fn.loc, {
              code,
              severity: 'error',
              message: `The aggregate function \`${ref}\` is declared more than once; \`ref: ${ref}\` would be ambiguous.`,
              hint: `First declared at line ${list[0]!.fn.loc.position?.line ?? '?'}. Rename one of them.`,
            }),
          );
        }
      }
      return out;
    }),
};
