import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { mcpToolDuplicate as rule } from './mcp-tool-duplicate.js';

describe('mcp-tool-duplicate', () => {
  it('reports a second tool of the same name on the same server', () => {
    const yaml = variant((doc) => at.mcp(doc).tools.push({ ...at.tool(doc), description: 'Again.' }));
    const [d, ...rest] = lint(rule, yaml);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'mcp-tool-duplicate', severity: 'error', pointer: '/capability/exposes/1/tools/1' });
  });

  it('counts MCP adapters on the same (default) port as one server, other ports as others', () => {
    const samePort = variant((doc) => doc.capability.exposes.push({ ...at.mcp(doc), namespace: 'api-mcp-2' }));
    expect(lint(rule, samePort)).toHaveLength(1);
    const otherPort = variant((doc) => doc.capability.exposes.push({ ...at.mcp(doc), namespace: 'api-mcp-2', port: 9091 }));
    expect(lint(rule, otherPort)).toEqual([]);
  });

  it('leaves duplicates across files to the listener planner', () => {
    expect(lint(rule, BASE, BASE)).toEqual([]);
  });
});
