import { describe, expect, it } from 'vitest';
import { at, BASE, lint, lintStrict, variant } from '../testing.js';
import { pathParameterUnused as rule } from './path-parameter-unused.js';

describe('path-parameter-unused', () => {
  it('accepts route parameters read by rest.path.X', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('warns about a route parameter nobody reads', () => {
    const yaml = variant((doc) => (doc.capability.exposes[0].resources[0].path = '/v1/items/{item_id}/{other}'));
    const [d] = lint(rule, yaml);
    expect(d).toMatchObject({ severity: 'warning' });
    expect(d!.message).toContain('`{other}`');
  });

  it('reads a case-mismatched route parameter in the dialect, hints at it under --strict', () => {
    const yaml = variant((doc) => {
      doc.capability.exposes[0].resources[0].path = '/v1/items/{itemid}';
      at.restOp(doc).with.item_id = 'rest.item_Id';
    });
    expect(lint(rule, yaml)).toEqual([]); // the dialect reads {itemid} through rest.item_Id
    const [d, ...rest] = lintStrict(rule, yaml);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'path-parameter-unused', severity: 'warning', pointer: '/capability/exposes/0/resources/0/path' });
    expect(d!.hint).toContain('`rest.item_Id` does not match `{itemid}`');
  });

  it('counts bare rest.X, templates and declared inputs as reads', () => {
    for (const edit of [
      (doc: Record<string, any>) => (at.restOp(doc).with.item_id = 'rest.item_id'),
      (doc: Record<string, any>) => (at.restOp(doc).with.item_id = 'item-{{item_id}}'),
      (doc: Record<string, any>) => {
        delete at.restOp(doc).with.item_id;
        at.restOp(doc).inputParameters = [{ name: 'item_id', in: 'path', type: 'string', description: 'Id' }];
      },
    ]) {
      expect(lint(rule, variant(edit))).toEqual([]);
    }
  });

  it('notes (info) a consumed in: path parameter absent from the consumed path', () => {
    const yaml = variant((doc) => at.consumedOp(doc).inputParameters.push({ name: 'ghost', in: 'path' }));
    const [d] = lint(rule, yaml);
    expect(d).toMatchObject({ severity: 'info', pointer: '/capability/consumes/0/resources/0/operations/0/inputParameters/2' });
  });
});
