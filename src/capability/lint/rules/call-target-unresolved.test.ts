import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { callTargetUnresolved as rule } from './call-target-unresolved.js';

describe('call-target-unresolved', () => {
  it('accepts calls to existing consumed operations', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('reports an unknown operation with the nearest name', () => {
    const [d, ...rest] = lint(rule, variant((doc) => (at.restOp(doc).call = 'api.get-itme')));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'call-target-unresolved', severity: 'error', pointer: '/capability/exposes/0/resources/0/operations/0/call' });
    expect(d!.message).toContain('no operation named `get-itme`');
    expect(d!.hint).toBe('Did you mean `api.get-item`?');
    expect(d!.position?.line).toBeGreaterThan(1);
  });

  it('reports an unknown namespace, and a call into an exposed adapter', () => {
    const found = lint(
      rule,
      variant((doc) => {
        at.restOp(doc).call = 'apii.get-item';
        at.tool(doc).call = 'api-rest.get-item';
      }),
    );
    expect(found.map((d) => d.hint)).toEqual(['Did you mean `api`?', 'Call an operation of a consumed API: `api`.']);
    expect(found[1]!.message).toContain('is an exposed adapter of this file');
  });

  it('reports a call without a namespace, suggesting the qualified one', () => {
    const [d] = lint(rule, variant((doc) => (at.tool(doc).call = 'get-item')));
    expect(d!.message).toContain('not of the form `namespace.operation`');
    expect(d!.hint).toBe('Did you mean `api.get-item`?');
  });

  it('checks call steps and aggregate functions too', () => {
    const found = lint(
      rule,
      variant((doc) => {
        delete at.tool(doc).call;
        at.tool(doc).steps = [{ type: 'call', name: 'one', call: 'api.missing' }];
        doc.capability.aggregates = [{ namespace: 'agg', functions: [{ name: 'f', description: 'F.', call: 'api.gone' }] }];
      }),
    );
    expect(found.map((d) => d.pointer).sort()).toEqual(['/capability/aggregates/0/functions/0/call', '/capability/exposes/1/tools/0/steps/0/call']);
  });

  it('explains operations declared with `id` instead of `name`', () => {
    const [d] = lint(
      rule,
      variant((doc) => {
        const op = at.consumedOp(doc);
        delete op.name;
        op.id = 'get-item';
      }),
    );
    expect(d!.message).toContain('is the `id` of an operation');
  });

  it('does not resolve calls across files', () => {
    const other = variant((doc) => {
      at.api(doc).namespace = 'other';
      at.rest(doc).namespace = 'other-rest';
      at.mcp(doc).namespace = 'other-mcp';
      at.restOp(doc).call = 'api.get-item';
      at.tool(doc).call = 'other.get-item';
    });
    expect(lint(rule, BASE, other).map((d) => d.file)).toEqual(['inline-2.yaml']);
  });
});
