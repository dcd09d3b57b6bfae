import { describe, expect, it } from 'vitest';
import { at, BASE, lint, lintStrict, variant } from '../testing.js';
import { pathParameterUnsupplied as rule } from './path-parameter-unsupplied.js';

describe('path-parameter-unsupplied', () => {
  it('accepts path parameters supplied by every caller', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('reports a REST operation whose with and route do not supply {item_id}', () => {
    const yaml = variant((doc) => {
      delete at.restOp(doc).with.item_id;
      doc.capability.exposes[0].resources[0].path = '/v1/things/{thing}';
    });
    const [d, ...rest] = lint(rule, yaml);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'path-parameter-unsupplied', severity: 'error', pointer: '/capability/exposes/0/resources/0/operations/0/call' });
    expect(d!.message).toContain('`{item_id}`');
    expect(d!.hint).toBe('Add to its `with`: `item_id: rest.query.item_id`.');
  });

  it('reads a consumed placeholder from the route variable of the same name', () => {
    expect(lint(rule, variant((doc) => delete at.restOp(doc).with.item_id))).toEqual([]);
  });

  it('warns when the route variable differs only in case or separators (an error with --strict)', () => {
    const yaml = variant((doc) => {
      delete at.restOp(doc).with.item_id;
      doc.capability.exposes[0].resources[0].path = '/v1/items/{itemId}';
    });
    const [d, ...rest] = lint(rule, yaml);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'warning' });
    expect(d!.message).toContain('`{item_id}` from the route variable `{itemId}`');
    const [s] = lintStrict(rule, yaml);
    expect(s).toMatchObject({ severity: 'error' });
  });

  it('does not guess between two loosely equal route variables', () => {
    const yaml = variant((doc) => {
      delete at.restOp(doc).with.item_id;
      doc.capability.exposes[0].resources[0].path = '/v1/items/{itemId}/{item-id}';
    });
    expect(lint(rule, yaml).map((d) => d.severity)).toEqual(['error']);
  });

  it('warns about a with key spelled differently from the placeholder', () => {
    const yaml = variant((doc) => {
      delete at.tool(doc).with.item_id;
      at.tool(doc).with.itemId = 'tools.id';
      at.tool(doc).inputParameters = [{ name: 'id', type: 'string', description: 'Id.' }];
    });
    const [d] = lint(rule, yaml);
    expect(d).toMatchObject({ severity: 'warning' });
    expect(d!.message).toContain('from the with key `itemId`');
  });

  it('reports an MCP tool with declared inputs and a with that lacks the parameter, suggesting tools.X', () => {
    const yaml = variant((doc) => {
      at.tool(doc).with = { expand: 'tools.expand' };
      at.tool(doc).inputParameters = [{ name: 'expand', type: 'string', description: 'Expand.' }];
    });
    const [d] = lint(rule, yaml);
    expect(d!.hint).toBe('Add to its `with`: `item_id: tools.item_id`.');
  });

  it('accepts an MCP tool without inputParameters: it offers the placeholder as an argument', () => {
    expect(lint(rule, variant((doc) => (at.tool(doc).with = { expand: 'tools.expand' })))).toEqual([]);
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
    expect(rest).toHaveLength(0); // the REST operation misses {{version}}; the MCP tool offers it as an argument
    expect(d!.message).toContain('`{{version}}`');
  });
});
