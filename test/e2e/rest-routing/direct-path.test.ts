/**
 * The direct path (src/http/direct.ts) answers plain requests without hono's
 * Request/Context; unusual ones take the hono app. Both must answer alike:
 * this test sends each request in a plain form (direct) and in a form only
 * the hono path takes (percent-encoded path, HEAD, odd Host, unknown path),
 * and compares what the upstream and the caller see.
 */
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const CAPABILITY = `naftiko: 1.0.0-alpha2
info: { label: direct, description: direct path parity }
capability:
  consumes:
    - type: http
      namespace: backend
      baseUri: https://backend.invalid
      resources:
        - name: thing
          path: /things/{id}
          operations:
            - { name: getThing, method: GET }
            - { name: putThing, method: PUT, inputParameters: [{ name: body, in: body, type: object }] }
  exposes:
    - type: rest
      namespace: direct-rest
      port: 8080
      resources:
        - path: /v1/things/{id}
          name: thing
          description: one thing
          operations:
            - { method: GET, name: get, description: read, call: backend.getThing, with: { id: rest.path.id } }
            - { method: PUT, name: put, description: write, call: backend.putThing, with: { id: rest.path.id, body: rest.body } }
`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(url: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('REST direct path and hono path answer alike', () => {
  let dir: string;
  let up: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'direct-path-'));
    await writeFile(join(dir, 'direct.yaml'), CAPABILITY);
    up = await startEchoUpstream((req) => ({ body: { path: req.path, method: req.method, body: req.body } }));
    rt = await startTestRuntime({ paths: [dir], upstream: { backend: up.url } });
  });
  afterAll(async () => {
    await rt?.close();
    await up?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a plain path and its percent-encoded twin reach the same route with the same decoded parameter', async () => {
    const plain = await send(rt.restUrl, '/v1/things/abc');
    const encoded = await send(rt.restUrl, '/v1/things/ab%63');
    expect(plain.status).toBe(200);
    expect(JSON.parse(encoded.body)).toEqual(JSON.parse(plain.body));
    expect(JSON.parse(plain.body)).toMatchObject({ path: '/things/abc', method: 'GET' });
  });

  it('trailing slash, body, 405 and 404 are the same on both paths', async () => {
    expect(JSON.parse((await send(rt.restUrl, '/v1/things/abc/')).body)).toMatchObject({ path: '/things/abc' });
    const put = await send(rt.restUrl, '/v1/things/x', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(put.status).toBe(200);
    expect(JSON.parse(put.body)).toMatchObject({ method: 'PUT', path: '/things/x' });
    const refusedPlain = await send(rt.restUrl, '/v1/things/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const refusedEncoded = await send(rt.restUrl, '/v1/things/%78', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([refusedPlain.status, refusedEncoded.status]).toEqual([405, 405]);
    expect(refusedPlain.headers.allow).toBe(refusedEncoded.headers.allow);
    expect((await send(rt.restUrl, '/v1/nothing-here')).status).toBe(404);
  });

  it('HEAD, dot segments and an odd Host take the hono path and answer as before', async () => {
    const head = await send(rt.restUrl, '/v1/things/abc', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const dots = await send(rt.restUrl, '/v1/other/../things/abc');
    expect(JSON.parse(dots.body)).toMatchObject({ path: '/things/abc' });
    // A Host the direct path does not take as plain gets hono's checks (and the guard's answer).
    const port = new URL(rt.restUrl).port;
    const odd = await send(rt.restUrl, '/v1/things/abc', { headers: { host: `EVIL.example:${port}` } });
    expect(odd.status).toBe(400);
  });

  it('every request of the plain kind answers with a request id, as on the hono path', async () => {
    const plain = await send(rt.restUrl, '/v1/things/abc');
    const encoded = await send(rt.restUrl, '/v1/things/ab%63');
    expect(plain.headers['x-request-id']).toBeTruthy();
    expect(encoded.headers['x-request-id']).toBeTruthy();
  });
});
