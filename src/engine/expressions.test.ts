import { describe, expect, it } from 'vitest';
import { compileWith, type ExpressionContext } from './expressions.js';
import type { CallerInput } from './input.js';

const binds = { variableFor: (path: string) => (path === 'env.WU_CLIENT_ID' || path === 'WU_CLIENT_ID' ? 'WU_CLIENT_ID' : undefined) };

function run(map: Record<string, unknown>, input: CallerInput, params: Record<string, unknown> = {}, namespace = 'shipyard') {
  const compiled = compileWith(map, namespace, binds);
  const out = { ...params };
  const lookup = (p: string) => (p === 'env.WU_CLIENT_ID' ? 'client-1' : out[p]);
  for (const entry of compiled.entries) {
    const v = entry.expression({ input, params: out, lookup } as ExpressionContext);
    if (v !== undefined) out[entry.name] = v;
  }
  return { out, bindVariables: compiled.bindVariables };
}

const rest = (over: Partial<Extract<CallerInput, { kind: 'rest' }>> = {}): CallerInput => ({ kind: 'rest', path: {}, query: new URLSearchParams(), headers: {}, body: undefined, ...over });

describe('`with` expressions (OperationStepExecutorTest)', () => {
  it('Mustache renames, namespace refs, unresolved refs add nothing, numbers pass through, other text is literal', () => {
    const { out } = run({ imo_number: '{{imo}}', shipImo: 'shipyard.shipImo', gone: 'shipyard.nothing', limit: 10, action: 'kill' }, { kind: 'mcp', arguments: { imo: 'IMO-1', shipImo: 'S' } }, { imo: 'IMO-1', shipImo: 'S' });
    expect(out).toEqual({ imo: 'IMO-1', shipImo: 'S', imo_number: 'IMO-1', limit: 10, action: 'kill' });
  });

  it('without a namespace a namespace-looking ref is literal', () => {
    expect(run({ x: 'shipyard.x' }, { kind: 'mcp', arguments: { x: 1 } }, {}, '').out).toEqual({ x: 'shipyard.x' });
  });

  it('rest.path / rest.query (repeated → list) / rest.header / rest.body / rest.body.X / bare rest.X', () => {
    const input = rest({ path: { id: '7' }, query: new URLSearchParams('q=a&tag=1&tag=2'), headers: { 'x-sig': 's' }, body: { skill_id: 'k', nested: { a: 1 } } });
    expect(run({ id: 'rest.path.id', q: 'rest.query.q', tag: 'rest.query.tag', sig: 'rest.headers.X-Sig', body: 'rest.body', skill: 'rest.body.skill_id', a: 'rest.body.nested.a', bare: 'rest.id', bareQ: 'rest.q', none: 'rest.query.none' }, input).out).toEqual({
      id: '7',
      q: 'a',
      tag: ['1', '2'],
      sig: 's',
      body: { skill_id: 'k', nested: { a: 1 } },
      skill: 'k',
      a: 1,
      bare: '7',
      bareQ: 'a',
    });
  });

  it('tools.X / tools.X.Y read MCP arguments; structures resolve their leaves', () => {
    const input: CallerInput = { kind: 'mcp', arguments: { tag: 't', attributes: { project: 'p' } } };
    expect(run({ project: 'tools.attributes.project', filters: [{ criteria: [{ filterType: 1, value: 'tools.tag' }] }] }, input).out).toEqual({ project: 'p', filters: [{ criteria: [{ filterType: 1, value: 't' }] }] });
  });

  it('bind variables: `{{env.X}}` and bare `env.X` are resolved (and listed for resolution ahead of time)', () => {
    const { out, bindVariables } = run({ clientId: 'env.WU_CLIENT_ID', other: '{{env.WU_CLIENT_ID}}' }, { kind: 'mcp', arguments: {} });
    expect(out).toEqual({ clientId: 'client-1', other: 'client-1' });
    expect(bindVariables).toEqual(['WU_CLIENT_ID']);
  });
});
