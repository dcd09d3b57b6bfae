import { describe, expect, it } from 'vitest';
import { at, lint, variant, type Doc } from '../testing.js';
import { aggregateSemanticsConflict as rule } from './aggregate-semantics-conflict.js';

const withRefs = (semantics: Record<string, boolean>, edit: (doc: Doc) => void = () => {}) =>
  variant((doc) => {
    doc.capability.aggregates = [{ namespace: 'agg', functions: [{ name: 'f', description: 'F', call: 'api.get-item', semantics }] }];
    const tool = at.tool(doc);
    delete tool.call;
    tool.ref = 'agg.f';
    const op = at.restOp(doc);
    delete op.call;
    op.ref = 'agg.f';
    edit(doc);
  });

describe('aggregate-semantics-conflict', () => {
  it('accepts units consistent with the function semantics', () => {
    expect(lint(rule, withRefs({ safe: true, idempotent: true }, (doc) => (at.tool(doc).hints = { readOnly: true, idempotent: true })))).toEqual([]);
  });

  it('warns about contradicting MCP hints', () => {
    const [d] = lint(rule, withRefs({ safe: true }, (doc) => (at.tool(doc).hints = { readOnly: false, destructive: true })));
    expect(d).toMatchObject({ code: 'aggregate-semantics-conflict', severity: 'warning', pointer: '/capability/exposes/1/tools/0' });
    expect(d!.message).toContain('`safe: true` but `readOnly: false`; `safe: true` but `destructive: true`');
  });

  it('warns about a REST method that contradicts the semantics', () => {
    const found = lint(rule, withRefs({ safe: false, idempotent: true }, (doc) => (at.restOp(doc).method = 'GET')));
    expect(found.map((d) => d.pointer)).toEqual(['/capability/exposes/0/resources/0/operations/0']);
    const post = lint(rule, withRefs({ idempotent: true }, (doc) => (at.restOp(doc).method = 'POST')));
    expect(post[0]!.message).toContain('`idempotent: true` but the method is POST');
  });
});
