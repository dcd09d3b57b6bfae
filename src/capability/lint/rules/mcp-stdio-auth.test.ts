import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { mcpStdioAuth as rule } from './mcp-stdio-auth.js';

describe('mcp-stdio-auth', () => {
  it('accepts auth on an http MCP adapter', () => {
    expect(lint(rule, BASE)).toEqual([]);
    expect(lint(rule, variant((doc) => (at.mcp(doc).authentication = { type: 'bearer', token: '{{env.API_TOKEN}}' })))).toEqual([]);
  });

  it('warns about authentication on a stdio MCP adapter', () => {
    const yaml = variant((doc) => Object.assign(at.mcp(doc), { transport: 'stdio', authentication: { type: 'bearer', token: 'x' } }));
    const [d] = lint(rule, yaml);
    expect(d).toMatchObject({ code: 'mcp-stdio-auth', severity: 'warning', pointer: '/capability/exposes/1/authentication' });
  });
});
