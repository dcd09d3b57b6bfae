/**
 * Tool names are unique within one MCP server of a file (adapters on the same
 * port share a server): `tools/call` finds tools by name, so a second tool of
 * the same name is unreachable. Duplicates across files are reported by the
 * listener planner (src/server/plan.ts), not here.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { Location } from '../../model.js';
import type { LintRule } from '../index.js';
import { listenerKey, perCapability, report } from '../context.js';

const code = 'mcp-tool-duplicate';

export const mcpToolDuplicate: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      const seen = new Map<string, Location>();
      capability.exposes.forEach((adapter, i) => {
        if (adapter.type !== 'mcp') return;
        const server = listenerKey(adapter, i);
        for (const tool of adapter.tools) {
          if (!tool.name) continue;
          const key = `${server} ${tool.name}`;
          const first = seen.get(key);
          if (!first) {
            seen.set(key, tool.loc);
            continue;
          }
          out.push(
            report(tool.loc, {
              code,
              severity: 'error',
              message: `The MCP tool \`${tool.name}\` is declared twice on the same MCP server (first at line ${first.position?.line ?? '?'}); clients can only reach one of them.`,
              hint: 'Rename one of the tools, or move it to an MCP adapter on another port.',
            }),
          );
        }
      });
      return out;
    }),
};
