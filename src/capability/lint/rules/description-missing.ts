/**
 * Descriptions are what people and language models read. Missing ones are
 * reported as info for consumed APIs, REST resources and REST operations
 * (reference rules naftiko-consumes-description, -rest-resource-description,
 * -rest-operation-description), and as a warning for MCP tools and aggregate
 * functions, whose description is the only thing an agent sees when choosing
 * a tool (reference rule naftiko-aggregate-function-description). Units with
 * a `ref` inherit the function's description.
 */
import type { Diagnostic, Severity } from '../../diagnostics.js';
import type { Location } from '../../model.js';
import type { LintRule } from '../index.js';
import { perCapability, report } from '../context.js';

const code = 'description-missing';

export const descriptionMissing: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      const missing = (text: string | undefined, loc: Location, what: string, severity: Severity) => {
        if (text !== undefined && text.trim() !== '') return;
        out.push(report(loc, { code, severity, message: `The ${what} has no description.` }));
      };
      for (const api of capability.consumes) missing(api.description, api.loc, `consumed API \`${api.namespace}\``, 'info');
      for (const adapter of capability.exposes) {
        if (adapter.type === 'rest') {
          for (const resource of adapter.resources) {
            missing(resource.description, resource.loc, `REST resource ${resource.path}`, 'info');
            for (const op of resource.operations) if (!op.ref) missing(op.description, op.loc, `REST operation ${op.method} ${resource.path}`, 'info');
          }
        } else if (adapter.type === 'mcp') {
          for (const tool of adapter.tools) if (!tool.ref) missing(tool.description, tool.loc, `MCP tool \`${tool.name}\``, 'warning');
        }
      }
      for (const aggregate of capability.aggregates) {
        for (const fn of aggregate.functions) missing(fn.description, fn.loc, `aggregate function \`${aggregate.namespace}.${fn.name}\``, 'warning');
      }
      return out;
    }),
};
