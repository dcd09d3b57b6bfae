import { describe, expect, it } from 'vitest';
import { at, BASE, lint, lintStrict, variant } from '../testing.js';
import { expressionUnresolvable as rule } from './expression-unresolvable.js';

describe('expression-unresolvable', () => {
  it('accepts the dialect forms in their own surface', () => {
    const yaml = variant((doc) => {
      Object.assign(at.restOp(doc).with, { a: 'rest.query.a', b: 'rest.header.x-b', c: 'rest.body', d: 'rest.body.d', e: 'rest.e', f: 'api-rest.f', g: '{{x}}', h: 42 });
      Object.assign(at.tool(doc).with, { a: 'tools.a', b: 'tools.a.b', c: 'api-mcp.c', d: 'literal text' });
    });
    expect(lint(rule, BASE)).toEqual([]);
    expect(lint(rule, yaml)).toEqual([]);
  });

  it('reports rest.path.X when {X} is not in the REST path, with the nearest parameter', () => {
    const [d, ...rest] = lint(rule, variant((doc) => (at.restOp(doc).with.item_id = 'rest.path.item_d')));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'expression-unresolvable', severity: 'error', pointer: '/capability/exposes/0/resources/0/operations/0/with/item_id' });
    expect(d!.hint).toBe('Did you mean `rest.path.item_id`?');
  });

  it.each(['rest.path.itemid', 'rest.itemId', 'rest.item-id'])('warns that %s reads {item_id} (names differ in case/separators); --strict refuses it', (expression) => {
    const yaml = variant((doc) => (at.restOp(doc).with.item_id = expression));
    const [d, ...rest] = lint(rule, yaml);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'warning' });
    expect(d!.message).toContain('reads the path parameter `{item_id}`');
    const [s] = lintStrict(rule, yaml);
    expect(s).toMatchObject({ severity: 'error' });
    expect(s!.message).toContain('--strict requires exact names');
  });

  it('refuses to guess when several path parameters match loosely', () => {
    const yaml = variant((doc) => {
      doc.capability.exposes[0].resources[0].path = '/v1/items/{item_id}/{itemId}';
      at.restOp(doc).with.item_id = 'rest.ITEMID';
    });
    const [d] = lint(rule, yaml);
    expect(d).toMatchObject({ severity: 'error' });
    expect(d!.message).toContain('several path parameters');
  });

  it('reports rest.* in an MCP tool and tools.* in a REST operation', () => {
    const found = lint(
      rule,
      variant((doc) => {
        at.tool(doc).with.item_id = 'rest.path.item_id';
        at.restOp(doc).with.expand = 'tools.expand';
      }),
    );
    expect(found.map((d) => [d.pointer, d.severity])).toEqual([
      ['/capability/exposes/0/resources/0/operations/0/with/expand', 'error'],
      ['/capability/exposes/1/tools/0/with/item_id', 'error'],
    ]);
  });

  it('accepts tools.X in a REST operation that declares input parameter X', () => {
    const yaml = variant((doc) => {
      at.restOp(doc).with.expand = 'tools.expand';
      at.restOp(doc).inputParameters = [{ name: 'expand', in: 'query', type: 'string', description: 'E' }];
    });
    expect(lint(rule, yaml)).toEqual([]);
  });

  it('reports tools.X missing from the declared tool inputParameters', () => {
    const yaml = variant((doc) => {
      at.tool(doc).inputParameters = [{ name: 'itemid', type: 'string', description: 'Id' }];
    });
    const [d] = lint(rule, yaml);
    expect(d!.message).toContain('do not declare it');
    expect(d!.hint).toBe('Did you mean `tools.itemid`?');
  });

  it('reports env.VAR written without braces (literal text)', () => {
    const [d] = lint(rule, variant((doc) => (at.tool(doc).with.expand = 'env.API_TOKEN')));
    expect(d).toMatchObject({ severity: 'error', hint: 'Write `"{{env.API_TOKEN}}"`.' });
  });

  it('warns about references nested in a structured value', () => {
    const [d] = lint(rule, variant((doc) => (at.tool(doc).with.expand = [{ value: 'tools.tag' }])));
    expect(d).toMatchObject({ severity: 'warning' });
    expect(d!.message).toContain('`tools.tag`');
  });
});
