/**
 * `forward` never relays the caller's credential for the gateway (issue 11
 * item 10), relays only standard methods, and decodes the forwarded path
 * exactly once (issue 11, Low).
 */
import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const GATEWAY_KEY = 'gateway-inbound-key-31f0';
const BACKEND_TOKEN = 'backend-outbound-key-8a2c';

describe('forward and inbound credentials', () => {
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    upstream = await startEchoUpstream((req) => ({ body: { seen: req.url } }));
    rt = await startTestRuntime({
      paths: [resolve(import.meta.dirname, 'capability.yaml')],
      upstream: { backend: upstream.url },
      env: { GATEWAY_KEY, BACKEND_TOKEN },
    });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
  });

  const everything = () => JSON.stringify(upstream.requests.map((r) => ({ url: r.url, headers: r.headers, body: r.body.toString() })));

  it('strips an inbound API key sent in the query before the upstream call', async () => {
    const res = await fetch(`${rt.restUrl}/q/orders?api_key=${GATEWAY_KEY}&limit=5`, { headers: { 'x-trace-id': 't-1' } });
    expect(res.status).toBe(200);
    const sent = upstream.last();
    expect(sent.url).toBe('/api/orders?limit=5');
    expect(sent.headers['x-backend-key']).toBe(BACKEND_TOKEN);
    expect(sent.headers['x-trace-id']).toBe('t-1');
    expect(everything()).not.toContain(GATEWAY_KEY);
  });

  it('strips an inbound API key header even when the file lists it as trusted', async () => {
    const res = await fetch(`${rt.restUrl}/h/orders`, { headers: { 'x-gateway-key': GATEWAY_KEY, 'x-trace-id': 't-2', authorization: 'Bearer caller' } });
    expect(res.status).toBe(200);
    const sent = upstream.last();
    expect(sent.headers['x-gateway-key']).toBeUndefined();
    expect(sent.headers.authorization).toBe('Bearer caller'); // not this adapter's credential: trusted, relayed
    expect(everything()).not.toContain(GATEWAY_KEY);
  });

  it('relays only standard methods', async () => {
    const before = upstream.requests.length;
    const raw = (method: string) =>
      new Promise<{ status: number; allow?: string }>((done, fail) => {
        const req = request(`${rt.restUrl}/h/orders`, { method, headers: { 'x-gateway-key': GATEWAY_KEY } }, (res) => {
          res.resume();
          done({ status: res.statusCode ?? 0, allow: res.headers.allow });
        });
        req.on('error', fail);
        req.end();
      });
    for (const method of ['TRACE', 'PROPFIND', 'MKCOL']) {
      const res = await raw(method);
      expect(res.status).toBe(405);
      expect(res.allow).toContain('PATCH');
    }
    expect(upstream.requests.length).toBe(before);
    for (const method of ['OPTIONS', 'PATCH', 'DELETE']) expect((await raw(method)).status).toBe(200);
  });

  it('decodes %252F once: the upstream gets the text %2F, encoded (%252F), not a slash', async () => {
    const res = await fetch(`${rt.restUrl}/h/files/a%252Fb`, { headers: { 'x-gateway-key': GATEWAY_KEY } });
    expect(res.status).toBe(200);
    expect(upstream.last().url).toBe('/api/files/a%252Fb');
    // An encoded slash stays one segment.
    await fetch(`${rt.restUrl}/h/files/a%2Fb`, { headers: { 'x-gateway-key': GATEWAY_KEY } });
    expect(upstream.last().url).toBe('/api/files/a%2Fb');
  });
});
