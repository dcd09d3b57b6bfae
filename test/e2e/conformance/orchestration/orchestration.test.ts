/**
 * Orchestration (naftiko-core §6): call and lookup steps, step outputs used by
 * later steps (`{{step.field}}`) and by `mappings` (`$.step.field`, dotted
 * targets nest), consumed outputs augmenting array step outputs, the
 * answer-from-the-last-call fallback, and script steps refused.
 * Deliberate differences from the reference, asserted as correct:
 * - an upstream error in a call step ends the orchestration and is reported
 *   (the reference ignores the status and runs the next steps on nothing);
 * - lookup results are addressable by later templates too (`{{find-user.id}}`;
 *   the reference keeps them for `$.` paths only);
 * - script steps are never executed: the file is refused at load (lint
 *   `step-script-unsupported`), and the engine answers a clear "not supported"
 *   error if one is ever reached (unit test in src/engine/invocation.test.ts).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest, Reply } from '../../../helpers/echo-upstream.js';
import { startFixture, toolJson, type Fixture } from '../harness.js';

const file = resolve(import.meta.dirname, 'capability.yaml');

const SHIP = { imo_number: 'IMO-9321483', vessel_name: 'Northern Star', operational_status: 'active', assignedCrew: ['c1', 'c3'] };
const CREW = [
  { crewId: 'c1', fullName: 'Ada Lovelace', role: 'captain', rank: 1 },
  { crewId: 'c2', fullName: 'Bo Diddley', role: 'cook', rank: 5 },
  { crewId: 'c3', fullName: 'Cy Young', role: 'engineer', rank: 2 },
];
const SHIPS = [
  { imo_number: 'IMO-1', name: 'Aurora' },
  { imo_number: 'IMO-9321483', name: 'Northern Star' },
];

function registry(req: RecordedRequest): Reply {
  const path = req.path.replace(/^\/v1/, '');
  if (path === '/ships/IMO-9321483') return { body: SHIP };
  if (path.startsWith('/ships/')) return { status: 404, body: { error: 'not_found' } };
  if (path === '/ships') return { body: SHIPS };
  if (path === '/crew') return { body: CREW };
  if (path === '/voyages/VOY-2026-042') return { body: { voyageId: 'VOY-2026-042', shipImo: 'IMO-9321483', departurePort: 'Oslo', arrivalPort: 'Singapore' } };
  if (path === '/users') return { body: [{ id: 'u-1', email: 'a@example.com' }, { id: 'u-2', email: 'b@example.com' }] };
  if (path === '/profiles/u-2') return { body: { location: { region: 'eu' }, name: 'B' } };
  if (path.startsWith('/echo/')) return { body: { path: req.path } };
  return { status: 500, body: { unexpected: req.path } };
}

describe('conformance: orchestration', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ file, namespaces: ['registry'], handler: registry });
  });
  afterAll(async () => f?.close());

  const calls = (before: number) => f.upstream.requests.slice(before).map((r) => `${r.method} ${r.url}`);

  it('call → call → multi-value lookup → mappings (tutorial step 7), on MCP and REST', async () => {
    const before = f.upstream.requests.length;
    const result = await f.tool('get-ship-with-crew', { imo: 'IMO-9321483' });
    expect(result.isError).toBe(false);
    expect(toolJson(result)).toEqual({
      imo: 'IMO-9321483',
      name: 'Northern Star',
      status: 'active',
      crew: [
        { fullName: 'Ada Lovelace', role: 'captain' },
        { fullName: 'Cy Young', role: 'engineer' },
      ],
    });
    expect(calls(before)).toEqual(['GET /v1/ships/IMO-9321483', 'GET /v1/crew']);
    const res = await f.rest('/ships/IMO-9321483/with-crew');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ imo: 'IMO-9321483', crew: [{ fullName: 'Ada Lovelace' }, { fullName: 'Cy Young' }] });
  });

  it('namespace-qualified step `with`, consumed outputs augmenting an array step output, lookup on the added field, nested mapping targets (tutorial step 11)', async () => {
    const before = f.upstream.requests.length;
    expect(toolJson(await f.tool('get-voyage-manifest', { voyageId: 'VOY-2026-042' }))).toEqual({
      voyage: { id: 'VOY-2026-042', route: { from: 'Oslo', to: 'Singapore' } },
      ship: { name: 'Northern Star', 'imo-number': 'IMO-9321483' },
      fleet: [
        { imo_number: 'IMO-1', name: 'Aurora', 'imo-number': 'IMO-1' },
        { imo_number: 'IMO-9321483', name: 'Northern Star', 'imo-number': 'IMO-9321483' },
      ],
    });
    expect(calls(before)).toEqual(['GET /v1/voyages/VOY-2026-042', 'GET /v1/ships']);
  });

  it('lookup by a template value; a projected step output feeds a later step path ({{step.field}})', async () => {
    const before = f.upstream.requests.length;
    expect(toolJson(await f.tool('user-region-echo', { targetEmail: 'b@example.com' }))).toEqual({ userId: 'u-2', profile: { region: 'eu' }, echoed: '/v1/echo/eu' });
    expect(calls(before)).toEqual(['GET /v1/users', 'GET /v1/profiles/u-2', 'GET /v1/echo/eu']);
  });

  it('without mappings, the last call answers', async () => {
    expect(toolJson(await f.tool('last-call', { imo: 'IMO-9321483' }))).toEqual(SHIP);
  });

  it('an upstream error in a step stops the orchestration and is reported', async () => {
    const before = f.upstream.requests.length;
    const result = await f.tool('get-ship-with-crew', { imo: 'IMO-0' });
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toBe('The upstream call registry.get-ship failed with HTTP 404. Response body: {"error":"not_found"}');
    expect(calls(before)).toEqual(['GET /v1/ships/IMO-0']);
    const res = await f.rest('/ships/IMO-0/with-crew');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found' });
  });

  it('script steps are refused at load (a runtime that cannot run a step does not pretend to serve it)', async () => {
    await expect(startFixture({ file: resolve(import.meta.dirname, 'scripted/capability.yaml') })).rejects.toThrow(/step-script-unsupported/);
  });
});
