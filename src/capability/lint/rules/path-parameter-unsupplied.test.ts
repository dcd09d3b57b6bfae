import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { pathParameterUnsupplied as rule } from './path-parameter-unsupplied.js';

describe('path-parameter-unsupplied', () => {
  it('accepts path parameters supplied by every caller', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('reports a REST operation whose with does not supply {item_id}, suggesting rest.path', () => {
    const [d, ...rest] = lint(rule, variant((doc) => delete at.restOp(doc).with.item_id));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'path-parameter-unsupplied', severity: 'error', pointer: '/capability/exposes/0/resources/0/operations/0/call' });
    expect(d!.message).toContain('`{item_id}`');
    expect(d!.hint).toBe('Add to its `with`: `item_id: rest.path.item_id`.');
  });

  it('reports an MCP tool with a with that lacks the parameter, suggesting tools.X', () => {
    const [d] = lint(rule, variant((doc) => (at.tool(doc).with = { expand: 'tools.expand' })));
    expect(d!.hint).toBe('Add to its `with`: `item_id: tools.item_id`.');
  });

  it('accepts an MCP tool with no with (arguments pass through) and a fixed consumed value', () => {
    expect(lint(rule, variant((doc) => delete at.tool(doc).with))).toEqual([]);
    const fixed = variant((doc) => {
      at.consumedOp(doc).inputParameters[0].value = 'abc';
      delete at.restOp(doc).with.item_id;
      at.tool(doc).with = {};
    });
    expect(lint(rule, fixed)).toEqual([]);
  });

  it('accepts a declared exposed input parameter of the same name', () => {
    const yaml = variant((doc) => {
      delete at.restOp(doc).with.item_id;
      doc.capability.exposes[0].resources[0].inputParameters = [{ name: 'item_id', in: 'path', type: 'string', description: 'Id.' }];
    });
    expect(lint(rule, yaml)).toEqual([]);
  });

  it('handles {{double}} placeholders and ignores bind variables in paths', () => {
    const yaml = variant((doc) => {
      at.api(doc).resources[0].path = '/{{env.API_TOKEN}}/items/{{item_id}}/{{version}}';
    });
    const [d, ...rest] = lint(rule, yaml);
    expect(rest).toHaveLength(1); // REST operation and MCP tool both miss {{version}}
    expect(d!.message).toContain('`{{version}}`');
  });
});
