import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { portConflict as rule } from './port-conflict.js';

describe('port-conflict', () => {
  it('accepts REST and MCP on their own ports, and several REST adapters on one port', () => {
    expect(lint(rule, BASE)).toEqual([]);
    expect(lint(rule, variant((doc) => doc.capability.exposes.push({ ...at.rest(doc), namespace: 'api-rest-2' })))).toEqual([]);
  });

  it('reports REST and MCP on the same port, including a default port', () => {
    const [d] = lint(rule, variant((doc) => (at.mcp(doc).port = 8080)));
    expect(d).toMatchObject({ code: 'port-conflict', severity: 'error', pointer: '/capability/exposes/1' });
    const [implicit] = lint(
      rule,
      variant((doc) => {
        delete at.rest(doc).port;
        at.mcp(doc).port = 8080;
      }),
    );
    expect(implicit!.message).toContain('port 8080');
  });

  it('ignores a stdio MCP adapter port', () => {
    expect(lint(rule, variant((doc) => Object.assign(at.mcp(doc), { port: 8080, transport: 'stdio' })))).toEqual([]);
  });

  it('reports a second control adapter and a control port clash', () => {
    const found = lint(
      rule,
      variant((doc) => {
        doc.capability.exposes.push({ type: 'control', port: 9090, address: 'localhost' }, { type: 'control', port: 9999, address: 'localhost' });
      }),
    );
    expect(found.map((d) => d.message)).toEqual([expect.stringContaining('already taken by the mcp adapter'), expect.stringContaining('only one control adapter')]);
  });
});
