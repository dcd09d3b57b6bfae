import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { invocableEmpty as rule } from './invocable-empty.js';

describe('invocable-empty', () => {
  it('accepts units with a call, and mocks with static values', () => {
    expect(lint(rule, BASE)).toEqual([]);
    const mock = variant((doc) => {
      const tool = at.tool(doc);
      delete tool.call;
      tool.outputParameters = [{ type: 'object', properties: { ok: { type: 'boolean', value: true } } }];
    });
    expect(lint(rule, mock)).toEqual([]);
  });

  it('reports a unit with nothing to run (error) or only mapping outputs (warning)', () => {
    const nothing = variant((doc) => delete at.tool(doc).call);
    expect(lint(rule, nothing)[0]).toMatchObject({ code: 'invocable-empty', severity: 'error', pointer: '/capability/exposes/1/tools/0' });
    const mappingOnly = variant((doc) => {
      const op = at.restOp(doc);
      delete op.call;
      op.outputParameters = [{ type: 'object', mapping: '$.' }];
    });
    expect(lint(rule, mappingOnly)[0]).toMatchObject({ severity: 'warning', pointer: '/capability/exposes/0/resources/0/operations/0' });
  });
});
