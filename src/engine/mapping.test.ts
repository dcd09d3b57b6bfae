import { describe, expect, it } from 'vitest';
import type { OutputParameter } from '../capability/model.js';
import { compileMockOutputs, compileOutput, compileOutputs, compileProjection } from './mapping.js';

const loc = { file: 'x.yaml', pointer: '' };
const out = (o: Partial<OutputParameter>): OutputParameter => ({ loc, ...o }) as OutputParameter;
const none = () => undefined;

describe('output mapping', () => {
  it('array items: object properties per element (missing → null), item mapping, no mapping = element (ResolverTest)', () => {
    const body = { list: [{ a: 1, b: 2 }, { a: 3 }] };
    expect(compileOutput(out({ type: 'array', mapping: '$.list', items: out({ type: 'object', properties: { a: out({ mapping: '$.a' }), b: out({ mapping: '$.b' }) } }) }))(body, none)).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: null },
    ]);
    expect(compileOutput(out({ type: 'array', mapping: '$.list', items: out({ type: 'number', mapping: '$.a' }) }))(body, none)).toEqual([1, 3]);
    expect(compileOutput(out({ type: 'array', mapping: '$.list' }))(body, none)).toEqual(body.list);
    expect(compileOutput(out({ type: 'array', mapping: '$.list[0]' }))(body, none)).toBeNull(); // not an array
    expect(compileOutput(out({ type: 'array', mapping: '$.nothing' }))(body, none)).toBeUndefined();
  });

  it('object with `values` maps every entry (ResolverTest)', () => {
    const spec = out({ type: 'object', mapping: '$.m', values: out({ type: 'string', mapping: '$.v' }) });
    expect(compileOutput(spec)({ m: { x: { v: 'a' }, y: { v: 'b' } } }, none)).toEqual({ x: 'a', y: 'b' });
  });

  it('exposed outputs: none → undefined; one → itself; several unnamed → first non-null; several named → object', () => {
    expect(compileOutputs([])).toBeUndefined();
    const body = { a: null, b: 'B', c: 'C' };
    expect(compileOutputs([out({ mapping: '$.a' }), out({ mapping: '$.b' }), out({ mapping: '$.c' })])!(body, none)).toBe('B');
    expect(compileOutputs([out({ name: 'x', mapping: '$.b' }), out({ name: 'y', mapping: '$.zzz' })])!(body, none)).toEqual({ x: 'B', y: null });
    expect(compileOutputs([out({ name: 'only', mapping: '$.c' })])!(body, none)).toBe('C');
  });

  it('mock outputs: keyed by name (unnamed → value), nulls dropped, empty → undefined; a single unnamed one is the answer', () => {
    const lookup = (p: string) => ({ name: 'Nina' })[p];
    expect(compileMockOutputs([out({ name: 'message', value: 'Hello, {{name}}!' }), out({ value: 'x' }), out({ name: 'gone', value: '{{nope}}' })])!(undefined, lookup)).toEqual({
      message: 'Hello, Nina!',
      value: 'x',
    });
    expect(compileMockOutputs([out({ name: 'gone', value: '{{nope}}' })])!(undefined, lookup)).toBeUndefined();
    expect(compileMockOutputs([out({ type: 'object', properties: { n: out({ value: '{{name}}' }) } })])!(undefined, lookup)).toEqual({ n: 'Nina' });
  });

  it('value templates: a lone variable keeps its type, coerced to the declared type', () => {
    const lookup = (p: string) => ({ ids: ['a'], n: '12' })[p];
    expect(compileOutput(out({ value: '{{ids}}' }))(undefined, lookup)).toEqual(['a']);
    expect(compileOutput(out({ type: 'integer', value: '{{n}}' }))(undefined, lookup)).toBe(12);
    expect(compileOutput(out({ type: 'string', value: 'n={{n}}' }))(undefined, lookup)).toBe('n=12');
  });

  describe('consumed projection of a step output (§6.3, OperationStepExecutorBranchTest)', () => {
    it('array bodies keep every element, augmented with the named outputs', () => {
      const p = compileProjection([out({ name: 'imo-number', value: undefined, mapping: '$.imo_number' })])!;
      expect(p.passthrough).toBe(false);
      expect(p.project([{ imo_number: 'A', name: 'x' }, 'scalar'], none)).toEqual([{ imo_number: 'A', name: 'x', 'imo-number': 'A' }, { 'imo-number': null }]);
    });

    it('objects: only named outputs are kept when there is one; else the first unnamed', () => {
      const named = compileProjection([out({ name: 'userId', mapping: '$.id' }), out({ mapping: '$.name' })])!;
      expect(named.project({ id: 'u-1', name: 'N' }, none)).toEqual({ userId: 'u-1' });
      const unnamed = compileProjection([out({ mapping: '$.name' })])!;
      expect(unnamed.project({ id: 'u-1', name: 'N' }, none)).toBe('N');
    });

    it('a lone `$.` output is a passthrough (the APIs.io `{name: result, type: object, value: $.}`)', () => {
      const p = compileProjection([out({ name: 'result', type: 'object', mapping: '$.' })])!;
      expect(p.passthrough).toBe(true);
      expect(p.project({ a: 1 }, none)).toEqual({ a: 1 });
    });
  });
});
