/**
 * An MCP adapter with `transport: stdio` talks to the process that started
 * it; there is no HTTP request to authenticate, so an `authentication` block
 * there does nothing (reference rule naftiko-mcp-auth-stdio-conflict). Warning.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, rawAt, reportAt } from '../context.js';

const code = 'mcp-stdio-auth';

export const mcpStdioAuth: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      for (const adapter of capability.exposes) {
        if (adapter.type !== 'mcp' || adapter.transport !== 'stdio') continue;
        const pointer = childPointer(adapter.loc, 'authentication');
        if (!rawAt(capability, pointer)) continue;
        out.push(
          reportAt(capability, pointer, {
            code,
            severity: 'warning',
            message: `The MCP adapter \`${adapter.namespace}\` uses the stdio transport, where \`authentication\` has no effect.`,
            hint: 'Remove the authentication block, or use `transport: http`.',
          }),
        );
      }
      return out;
    }),
};
