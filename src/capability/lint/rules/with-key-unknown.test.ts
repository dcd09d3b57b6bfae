import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { withKeyUnknown as rule } from './with-key-unknown.js';

describe('with-key-unknown', () => {
  it('accepts keys that are consumed parameters', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('warns about a key the target does not take, pointing at the key, with the nearest name', () => {
    const [d, ...rest] = lint(rule, variant((doc) => (at.tool(doc).with.expnad = 'tools.expand')));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'with-key-unknown', severity: 'warning', pointer: '/capability/exposes/1/tools/0/with/expnad' });
    expect(d!.hint).toBe('Did you mean `expand`?');
  });

  it('accepts keys that feed {{templates}} of the body, path or parameter values', () => {
    const yaml = variant((doc) => {
      const op = at.consumedOp(doc);
      op.method = 'POST';
      op.body = { type: 'json', data: { name: '{{tools.name}}', note: '{{note}}' } };
      op.inputParameters.push({ name: 'X-Trace', in: 'header', value: '{{trace}}' });
      Object.assign(at.tool(doc).with, { name: 'tools.name', note: 'tools.note', trace: 'tools.trace' });
    });
    expect(lint(rule, yaml)).toEqual([]);
  });

  it('checks the with of call steps against their own target', () => {
    const yaml = variant((doc) => {
      const tool = at.tool(doc);
      delete tool.call;
      delete tool.with;
      tool.steps = [{ type: 'call', name: 's', call: 'api.get-item', with: { item_id: 'tools.id', bogus: 1 } }];
    });
    expect(lint(rule, yaml).map((d) => d.pointer)).toEqual(['/capability/exposes/1/tools/0/steps/0/with/bogus']);
  });
});
