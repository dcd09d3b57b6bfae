/**
 * `forward` on a REST resource: method, rest of the path, query and body go to
 * the consumed API; only trusted headers are copied; the API's own credential
 * is added; the upstream answer comes back as it was.
 */
import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const TOKEN = 'backend-token-5e7a11';

describe('REST forward', () => {
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    upstream = await startEchoUpstream((req) => (req.path.endsWith('/missing') ? { status: 404, body: { error: 'nope' } } : { status: 201, headers: { 'retry-after': '3' }, body: { seen: req.path } }));
    rt = await startTestRuntime({ paths: [resolve(import.meta.dirname, 'capability.yaml')], upstream: { backend: upstream.url }, env: { BACKEND_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
  });

  it('forwards method, nested path, query and body with trusted headers and the API credential', async () => {
    const res = await fetch(`${rt.restUrl}/v1/backend/orders/42/lines?limit=5&tag=a&tag=b`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-trace-id': 't-1', cookie: 'session=secret', authorization: 'Bearer caller-token' },
      body: JSON.stringify({ qty: 2 }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ seen: '/api/orders/42/lines' });
    const sent = upstream.last();
    expect(sent.method).toBe('PATCH');
    expect(sent.url).toBe('/api/orders/42/lines?limit=5&tag=a&tag=b');
    expect(sent.headers['x-trace-id']).toBe('t-1');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers.cookie).toBeUndefined();
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.body.toString()).toBe('{"qty":2}');
  });

  it('relays upstream errors as they are', async () => {
    const res = await fetch(`${rt.restUrl}/v1/backend/missing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'nope' });
  });

  it('never lets dot segments climb above the API base path', async () => {
    // fetch() would normalise the path first; send it raw, as an attacker would.
    const raw = (path: string) =>
      new Promise<number>((done, fail) => {
        const req = request(`${rt.restUrl}${path}`, (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        });
        req.on('error', fail);
        req.end();
      });
    // The request URL is normalised before routing: dot segments resolve inside the proxied prefix…
    expect(await raw('/v1/backend/a/%2E%2E/secret')).toBe(201);
    expect(upstream.last().url).toBe('/api/secret');
    // …and one that would leave it no longer matches the forward route at all.
    const before = upstream.requests.length;
    expect(await raw('/v1/backend/%2e%2e/%2e%2e/etc')).toBe(404);
    expect(upstream.requests.length).toBe(before);
    for (const r of upstream.requests) expect(r.url.startsWith('/api/')).toBe(true);
    // A segment that cannot be decoded is refused before anything is sent.
    expect(await raw('/v1/backend/a/%ZZ')).toBe(400);
    expect(upstream.requests.length).toBe(before);
  });
});
