/**
 * Aggregates and `ref` (naftiko-core §7): REST operations and MCP tools that
 * `ref: namespace.function` run the function (its call / steps / mock, its
 * `with` under the aggregate namespace, its outputs), inherit its name,
 * description and (tools) inputParameters, and derive MCP hints from its
 * `semantics` with field-level overrides. Ports of the reference fixtures
 * aggregate-basic, aggregate-hints-override, aggregate-invalid-ref,
 * aggregate-shared-mock and aggregate-step-with-namespace.
 *
 * Where the reference fixture is buggy we assert the intended behaviour:
 * aggregate-basic's function writes `with: {location: "location"}`, which the
 * reference sends as the literal text "location"; ours uses the
 * namespace-qualified `forecast.location`. A REST operation with `ref` and no
 * inputParameters reads the function's (path, then query, then body field);
 * the reference reads nothing from the request.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest, Reply } from '../../../helpers/echo-upstream.js';
import { startFixture, toolJson, type Fixture } from '../harness.js';

const file = resolve(import.meta.dirname, 'capability.yaml');

function upstream(req: RecordedRequest): Reply {
  if (req.path === '/v1/forecast') return { body: { city: req.query.get('location'), current: { temp: 18.5, summary: 'Sunny' } } };
  if (req.path === '/voyages/VOY-2026-042') return { body: { voyageId: 'VOY-2026-042', from: 'Oslo' } };
  return { body: { ok: true } };
}

describe('conformance: aggregates', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ file, namespaces: ['weather-api', 'registry'], handler: upstream });
  });
  afterAll(async () => f?.close());

  it('tools inherit name, description and inputParameters; hints derive from semantics, explicit hints override field by field', async () => {
    const { tools } = await (await f.mcp()).listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(['delete-item', 'get-forecast', 'hello', 'read-items', 'read-items-open', 'voyage-summary']);
    expect(byName['get-forecast']!.description).toBe('Fetch current weather forecast for a location.');
    expect(byName['get-forecast']!.inputSchema).toMatchObject({ type: 'object', properties: { location: { type: 'string', description: 'City name.' } }, required: ['location'] });
    expect(byName.hello!.description).toBe('Say hello without any upstream.');
    expect(byName['voyage-summary']!.description).toBe('Own description wins.');
    const hints = (name: string) => {
      const a = byName[name]!.annotations ?? {};
      return { readOnly: a.readOnlyHint, destructive: a.destructiveHint, idempotent: a.idempotentHint };
    };
    expect(hints('get-forecast')).toEqual({ readOnly: true, destructive: false, idempotent: true });
    expect(hints('read-items')).toEqual({ readOnly: true, destructive: false, idempotent: true });
    expect({ ...hints('read-items-open'), openWorld: byName['read-items-open']!.annotations?.openWorldHint }).toEqual({ readOnly: true, destructive: false, idempotent: true, openWorld: true });
    expect({ ...hints('delete-item'), openWorld: byName['delete-item']!.annotations?.openWorldHint }).toEqual({ readOnly: false, destructive: true, idempotent: true, openWorld: false });
  });

  it('a REST operation with `ref` inherits the function name', () => {
    const routes = f.rt.runtime.summaries.find((s) => s.kind === 'rest')!.routes;
    expect(routes.filter((r) => r.path === '/forecast').map((r) => `${r.method} ${r.operation}`)).toEqual(['GET weather-rest.get-forecast', 'POST weather-rest.post-forecast']);
  });

  it('a call function: its `with` under the aggregate namespace, its outputs; MCP and REST (query and body) agree', async () => {
    const expected = { city: 'Paris', temperature: 18.5 };
    expect(toolJson(await f.tool('get-forecast', { location: 'Paris' }))).toEqual(expected);
    expect(f.upstream.last().url).toBe('/v1/forecast?location=Paris');
    const get = await f.rest('/forecast?location=Paris');
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual(expected);
    expect(f.upstream.last().url).toBe('/v1/forecast?location=Paris');
    const post = await f.rest('/forecast', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"location":"Oslo"}' });
    expect(await post.json()).toEqual({ city: 'Oslo', temperature: 18.5 });
    expect(f.upstream.last()).toMatchObject({ method: 'GET', url: '/v1/forecast?location=Oslo' });
  });

  it("the unit's own `with` applies first; a function without outputs is shaped by the unit's outputs", async () => {
    const res = await f.rest('/forecast/metric?location=Paris');
    expect(await res.json()).toBe('Sunny');
    expect(f.upstream.last().url).toBe('/v1/forecast?location=Paris&units=metric');
  });

  it('a mock function shared by MCP and REST answers the same payload, without any upstream request (aggregate-shared-mock)', async () => {
    const before = f.upstream.requests.length;
    const expected = { message: 'Hello, Nina!', source: 'aggregate-mock' };
    expect(toolJson(await f.tool('hello', { name: 'Nina' }))).toEqual(expected);
    const res = await f.rest('/hello?name=Nina');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(expected);
    expect(f.upstream.requests.length).toBe(before);
  });

  it('a steps function resolves step `with` against the aggregate namespace (aggregate-step-with-namespace)', async () => {
    const expected = { id: 'VOY-2026-042', route: { from: 'Oslo' } };
    expect(toolJson(await f.tool('voyage-summary', { 'voyage-id': 'VOY-2026-042' }))).toEqual(expected);
    expect(f.upstream.last().url).toBe('/voyages/VOY-2026-042');
    const res = await f.rest('/voyages/VOY-2026-042');
    expect(await res.json()).toEqual(expected);
  });

  it('a ref to an unknown function refuses to start (aggregate-invalid-ref)', async () => {
    await expect(startFixture({ file: resolve(import.meta.dirname, 'invalid-ref/capability.yaml') })).rejects.toThrow(/ref-target-unresolved/);
  });
});
