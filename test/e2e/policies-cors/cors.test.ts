/**
 * CORS on the wire: preflights for declared paths are answered by the
 * runtime, answers to an allowed origin carry the CORS fields (errors
 * included, so a browser can read a 429 or 401), other origins get none, an
 * adapter without CORS is untouched, and credentials never meet `*`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicies } from '../../../src/policies/config.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { capabilityYaml, tempDir, type TempDir } from '../ops-helpers/fixtures.js';

const APP = 'https://app.example.com';

describe('CORS for REST adapters', () => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  let rt: TestRuntime;

  beforeAll(async () => {
    upstream = await startEchoUpstream(() => ({ body: { ok: true } }));
    dir = tempDir('policies-cors-');
    dir.write('web.yaml', capabilityYaml({ name: 'web', routes: ['/v1/web/items/{id}'], tools: [] }));
    dir.write('plain.yaml', capabilityYaml({ name: 'plain', tools: [] }));
    rt = await startTestRuntime({
      paths: [dir.path],
      upstream: { web: upstream.url, plain: upstream.url },
      policies: parsePolicies({
        cors: { origins: [APP], headers: ['x-api-key'], credentials: true, maxAgeSeconds: 120 },
        rateLimit: { enabled: false },
        overrides: [
          { match: { adapter: 'plain-rest' }, cors: { enabled: false } },
          { match: { adapter: 'web-rest' }, rateLimit: { requestsPerSecond: 0.01, burst: 1 } },
        ],
      }),
    });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
    dir?.cleanup();
  });

  const preflight = (path: string, origin: string, method = 'GET', headers?: string) =>
    fetch(`${rt.restUrl}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
    });

  it('answers a preflight for a declared path with the allow fields', async () => {
    const before = upstream.requests.length;
    const res = await preflight('/v1/web/items/42', APP, 'GET', 'x-api-key, content-type');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, HEAD');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, x-api-key');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-max-age')).toBe('120');
    expect(res.headers.get('vary')).toContain('Origin');
    expect(upstream.requests.length).toBe(before); // a preflight never reaches the upstream
  });

  it('says nothing to an unknown origin, a method the path does not serve, or an unlisted header', async () => {
    for (const res of [await preflight('/v1/web/items/42', 'https://evil.example'), await preflight('/v1/web/items/42', APP, 'DELETE'), await preflight('/v1/web/items/42', APP, 'GET', 'authorization')]) {
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('adds the fields to answers for an allowed origin — errors included — and never sends * with credentials', async () => {
    const ok = await fetch(`${rt.restUrl}/v1/web/items/1`, { headers: { origin: APP } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-expose-headers')).toContain('retry-after');
    expect(ok.headers.get('vary')).toBe('Origin');
    const limited = await fetch(`${rt.restUrl}/v1/web/items/1`, { headers: { origin: APP } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-allow-origin')).toBe(APP);
    const notAllowed = await fetch(`${rt.restUrl}/v1/web/items/1`, { method: 'DELETE', headers: { origin: APP } });
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers.get('access-control-allow-origin')).toBe(APP);
    const evil = await fetch(`${rt.restUrl}/v1/web/items/1`, { headers: { origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('vary')).toBe('Origin');
  });

  it('leaves an adapter without CORS (and requests without Origin) untouched', async () => {
    const res = await preflight('/v1/plain/items', APP);
    expect(res.status).toBe(405); // the runtime does not answer preflights for it: OPTIONS is just not a declared method
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${rt.restUrl}/v1/plain/items`, { headers: { origin: APP } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses `*` with credentials at startup', () => {
    expect(() => parsePolicies({ cors: { origins: ['*'], credentials: true } })).toThrow(/cannot be `\*` when `credentials: true`/);
  });
});
