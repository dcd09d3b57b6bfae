/**
 * The upstream client's policies against real local servers: one total
 * deadline, a bounded and fair queue, retries (idempotent only, budgeted,
 * Retry-After), the circuit breaker and the response cache.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.js';
import { UpstreamClient, type UpstreamClientOptions, type UpstreamRequest } from './client.js';
import { resolvePolicies, type PartialUpstreamPolicies } from './policies.js';
import type { UpstreamObserver } from './metrics.js';

interface Fake {
  url: string;
  hits: { method: string; path: string; headers: IncomingMessage['headers'] }[];
  /** Requests held open by the handler (`hold`), answered by `releaseAll`. */
  held: ServerResponse[];
  releaseAll(): void;
  /** Resolves once `n` requests arrived. */
  arrived(n: number): Promise<void>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, fake: Fake) => void;

async function fake(handler: Handler): Promise<Fake> {
  const waiters: { n: number; resolve: () => void }[] = [];
  const f: Fake = {
    url: '',
    hits: [],
    held: [],
    releaseAll() {
      for (const res of f.held.splice(0)) if (!res.writableEnded) res.end('{"released":true}');
    },
    arrived(n) {
      if (f.hits.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    close: async () => {
      f.releaseAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    req.resume();
    f.hits.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    for (const w of waiters.filter((x) => f.hits.length >= x.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    handler(req, res, f);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  f.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return f;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function client(options: UpstreamClientOptions = {}): UpstreamClient {
  const c = new UpstreamClient({ random: () => 0, ...options });
  cleanup.push(() => c.close());
  return c;
}

async function server(handler: Handler): Promise<Fake> {
  const f = await fake(handler);
  cleanup.push(() => f.close());
  return f;
}

const get = (base: string, path = '/', headers: Record<string, string> = {}): UpstreamRequest => ({ method: 'GET', url: new URL(path, base), headers });
const policies = (p: PartialUpstreamPolicies) => resolvePolicies(p);

describe('one total deadline per call (issue 11 item 6)', () => {
  it('bounds the whole call, not the gap between chunks: a dripping upstream is cut at the deadline', async () => {
    // Headers at once, then a byte every 50 ms for 5 s: each gap is far below the 400 ms deadline.
    const up = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let n = 0;
      const timer = setInterval(() => {
        if (res.destroyed || ++n > 100) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write('x');
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    const c = client({ timeoutMs: 400 });
    const error = await c.send(get(up.url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect((error as Error).message).toContain('400 ms');
  });

  it('counts the wait for a connection: a queued call times out with the call deadline', async () => {
    const up = await server((_req, res, f) => f.held.push(res));
    const c = client({ connections: 2 });
    // The operation's share is one socket: the second call waits for it, and its deadline runs meanwhile.
    const first = c.send(get(up.url, '/a'), { traits: { operation: 'a' }, policies: policies({ timeouts: { totalMs: 10_000 } }) }).then((r) => r.status);
    const second = await c.send(get(up.url, '/a'), { traits: { operation: 'a' }, policies: policies({ timeouts: { totalMs: 300 } }) }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(UpstreamTimeoutError);
    expect((second as Error).message).toContain('busy');
    expect(up.hits).toHaveLength(1);
    up.releaseAll();
    expect(await first).toBe(200);
  });

  it('refuses calls beyond the bounded queue at once with 503 and Retry-After', async () => {
    const up = await server((_req, res, f) => f.held.push(res));
    const c = client({ connections: 4, policies: { timeouts: { totalMs: 10_000, queueMax: 4 } } });
    const traits = { operation: 'hanging' };
    const calls = Array.from({ length: 8 }, () => c.send(get(up.url, '/hang'), { traits }).then(
      (r) => r.status,
      (e: unknown) => e,
    ));
    await up.arrived(2); // the operation's share: 2 of 4 sockets
    const refused = (await Promise.race([Promise.all(calls.slice(4)), new Promise((r) => setImmediate(r, 'pending'))])) as unknown[];
    expect(refused).not.toBe('pending');
    for (const e of refused) {
      expect(e).toBeInstanceOf(UpstreamUnavailableError);
      expect((e as UpstreamUnavailableError).status).toBe(503);
      expect((e as UpstreamUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    up.releaseAll();
    await up.arrived(4);
    up.releaseAll();
    expect(await Promise.all(calls.slice(0, 4))).toEqual([200, 200, 200, 200]);
  });

  it('a hanging operation does not starve another operation on the same origin', async () => {
    const up = await server((req, res, f) => (req.url === '/fast' ? json(res, 200, { fast: true }) : f.held.push(res)));
    const c = client({ connections: 4, policies: { timeouts: { totalMs: 10_000, queueMax: 64 } } });
    const hanging = Array.from({ length: 20 }, () => c.send(get(up.url, '/hang'), { traits: { operation: 'slow' } }).catch((e: unknown) => e));
    await up.arrived(2);
    let settled = 0;
    for (const h of hanging) void h.then(() => settled++);
    // Undici's own queue would put this behind all 20 hanging calls; the fair share keeps sockets free for it.
    const fast = await c.send(get(up.url, '/fast'), { traits: { operation: 'fast' } });
    expect(fast.status).toBe(200);
    expect(settled).toBe(0);
    expect(up.hits.filter((h) => h.path === '/hang')).toHaveLength(2);
    // Release in rounds: every hanging call is answered in the end (round robin, nothing lost).
    while (up.hits.filter((h) => h.path === '/hang').length < 20) {
      const seen = up.hits.length;
      up.releaseAll();
      await up.arrived(seen + 1);
    }
    up.releaseAll();
    for (const r of await Promise.all(hanging)) expect((r as { status: number }).status).toBe(200);
  });

  it('keeps a bounded number of origin pools', async () => {
    const ups = await Promise.all([0, 1, 2].map(() => server((_req, res) => json(res, 200, {}))));
    const c = client({ maxOrigins: 2 });
    for (const up of ups) expect((await c.send(get(up.url))).status).toBe(200);
    expect(c.originCount).toBe(2);
    expect((await c.send(get(ups[0]!.url))).status).toBe(200); // an evicted origin comes back
  });
});

describe('retries (issue 14 item 1)', () => {
  const flapping = (failures: number, status = 503, headers: Record<string, string> = {}) => {
    let n = 0;
    return (_req: IncomingMessage, res: ServerResponse) => (n++ < failures ? json(res, status, { n }, headers) : json(res, 200, { ok: true }));
  };
  const quick = policies({ retry: { baseDelayMs: 1, maxDelayMs: 5 } });

  it('retries an idempotent GET on 503/502/504/429 until it succeeds', async () => {
    for (const status of [503, 502, 504, 429]) {
      const up = await server(flapping(2, status));
      const r = await client().send(get(up.url), { policies: quick });
      expect(r.status).toBe(200);
      expect(r.attempts).toBe(3);
      expect(up.hits).toHaveLength(3);
    }
  });

  it('never retries a POST, unless it carries an Idempotency-Key or is declared idempotent', async () => {
    const up = await server(flapping(1));
    const c = client();
    const post = (headers: Record<string, string> = {}) => ({ method: 'POST', url: new URL('/pay', up.url), headers, body: '{}' });
    expect((await c.send(post(), { policies: quick })).status).toBe(503);
    expect(up.hits).toHaveLength(1);
    const up2 = await server(flapping(1));
    expect((await c.send({ ...post({ 'idempotency-key': 'k-1' }), url: new URL('/pay', up2.url) }, { policies: quick })).status).toBe(200);
    expect(up2.hits).toHaveLength(2);
    const up3 = await server(flapping(1));
    expect((await c.send({ ...post(), url: new URL('/pay', up3.url) }, { policies: quick, traits: { idempotent: true } })).status).toBe(200);
    expect(up3.hits).toHaveLength(2);
  });

  it('does not retry other errors (500, 404)', async () => {
    for (const status of [500, 404]) {
      const up = await server(flapping(1, status));
      expect((await client().send(get(up.url), { policies: quick })).status).toBe(status);
      expect(up.hits).toHaveLength(1);
    }
  });

  it('retries a refused connection for a GET (a connect error), then reports 502', async () => {
    const up = await server((_req, res) => json(res, 200, {}));
    const url = up.url;
    await up.close();
    const retries: string[] = [];
    const observer = { retry: (_o: string, reason: string) => retries.push(reason) } as unknown as UpstreamObserver;
    const error = await client({ observer }).send(get(url), { policies: quick }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(retries).toEqual(['transport', 'transport']);
  });

  it('honours a short Retry-After and returns the answer when Retry-After exceeds the cap', async () => {
    const up = await server(flapping(1, 503, { 'retry-after': '0' }));
    expect((await client().send(get(up.url), { policies: quick })).status).toBe(200);
    expect(up.hits).toHaveLength(2);
    const long = await server(flapping(1, 503, { 'retry-after': '120' }));
    const r = await client().send(get(long.url), { policies: quick });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('120');
    expect(long.hits).toHaveLength(1);
  });

  it('never retries beyond the call deadline', async () => {
    const up = await server(flapping(5));
    const r = await client({ random: () => 0.99 }).send(get(up.url), { policies: policies({ retry: { baseDelayMs: 5_000, maxDelayMs: 5_000 }, timeouts: { totalMs: 500 } }) });
    expect(r.status).toBe(503);
    expect(up.hits).toHaveLength(1);
  });

  it('a retry budget keeps retries to a small share of the load when an origin is down', async () => {
    const up = await server((_req, res) => json(res, 503, {}));
    const c = client();
    const down = policies({ retry: { baseDelayMs: 0, maxDelayMs: 0, maxAttempts: 3, budgetRatio: 0.1 }, circuitBreaker: { enabled: false } });
    for (let i = 0; i < 100; i++) await c.send(get(up.url), { policies: down });
    // Without a budget: 300 requests. With it: 100 first attempts + the reserve (10) + 10 % (10).
    expect(up.hits.length).toBeLessThanOrEqual(121);
    expect(up.hits.length).toBeGreaterThan(100);
  });
});

describe('circuit breaker (issue 14 item 2)', () => {
  it('counts only gateway failures: an application 500 (often one caller\'s input) never opens it', async () => {
    const up = await server((_req, res) => json(res, 500, {}));
    const c = client();
    const p = policies({ retry: { enabled: false }, circuitBreaker: { failureThreshold: 3, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1 } });
    for (let i = 0; i < 6; i++) expect((await c.send(get(up.url), { policies: p })).status).toBe(500);
    expect(c.breakerStatus()[0]?.state ?? 'closed').toBe('closed');
  });

  it('opens after N failures, answers 503 + Retry-After without calling the upstream, then half-opens', async () => {
    let healthy = false;
    const up = await server((_req, res) => json(res, healthy ? 200 : 502, {}));
    let now = 1_000_000;
    const c = client({ now: () => now });
    const p = policies({ retry: { enabled: false }, circuitBreaker: { failureThreshold: 3, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1 } });
    for (let i = 0; i < 3; i++) expect((await c.send(get(up.url), { policies: p })).status).toBe(502);
    expect(c.breakerStatus()[0]).toMatchObject({ state: 'open', opens: 1 });
    const refused = await c.send(get(up.url), { policies: p }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpstreamUnavailableError);
    expect((refused as UpstreamUnavailableError).retryAfterSeconds).toBe(5);
    expect(up.hits).toHaveLength(3); // no upstream request while open

    now += 5_000; // open period over: one probe goes through; it fails, the circuit opens again
    expect(c.breakerStatus()[0]!.state).toBe('half-open');
    expect((await c.send(get(up.url), { policies: p })).status).toBe(502);
    expect(c.breakerStatus()[0]!.state).toBe('open');
    expect(up.hits).toHaveLength(4);

    now += 5_000;
    healthy = true;
    expect((await c.send(get(up.url), { policies: p })).status).toBe(200);
    expect(c.breakerStatus()[0]!.state).toBe('closed');
    expect((await c.send(get(up.url), { policies: p })).status).toBe(200);
  });

  it('counts failures only inside the window', async () => {
    const up = await server((_req, res) => json(res, 502, {}));
    let now = 0;
    const c = client({ now: () => now });
    const p = policies({ retry: { enabled: false }, circuitBreaker: { failureThreshold: 3, windowMs: 1_000 } });
    for (let i = 0; i < 6; i++) {
      await c.send(get(up.url), { policies: p });
      now += 600; // two failures per window at most
    }
    expect(c.breakerStatus()[0]!.state).toBe('closed');
  });
});

describe('response cache (issue 14 item 4)', () => {
  const cached = policies({ cache: { enabled: true, ttlMs: 60_000 } });

  it('answers a repeated GET from the cache, per credential, never across credentials', async () => {
    let n = 0;
    const up = await server((_req, res) => json(res, 200, { n: ++n }));
    const events: string[] = [];
    const observer = { cache: (e: string) => events.push(e) } as unknown as UpstreamObserver;
    const c = client({ observer });
    const alice = { authorization: 'Bearer alice-token' };
    const bob = { authorization: 'Bearer bob-token' };
    const a1 = await c.send(get(up.url, '/accounts', alice), { policies: cached });
    const a2 = await c.send(get(up.url, '/accounts', alice), { policies: cached });
    expect(a2.cached).toBe(true);
    expect(a2.body.toString()).toBe(a1.body.toString());
    const b1 = await c.send(get(up.url, '/accounts', bob), { policies: cached });
    expect(b1.cached).toBeUndefined();
    expect(JSON.parse(b1.body.toString())).toEqual({ n: 2 });
    expect(up.hits).toHaveLength(2);
    // A different query is a different request.
    await c.send(get(up.url, '/accounts?page=2', alice), { policies: cached });
    expect(up.hits).toHaveLength(3);
    expect(events).toEqual(['miss', 'store', 'hit', 'miss', 'store', 'miss', 'store']);
  });

  it('a caller no-cache bypasses the lookup and refreshes the entry', async () => {
    let n = 0;
    const up = await server((_req, res) => json(res, 200, { n: ++n }));
    const c = client();
    await c.send(get(up.url), { policies: cached });
    const fresh = await c.send(get(up.url), { policies: cached, traits: { bypassCache: true } });
    expect(JSON.parse(fresh.body.toString())).toEqual({ n: 2 });
    const after = await c.send(get(up.url), { policies: cached });
    expect(after.cached).toBe(true);
    expect(JSON.parse(after.body.toString())).toEqual({ n: 2 });
  });

  it('honours upstream Cache-Control (no-store, max-age=0) and never caches errors or POSTs', async () => {
    const up = await server((req, res) =>
      req.url === '/nostore' ? json(res, 200, {}, { 'cache-control': 'no-store' }) : req.url === '/zero' ? json(res, 200, {}, { 'cache-control': 'max-age=0' }) : req.url === '/err' ? json(res, 404, {}) : json(res, 200, {}),
    );
    const c = client();
    for (const path of ['/nostore', '/zero', '/err']) {
      await c.send(get(up.url, path), { policies: cached });
      expect((await c.send(get(up.url, path), { policies: cached })).cached).toBeUndefined();
    }
    const post = { method: 'POST', url: new URL('/q', up.url), headers: {}, body: '{}' };
    await c.send(post, { policies: cached });
    expect((await c.send(post, { policies: cached })).cached).toBeUndefined();
    // …unless the function declares itself cacheable.
    await c.send(post, { policies: cached, traits: { cacheable: true } });
    expect((await c.send(post, { policies: cached, traits: { cacheable: true } })).cached).toBe(true);
  });

  it('is bounded by bytes (LRU)', async () => {
    const up = await server((req, res) => json(res, 200, { path: req.url, pad: 'x'.repeat(1000) }));
    const c = client();
    const small = policies({ cache: { enabled: true, maxBytes: 8_000 } });
    for (let i = 0; i < 20; i++) await c.send(get(up.url, `/item/${i}`), { policies: small });
    const stats = c.state().cache!;
    expect(stats.bytes).toBeLessThanOrEqual(8_000);
    expect(stats.entries).toBeLessThan(20);
    expect((await c.send(get(up.url, '/item/19'), { policies: small })).cached).toBe(true);
    expect((await c.send(get(up.url, '/item/0'), { policies: small })).cached).toBeUndefined();
  });
});

describe('reading the answer (buffered dispatch)', () => {
  it('refuses an answer larger than maxResponseBytes, and the connection serves the next call', async () => {
    const up = await server((req, res) => (req.url === '/big' ? res.end('x'.repeat(300_000)) : json(res, 200, { ok: true })));
    const c = client({ maxResponseBytes: 100_000 });
    const error = await c.send(get(up.url, '/big')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toContain('more than 100000 bytes');
    const next = await c.send(get(up.url, '/small'));
    expect(JSON.parse(next.body.toString())).toEqual({ ok: true });
  });

  it('skips informational answers (103 Early Hints) and keeps repeated headers as arrays', async () => {
    const up = await server((_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      json(res, 201, { made: true }, { 'x-one': 'yes' });
    });
    const answer = await client().send(get(up.url));
    expect(answer.status).toBe(201);
    expect(answer.headers['x-one']).toBe('yes');
    expect(answer.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(answer.headers.link).toBeUndefined();
    expect(JSON.parse(answer.body.toString())).toEqual({ made: true });
  });

  it('answers an empty body as an empty buffer', async () => {
    const up = await server((_req, res) => res.writeHead(204).end());
    const answer = await client().send(get(up.url));
    expect(answer.status).toBe(204);
    expect(answer.body.length).toBe(0);
  });

  it('cancels a call when the caller leaves, before and after the upstream answered headers', async () => {
    const up = await server((req, res, f) => {
      if (req.url === '/headers-first') res.writeHead(200, { 'content-type': 'text/plain' }).write('partial');
      f.held.push(res);
    });
    const c = client();
    for (const path of ['/held', '/headers-first']) {
      const controller = new AbortController();
      const call = c.send(get(up.url, path), controller.signal).catch((e: unknown) => e);
      await up.arrived(path === '/held' ? 1 : 2);
      controller.abort();
      const error = await call;
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as Error).message).toContain('cancelled');
    }
  });
});
