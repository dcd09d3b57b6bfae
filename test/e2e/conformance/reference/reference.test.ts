/**
 * Small cases from the reference engine's fixtures and tests (naftiko-core
 * §9.1–§9.3), each checked on the wire: tutorial steps 2, 3, 6 and 10,
 * http-body, http-header-query, http-forward-value (static client headers),
 * mcp-capability, ToolHandlerTest, RestPathParamWithResolutionTest,
 * RestNamespaceRefWithResolutionTest, HttpClientAdapterTest,
 * OperationStepExecutorTest (`with` rules) and
 * OperationStepExecutorBranchTest (unresolved body template).
 *
 * Where the reference is wrong we assert the correct behaviour:
 * - baseUri with a trailing slash: the reference refuses to load; we strip it
 *   (lint warns);
 * - binds reach consumes templates (the reference renders `{{REGISTRY_TOKEN}}`
 *   as empty) and client-level templated headers are rendered (the reference
 *   re-sets them raw: `Registry-Version: {{REGISTRY_VERSION}}`);
 * - query values are form-encoded, JSON body values JSON-escaped.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest, Reply } from '../../../helpers/echo-upstream.js';
import { BASE_HEADERS, startFixture, toolJson, wire, type Fixture } from '../harness.js';

const file = resolve(import.meta.dirname, 'capability.yaml');
const REGISTRY_HEADERS = { ...BASE_HEADERS, authorization: 'Bearer reg-token-5d1e7', 'registry-version': '2026-01-01' };
const SHIPS = [
  { imo_number: 'IMO-9321483', vessel_name: 'Northern Star', operational_status: 'active' },
  { imo_number: 'IMO-9400001', vessel_name: 'Old Timer', operational_status: 'retired' },
];
const VOYAGE = { voyageId: 'VOY-1', shipImo: 'IMO-9321483', departurePort: 'Oslo', arrivalPort: 'Singapore', departureDate: '2026-04-10', arrivalDate: '2026-05-02' };

function upstream(req: RecordedRequest): Reply {
  if (req.path === '/v1/ships') {
    const status = req.query.get('status');
    return { body: status ? SHIPS.filter((s) => s.operational_status === status) : SHIPS };
  }
  if (req.path.startsWith('/v1/ships/')) return { body: SHIPS.find((s) => req.path.endsWith(s.imo_number)) ?? {} };
  if (req.path === '/v1/voyages') return { status: 201, headers: { location: '/v1/voyages/VOY-1' }, body: VOYAGE };
  if (req.path.includes('/databases/')) return { body: { results: [{ id: 'p1', extra: 1 }, { id: 'p2' }] } };
  return { body: { ok: true } };
}

describe('conformance: reference engine cases', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ file, namespaces: ['registry', 'testns', 'notion', 'items'], handler: upstream });
  });
  afterAll(async () => f?.close());

  it('tutorial step 2/3: list with and without the optional filter, bearer from a YAML bind file, templated client header, trailing-slash baseUri', async () => {
    expect(toolJson(await f.tool('list-ships'))).toEqual([
      { imo: 'IMO-9321483', status: 'active' },
      { imo: 'IMO-9400001', status: 'retired' },
    ]);
    expect(wire(f.upstream.last())).toEqual({ method: 'GET', url: '/v1/ships', headers: REGISTRY_HEADERS, body: '' });
    expect(toolJson(await f.tool('list-ships', { status: 'active' }))).toEqual([{ imo: 'IMO-9321483', status: 'active' }]);
    expect(f.upstream.last().url).toBe('/v1/ships?status=active');
    const warning = f.rt.runtime.diagnostics.find((d) => d.code === 'baseuri-invalid');
    expect(warning?.severity).toBe('warning');
  });

  it('tool `with: {imo_number: "{{imo}}"}` renames an argument (ToolHandlerTest); REST path param through `with` (RestPathParamWithResolutionTest)', async () => {
    expect(toolJson(await f.tool('get-ship', { imo: 'IMO-9321483' }))).toEqual({ imo: 'IMO-9321483' });
    expect(f.upstream.last().url).toBe('/v1/ships/IMO-9321483');
    const res = await f.rest('/ships/IMO-9321483');
    expect(res.status).toBe(200);
    expect(f.upstream.last().url).toBe('/v1/ships/IMO-9321483');
  });

  it('tutorial step 6: raw JSON body with array arguments, nested outputs', async () => {
    const result = await f.tool('create-voyage', { shipImo: 'IMO-9321483', crewIds: ['c1', 'c2'], cargoIds: [], departure: '2026-04-10' });
    expect(result.isError).toBe(false);
    expect(toolJson(result)).toEqual({ voyageId: 'VOY-1', shipImo: 'IMO-9321483', route: { from: 'Oslo', to: 'Singapore' }, dates: { departure: '2026-04-10', arrival: '2026-05-02' } });
    const body = '{"shipImo": "IMO-9321483", "crewIds": ["c1","c2"], "cargoIds": [], "departure": "2026-04-10"}\n';
    expect(wire(f.upstream.last())).toEqual({
      method: 'POST',
      url: '/v1/voyages',
      headers: { ...REGISTRY_HEADERS, 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
    });
  });

  it('tutorial step 10 / RestNamespaceRefWithResolutionTest: namespace-qualified `with`, upstream 201 and body relayed; unresolved refs add nothing', async () => {
    const res = await f.rest('/voyages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ shipImo: 'IMO-9321483', crewIds: ['c1'], cargoIds: ['k1'], departure: '2026-04-10' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/v1/voyages/VOY-1');
    expect(await res.json()).toEqual(VOYAGE);
    expect(f.upstream.last().body.toString()).toBe('{"shipImo": "IMO-9321483", "crewIds": ["c1"], "cargoIds": ["k1"], "departure": "2026-04-10"}\n');
  });

  it('http-body: exposed body parameters by JSONPath into a raw JSON body; static client-level headers', async () => {
    await f.rest('/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":{"id":"123","name":"Alice"}}' });
    const body = '{"id":"123","name":"Alice"}';
    expect(wire(f.upstream.last())).toEqual({
      method: 'POST',
      url: '/users',
      headers: { ...BASE_HEADERS, 'x-api-key': 'ABC123', 'x-api-version': '2026-03-03', 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
    });
  });

  it('http-header-query: a query value templated from a body JSONPath is encoded, never quoted; a header from the request', async () => {
    await f.rest('/users/search', { method: 'POST', headers: { 'content-type': 'application/json', correlation: 'req-12345' }, body: '{"user":{"id":"999"}}' });
    expect(wire(f.upstream.last())).toMatchObject({ method: 'GET', url: '/users?q=999', headers: { 'x-api-key': 'ABC123' } });
    expect(f.upstream.last().headers['x-correlation-id']).toBe('req-12345');
    await f.rest('/users/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":{"id":"a \\"b\\"&c"}}' });
    expect(f.upstream.last().url).toBe('/users?q=a+%22b%22%26c');
  });

  it('a body template whose only variable is missing renders an empty JSON string (OperationStepExecutorBranchTest)', async () => {
    await f.rest('/orders/o-1', { method: 'POST' });
    expect(wire(f.upstream.last())).toMatchObject({ url: '/orders/o-1', body: '""', headers: { 'content-type': 'application/json' } });
  });

  it('mcp-capability: path without a leading slash, static `with` values (a number stays a number), raw JSON body, array mapping', async () => {
    expect(toolJson(await f.tool('query-database', { status: 'Done' }))).toEqual([{ id: 'p1' }, { id: 'p2' }]);
    expect(wire(f.upstream.last())).toMatchObject({
      method: 'POST',
      url: '/v1/databases/2fe4adce-3d02-8028-bec8-000bfb5cafa2/query',
      body: '{"filter": {"property": "Status", "select": {"equals": "Done"}}, "page_size": 25}\n',
    });
  });

  it('apikey in the query (HttpClientAdapterTest): /items?api_key=abc123', async () => {
    await f.rest('/items');
    expect(f.upstream.last().url).toBe('/items?api_key=abc123');
  });

  it('an unknown tool is a protocol error naming it (ToolHandlerTest)', async () => {
    await expect((await f.mcp()).callTool({ name: 'no-such-tool', arguments: {} })).rejects.toThrow(/Unknown tool: no-such-tool/);
  });
});
