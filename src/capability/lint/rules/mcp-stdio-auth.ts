/**
 * An MCP adapter with `transport: stdio` talks to the process that started
 * it; there is no HTTP request to authenticate, so an `authentication` block
 * there does nothing (reference rule naftiko-mcp-auth-stdio-conflict). Warning.
 */
import type { LintRule } from '../index.js';
import { forEachAuth, reportAt } from '../context.js';

const code = 'mcp-stdio-auth';

export const mcpStdioAuth: LintRule = {
  code,
  check: (capabilities) =>
    forEachAuth(capabilities, ({ capability, adapter, pointer }) => {
      if (adapter.type !== 'mcp' || adapter.transport !== 'stdio') return undefined;
      return reportAt(capability, pointer, {
        code,
        severity: 'warning',
        message: `The MCP adapter \`${adapter.namespace}\` uses the stdio transport, where \`authentication\` has no effect.`,
        hint: 'Remove the authentication block, or use `transport: http`.',
      });
    }),
};
