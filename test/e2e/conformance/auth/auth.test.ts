/**
 * Consumed authentication (naftiko-core §4.5) with values from binds
 * (environment and a dotenv file relative to the capability). Differences
 * from the reference, asserted here as the correct behaviour:
 * - bind variables reach auth templates (the reference injects none, §2.3);
 * - an apikey header named `Authorization` is sent (Restlet drops it, §0.9);
 * - apikey query values are percent-encoded (the reference appends them raw);
 * - basic/digest passwords are the real password (alpha2 renders `[C@…`);
 * - digest answers the server's challenge (RFC 7616) instead of a
 *   pre-emptive header without a nonce.
 */
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest, Reply } from '../../../helpers/echo-upstream.js';
import { BASE_HEADERS, startFixture, wire, type Fixture } from '../harness.js';

const file = resolve(import.meta.dirname, 'capability.yaml');
const TOKEN = 'lean-token-canary-91b2';
const DIGEST_PASSWORD = 'Circle Of Life';

/** A digest-protected endpoint: challenges, then verifies the response hash (RFC 7616, qop=auth). */
function digestEndpoint(req: RecordedRequest, nonces: Set<string>): Reply {
  const algorithm = req.path.split('/').pop() === 'SHA-256' ? 'SHA-256' : 'MD5';
  const hash = (s: string) => createHash(algorithm === 'SHA-256' ? 'sha256' : 'md5').update(s).digest('hex');
  const realm = 'api@digest.invalid';
  const challenge = () => {
    const nonce = randomBytes(12).toString('hex');
    nonces.add(nonce);
    return { status: 401, headers: { 'www-authenticate': `Digest realm="${realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${nonce}", opaque="op4que"` }, body: { error: 'challenge' } };
  };
  const header = String(req.headers.authorization ?? '');
  if (!header.startsWith('Digest ')) return challenge();
  const p: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p[m[1]!] = m[2] ?? m[3] ?? '';
  const expected = hash(`${hash(`${p.username}:${realm}:${DIGEST_PASSWORD}`)}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${hash(`${req.method}:${p.uri}`)}`);
  const ok = p.username === 'Mufasa' && p.realm === realm && nonces.has(p.nonce!) && p.uri === req.url && p.qop === 'auth' && p.opaque === 'op4que' && p.algorithm === algorithm && p.response === expected;
  return ok ? { body: { authenticated: true, algorithm } } : challenge();
}

describe('conformance: consumed authentication', () => {
  let f: Fixture;
  const nonces = new Set<string>();
  beforeAll(async () => {
    f = await startFixture({
      file,
      namespaces: ['lean', 'dock', 'query', 'bearer', 'basic', 'digest'],
      env: { LEAN_API_TOKEN: TOKEN, DIGEST_PASSWORD },
      handler: (req) => {
        if (req.path.startsWith('/digest/')) return digestEndpoint(req, nonces);
        if (req.path === '/basic') return { body: { echoed: req.headers.authorization } };
        return { body: { ok: true } };
      },
    });
  });
  afterAll(async () => f?.close());

  it('apikey in the Authorization header, from {{env.VAR}}', async () => {
    expect((await f.rest('/lean')).status).toBe(200);
    expect(wire(f.upstream.last())).toEqual({ method: 'GET', url: '/apikey-authorization', headers: { ...BASE_HEADERS, authorization: `Bearer ${TOKEN}` }, body: '' });
  });

  it('apikey in a custom header, from a dotenv bind file relative to the capability ({{bindNamespace.VAR}})', async () => {
    await f.rest('/dock');
    expect(wire(f.upstream.last())).toEqual({ method: 'GET', url: '/apikey-header', headers: { ...BASE_HEADERS, 'x-dock-key': 'dock-key-2f9c' }, body: '' });
  });

  it('apikey in the query string, percent-encoded, after the resource path query', async () => {
    await f.rest('/query');
    expect(f.upstream.last().url).toBe('/apikey-query?page=1&api_key=dock-key-2f9c%2B%26x');
  });

  it('bearer', async () => {
    await f.rest('/bearer');
    expect(f.upstream.last().headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('basic, with the encoded credential redacted wherever it would leave the runtime', async () => {
    const credential = Buffer.from('ops:p@ss word:1').toString('base64');
    const res = await f.rest('/basic');
    expect(f.upstream.last().headers.authorization).toBe(`Basic ${credential}`);
    const text = await res.text();
    expect(text).not.toContain(credential);
    expect(JSON.parse(text)).toEqual({ echoed: 'Basic [REDACTED]' });
    const tool = await f.tool('basic');
    expect(JSON.stringify(tool)).not.toContain(credential);
    for (const line of f.rt.logs) expect(line).not.toContain(credential);
  });

  it.each(['MD5', 'SHA-256'])('digest %s: answers the real challenge; the upstream verifies the response hash', async (algorithm) => {
    const before = f.upstream.requests.length;
    const res = await f.rest(`/digest/${algorithm}`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ authenticated: true, algorithm });
    const [first, second] = f.upstream.requests.slice(before);
    expect(f.upstream.requests.length - before).toBe(2);
    expect(first!.headers.authorization).toBeUndefined();
    expect(String(second!.headers.authorization)).toMatch(/^Digest username="Mufasa", realm="api@digest.invalid", nonce="[0-9a-f]+", uri="\/digest\//);
    // The retried request is the same request: method, URL and body bytes.
    expect({ ...wire(second!), headers: {} }).toEqual({ ...wire(first!), headers: {} });
    expect(second!.body.toString()).toBe('{"hello":"world"}');
  });

  it('digest with a wrong password: the upstream 401 is relayed (REST) and an error (MCP)', async () => {
    const wrong = await startFixture({ file, namespaces: ['digest'], env: { LEAN_API_TOKEN: TOKEN, DIGEST_PASSWORD: 'wrong password' }, handler: (req) => digestEndpoint(req, nonces) });
    try {
      const res = await wrong.rest('/digest/MD5', { method: 'POST' });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'challenge' });
      expect(wrong.upstream.requests.length).toBe(2); // one challenge, one answer: no loop
      const tool = await wrong.tool('digest', { algorithm: 'MD5' });
      expect(tool.isError).toBe(true);
      expect(tool.content[0]!.text).toContain('HTTP 401');
    } finally {
      await wrong.close();
    }
  });
});
