/**
 * When a REST operation or MCP tool `ref`s an aggregate function that declares
 * `semantics`, the unit must not contradict them (reference rule
 * naftiko-aggregate-semantics-consistency): for MCP, `safe: true` ⇒ readOnly
 * not false and destructive not true, `safe: false` ⇒ readOnly not true,
 * `idempotent` equal; for REST, `safe: true` ⇒ GET, `safe: false` ⇒ not GET,
 * `idempotent: true` ⇒ not POST. Warning: clients act on hints and methods.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { perCapability, report } from '../context.js';

const code = 'aggregate-semantics-conflict';

export const aggregateSemanticsConflict: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      for (const unit of index.units) {
        const ref = unit.invocable.ref;
        const semantics = ref ? index.functions.get(ref)?.[0]?.fn.semantics : undefined;
        if (!semantics) continue;
        const conflicts: string[] = [];
        if (unit.mcp?.tool) {
          const hints = unit.mcp.tool.hints ?? {};
          if (semantics.safe === true && hints.readOnly === false) conflicts.push('`safe: true` but `readOnly: false`');
          if (semantics.safe === true && hints.destructive === true) conflicts.push('`safe: true` but `destructive: true`');
          if (semantics.safe === false && hints.readOnly === true) conflicts.push('`safe: false` but `readOnly: true`');
          if (semantics.idempotent !== undefined && hints.idempotent !== undefined && semantics.idempotent !== hints.idempotent) {
            conflicts.push(`\`idempotent: ${semantics.idempotent}\` but the tool hint says \`idempotent: ${hints.idempotent}\``);
          }
        } else if (unit.rest) {
          const method = unit.rest.operation.method;
          if (semantics.safe === true && method !== 'GET' && method !== 'HEAD') conflicts.push(`\`safe: true\` but the method is ${method}`);
          if (semantics.safe === false && method === 'GET') conflicts.push('`safe: false` but the method is GET');
          if (semantics.idempotent === true && method === 'POST') conflicts.push('`idempotent: true` but the method is POST');
        }
        if (conflicts.length === 0) continue;
        out.push(
          report(unit.invocable.loc, {
            code,
            severity: 'warning',
            message: `The ${unit.label} contradicts the semantics of \`${ref}\`: ${conflicts.join('; ')}.`,
            hint: 'Align the hints / HTTP method with the function semantics (or drop the explicit hints to inherit them).',
          }),
        );
      }
      return out;
    }),
};
