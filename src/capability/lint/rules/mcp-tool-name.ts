/**
 * MCP tool names: at most 64 characters of `[A-Za-z0-9_.-]` (MCP SEP-986; the
 * 64-character limit is what major clients enforce — a longer or otherwise
 * invalid name makes them reject the tool or the whole server).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, reportAt } from '../context.js';

const code = 'mcp-tool-name';
const VALID = /^[A-Za-z0-9_.-]+$/;
const MAX = 64;

export const mcpToolName: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      for (const adapter of capability.exposes) {
        if (adapter.type !== 'mcp') continue;
        for (const tool of adapter.tools) {
          if (tool.name === '' && tool.ref) continue; // inherited from the aggregate function
          if (tool.name.length <= MAX && VALID.test(tool.name)) continue;
          const problems: string[] = [];
          if (tool.name.length > MAX) problems.push(`is ${tool.name.length} characters long (at most ${MAX})`);
          const bad = [...new Set(tool.name.replace(/[A-Za-z0-9_.-]/g, ''))];
          if (tool.name === '') problems.push('is empty');
          else if (!VALID.test(tool.name)) problems.push(`contains ${bad.map((c) => (c === ' ' ? 'spaces' : `\`${c}\``)).join(', ')}`);
          if (problems.length === 0) continue;
          const fixed = tool.name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, MAX);
          out.push(
            reportAt(capability, childPointer(tool.loc, 'name'), {
              code,
              severity: 'error',
              message: `The MCP tool name \`${tool.name}\` ${problems.join(' and ')}; MCP clients reject such names.`,
              hint: fixed ? `Use only letters, digits, \`_\`, \`-\` and \`.\`, at most ${MAX} characters, e.g. \`${fixed}\`.` : undefined,
            }),
          );
        }
      }
      return out;
    }),
};
