import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { bindUndeclared as rule } from './bind-undeclared.js';

describe('bind-undeclared', () => {
  it('accepts {{env.X}}, {{ns.X}} and {{X}} for declared keys', () => {
    const yaml = variant((doc) => {
      at.api(doc).inputParameters = [
        { name: 'X-A', in: 'header', value: '{{API_TOKEN}}' },
        { name: 'X-B', in: 'header', value: '{{env.API_TOKEN}}' },
      ];
    });
    expect(lint(rule, BASE)).toEqual([]);
    expect(lint(rule, yaml)).toEqual([]);
  });

  it('reports an undeclared qualified variable with the nearest key', () => {
    const [d, ...rest] = lint(rule, variant((doc) => (at.api(doc).authentication.token = 'Bearer {{env.API_TOKN}}')));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'bind-undeclared', severity: 'error', pointer: '/capability/consumes/0/authentication/token' });
    expect(d!.hint).toBe('Did you mean `{{env.API_TOKEN}}`?');
  });

  it('reports a qualified variable when the file has no binds at all', () => {
    const [d] = lint(rule, variant((doc) => delete doc.binds));
    expect(d!.message).toContain('declares no `binds`');
  });

  it('warns about a bare upper-case variable in auth that is neither bind nor parameter', () => {
    const [d] = lint(rule, variant((doc) => (at.api(doc).authentication.token = '{{OTHER_TOKEN}}')));
    expect(d).toMatchObject({ severity: 'warning' });
  });

  it('ignores non-bind variables ({{tools.x}}, {{item_id}}) and bare names elsewhere', () => {
    const yaml = variant((doc) => {
      at.consumedOp(doc).body = { type: 'json', data: { a: '{{tools.a}}', b: '{{B_VALUE}}' } };
    });
    expect(lint(rule, yaml)).toEqual([]);
  });
});
