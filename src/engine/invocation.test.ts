import { describe, expect, it } from 'vitest';
import type { Invocable, Step } from '../capability/model.js';
import { EngineError } from './errors.js';
import { CompiledInvocable, type OperationSource } from './invocation.js';
import type { PreparedOperation } from './upstream/operation.js';

const loc = { file: 'c.yaml', pointer: '' };
const unit = (over: Partial<Invocable>): Invocable => ({ name: 'u', inputParameters: [], outputParameters: [], with: {}, steps: [], mappings: [], loc, ...over });

/** A source whose operations answer canned JSON bodies and record the parameters they were called with. */
function source(bodies: Record<string, unknown>, calls: { ref: string; params: Record<string, unknown> }[] = []): OperationSource {
  const op = (ref: string): PreparedOperation =>
    ({
      ref,
      method: 'GET',
      operation: { outputParameters: [], outputRawFormat: 'json' },
      call: async (params: Record<string, unknown>) => {
        calls.push({ ref, params: { ...params } });
        return { response: { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(bodies[ref])), durationMs: 1 }, method: 'GET', url: ref };
      },
    }) as unknown as PreparedOperation;
  return {
    operation: (ref) => (ref in bodies ? op(ref) : undefined),
    callContext: () => ({}) as never,
    binds: { values: async () => new Map(), variableFor: () => undefined } as never,
  };
}

const callStep = (name: string, ref: string, w: Record<string, unknown> = {}): Step => ({ type: 'call', name, call: { namespace: ref.split('.')[0]!, operation: ref.split('.')[1]!, ref, loc }, with: w, loc });

describe('invocation', () => {
  it('a script step is a clear "not supported" error, after the steps before it ran', async () => {
    const calls: { ref: string; params: Record<string, unknown> }[] = [];
    const compiled = new CompiledInvocable(unit({ steps: [callStep('a', 'api.a'), { type: 'script', name: 'compute', settings: {}, loc }] }), 'tools', source({ 'api.a': { x: 1 } }, calls));
    await expect(compiled.invoke({ kind: 'mcp', arguments: {} })).rejects.toThrow(EngineError);
    await expect(compiled.invoke({ kind: 'mcp', arguments: {} })).rejects.toThrow('Script step `compute` is not supported by this runtime');
    expect(calls.map((c) => c.ref)).toEqual(['api.a', 'api.a']);
  });

  it('a lookup on an unknown step fails naming it', async () => {
    const compiled = new CompiledInvocable(unit({ steps: [{ type: 'lookup', name: 'l', index: 'nope', match: 'id', lookupValue: 'x', outputParameters: [], loc }] }), 'tools', source({}));
    await expect(compiled.invoke({ kind: 'mcp', arguments: {} })).rejects.toThrow('references the unknown step `nope`');
  });

  it('step `with` sees earlier step outputs and the adapter namespace (StepWithNamespaceIntegrationTest)', async () => {
    const calls: { ref: string; params: Record<string, unknown> }[] = [];
    const compiled = new CompiledInvocable(
      unit({ steps: [callStep('first', 'api.a', { voyageId: 'shipyard-tools.voyageId' }), callStep('second', 'api.b', { id: '{{first.item.id}}' })], mappings: [{ targetName: 'r.id', value: '$.second.id' }] }),
      'shipyard-tools',
      source({ 'api.a': { item: { id: 'i-9' } }, 'api.b': { id: 'done' } }, calls),
    );
    const result = await compiled.invoke({ kind: 'mcp', arguments: { voyageId: 'VOY-2026-042' } });
    expect(calls[0]!.params.voyageId).toBe('VOY-2026-042');
    expect(calls[1]!.params.id).toBe('i-9');
    expect(result).toEqual({ status: 200, value: { r: { id: 'done' } }, hasValue: true });
  });

  it('an unknown aggregate ref fails at request time naming it (lint refuses it at load)', async () => {
    const compiled = new CompiledInvocable(unit({ ref: 'agg.missing' }), 'tools', { ...source({}), aggregateFunction: () => undefined });
    await expect(compiled.invoke({ kind: 'mcp', arguments: {} })).rejects.toThrow('unknown aggregate function `agg.missing`');
  });

  it('REST parameters: declared types coerce text, cookies are read, no `in` reads path then query', async () => {
    const calls: { ref: string; params: Record<string, unknown> }[] = [];
    const p = (name: string, extra: object) => ({ name, required: false, schema: {}, loc, ...extra });
    const compiled = new CompiledInvocable(
      unit({ call: { namespace: 'api', operation: 'a', ref: 'api.a', loc }, inputParameters: [p('n', { in: 'query', type: 'integer' }), p('flag', { in: 'header', type: 'boolean' }), p('sid', { in: 'cookie' }), p('loose', {}), p('id', {})] }),
      'rest',
      source({ 'api.a': {} }, calls),
    );
    await compiled.invoke({ kind: 'rest', path: { id: 'p-1' }, query: new URLSearchParams('n=5&loose=q'), headers: { flag: 'true', cookie: 'a=1; sid=s%201' }, body: undefined });
    expect(calls[0]!.params).toEqual({ n: 5, flag: true, sid: 's 1', loose: 'q', id: 'p-1' });
  });
});
