/**
 * Output mapping (naftiko-core §5.3–§5.6). Deliberate differences from the
 * reference, asserted as the correct behaviour:
 * - an object's own `mapping` is the base of its `properties` (the reference
 *   ignores it, and returns the raw sub-tree for nested objects with a mapping);
 * - declared scalar types coerce lossless strings, `type: string` stringifies
 *   numbers; `const` is the value of an output with no mapping/value;
 * - `value` templates are rendered in call mode too (the reference returns the
 *   raw template text there), and keep the value's type for a lone variable;
 * - several *named* exposed outputs make one object (the reference keeps the
 *   first non-null one); unnamed ones are still alternatives;
 * - a consumed `{name: result, type: object, value: $.}` is a passthrough (the
 *   reference maps it to `{}`), and consumed named outputs shape the answer
 *   when the exposed unit declares none (the reference ignores them in call mode).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, toolJson, type Fixture } from '../harness.js';

const file = resolve(import.meta.dirname, 'capability.yaml');

const SHIP = {
  imo_number: 'IMO-9321483',
  vessel_name: 'Northern Star',
  operational_status: 'active',
  year_built: 2015,
  gross_tonnage: 42000,
  tonnage_text: '42000',
  flagged: 'true',
  dimensions: { length_overall: 229, beam: 32 },
  crew: [
    { name: 'Ada', role: 'captain', years: 12 },
    { name: 'Bo', role: 'engineer', years: 3 },
    { name: 'Cy', years: 7 },
  ],
  certificates: { safety: { expires: '2027-01-01' }, class: { expires: '2026-06-30' } },
};
/** Exactly the bytes the upstream sends for a ship (odd spacing on purpose). */
const SHIP_TEXT = JSON.stringify(SHIP, null, 1);

describe('conformance: output mapping', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({
      file,
      namespaces: ['registry'],
      handler: (req) =>
        req.path === '/users'
          ? { body: { users: [{ id: 'u-1' }, { id: 'u-2' }] } }
          : { headers: { 'content-type': 'application/json; charset=utf-8' }, body: SHIP_TEXT },
    });
  });
  afterAll(async () => f?.close());

  const json = async (path: string) => {
    const res = await f.rest(path);
    expect(res.status, path).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    return res.json();
  };

  it('nested objects without a mapping read from the same root (reference NestedObjectOutputMappingIntegrationTest)', async () => {
    expect(await json('/ships/IMO-9321483/nested')).toEqual({
      imo: 'IMO-9321483',
      name: 'Northern Star',
      status: 'active',
      specs: { yearBuilt: 2015, tonnage: 42000, length: 229 },
    });
    expect(f.upstream.last().url).toBe('/ships/IMO-9321483');
    expect(toolJson(await f.tool('get-ship', { imo: 'IMO-9321483' }))).toEqual({ imo: 'IMO-9321483', specs: { length: 229 } });
  });

  it('every output kind: value template, const, coercion, maxLength, missing → null, object base mapping, arrays with items, filters, values maps', async () => {
    expect(await json('/ships/IMO-1/kinds')).toEqual({
      label: 'Ship IMO-1',
      kind: 'vessel',
      yearAsText: '2015',
      tonnageFromText: 42000,
      flagged: true,
      shortName: 'Northern',
      missing: null,
      dims: { length: 229 },
      crewNames: ['Ada', 'Bo', 'Cy'],
      crew: [
        { name: 'Ada', role: 'captain' },
        { name: 'Bo', role: 'engineer' },
        { name: 'Cy', role: null },
      ],
      seniorCrew: ['Ada', 'Cy'],
      certificates: { safety: '2027-01-01', class: '2026-06-30' },
    });
  });

  it('several unnamed outputs: the first non-null wins', async () => {
    expect(await json('/ships/IMO-1/first')).toBe('Northern Star');
  });

  it('several named outputs: one object keyed by name', async () => {
    expect(await json('/ships/IMO-1/named')).toEqual({ imo: 'IMO-9321483', year: 2015 });
  });

  it('one output mapping to a string: the JSON text of that string', async () => {
    const res = await f.rest('/users/first-id');
    expect(await res.text()).toBe('"u-1"');
  });

  it('no outputs anywhere: the upstream body is passed through byte for byte with its media type', async () => {
    const res = await f.rest('/ships/IMO-1/raw');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.text()).toBe(SHIP_TEXT);
  });

  it('consumed outputs shape the answer when the exposed unit declares none; `value: $.` passes the body through', async () => {
    expect(await json('/ships/IMO-1/projected')).toEqual({ imo: 'IMO-9321483', length: 229 });
    expect(f.upstream.last().url).toBe('/ships/IMO-1/projected');
    const whole = await f.rest('/ships/IMO-1/whole');
    expect(await whole.text()).toBe(SHIP_TEXT);
  });

  it('mock outputs (no call): an object keyed by name, values rendered, empty ones left out; no upstream request', async () => {
    const before = f.upstream.requests.length;
    expect(await json('/hello?name=Nina')).toEqual({ message: 'Hello, Nina!', source: 'mock' });
    expect(toolJson(await f.tool('mock-ship', { imo_number: 'IMO-9321483' }))).toEqual({ imo: 'IMO-9321483', name: 'Northern Star', type: 'cargo', flag: 'NO', status: 'active' });
    expect(f.upstream.requests.length).toBe(before);
  });

  it('template rules: missing variables render empty, lists render as JSON, non-ASCII kept', async () => {
    expect(toolJson(await f.tool('templates', { name: 'alice ✓', ids: ['a', 'b'] }))).toEqual({ greeting: 'hello alice ✓/', list: 'ids: ["a","b"]' });
  });
});
