import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { mcpToolName as rule } from './mcp-tool-name.js';

describe('mcp-tool-name', () => {
  it('accepts kebab, snake, dotted names up to 64 characters', () => {
    expect(lint(rule, BASE)).toEqual([]);
    expect(lint(rule, variant((doc) => (at.tool(doc).name = `a.b_c-${'x'.repeat(58)}`)))).toEqual([]);
  });

  it('reports names longer than 64 characters', () => {
    const [d] = lint(rule, variant((doc) => (at.tool(doc).name = 'x'.repeat(65))));
    expect(d).toMatchObject({ code: 'mcp-tool-name', severity: 'error', pointer: '/capability/exposes/1/tools/0/name' });
    expect(d!.message).toContain('65 characters');
  });

  it('reports characters outside [A-Za-z0-9_.-] and proposes a fix', () => {
    const [d] = lint(rule, variant((doc) => (at.tool(doc).name = 'get item/by id')));
    expect(d!.message).toContain('spaces, `/`');
    expect(d!.hint).toContain('`get-item-by-id`');
  });
});
