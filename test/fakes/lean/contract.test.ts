/**
 * The sandbox's contract mode: requests are checked against Lean's OpenAPI
 * documents; each kind of violation is a 400 naming the reason and is
 * journaled; valid requests pass, and operations the sandbox does not
 * simulate answer with the documented example.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasLeanOpenApi, LEAN_IDS, startLeanSandbox, type LeanSandbox } from './index.js';

const skip = !hasLeanOpenApi();
if (skip) console.warn('../shared/lean/openapi not found: the sandbox contract tests are skipped');

describe.skipIf(skip)('Lean sandbox, contract mode', () => {
  let lean: LeanSandbox;
  let token: string;
  beforeAll(async () => {
    lean = await startLeanSandbox({ contract: true });
    token = await lean.issueToken();
  });
  afterAll(async () => {
    await lean?.close();
  });

  async function call(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) {
    const res = await fetch(`${lean.apiUrl}${path}`, { method, body: init.body, headers: { authorization: `Bearer ${token}`, ...init.headers } });
    const text = await res.text();
    const entry = lean.journal.at(-1)!;
    return { status: res.status, text, entry };
  }

  it('loads the 76 distinct documented operations', () => {
    expect(lean.contract!.operations).toHaveLength(76);
  });

  it('accepts a valid request', async () => {
    const r = await call('GET', `/data/v2/accounts?entity_id=${LEAN_IDS.entities.E_OK}&page=0&size=10`);
    expect(r.status).toBe(200);
    expect(r.entry.contract).toEqual({ operationId: 'fetchAccountsV2', document: 'lean-data-openapi.yml', ok: true });
  });

  it.each([
    ['an unknown path', 'GET', '/data/v2/nothing-here', {}, /no operation GET \/data\/v2\/nothing-here/],
    ['a missing required parameter', 'GET', '/customers/v1/entities?start_date=2026-01-01', {}, /missing required query parameter `end_date`/],
    ['a wrong parameter type', 'GET', `/data/v2/accounts?entity_id=${LEAN_IDS.entities.E_OK}&page=first`, {}, /query parameter `page`: .*must be integer/],
    ['a wrong content type', 'POST', '/payments/v1/intents', { body: 'customer_id=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, /content type `application\/x-www-form-urlencoded` is not accepted/],
    ['a body that does not match its schema', 'POST', '/payouts/refunds', { body: JSON.stringify({ payment_id: 'x' }), headers: { 'content-type': 'application/json' } }, /body.* must be array/],
    ['a missing required header', 'POST', '/payments/v1/account-on-file', { body: '{}', headers: { 'content-type': 'application/json' } }, /missing required header parameter `Idempotency-Key`/],
  ] as const)('refuses %s with 400 and the reason, journaled', async (_what, method, path, init, reason) => {
    const r = await call(method, path, init);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ status: 'INVALID_PARAMETERS' });
    expect(r.text).toMatch(reason);
    expect(r.entry.contract?.ok).toBe(false);
    expect(r.entry.contract?.errors?.join('; ')).toMatch(reason);
  });

  it('answers a documented operation it does not simulate with the documented example', async () => {
    const r = await call('GET', '/events/v1?page=0&size=10');
    expect(r.status).toBe(200);
    expect(r.entry.documentedExample).toBe(true);
    expect(r.entry.contract?.ok).toBe(true);
  });
});
