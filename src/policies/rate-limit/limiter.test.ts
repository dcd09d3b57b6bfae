import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES, type RateLimitPolicy } from '../config.js';
import { bucketKey, RateLimitedError, RateLimiter, type RateLimitScope } from './limiter.js';
import { MemoryBucketStore, takeToken } from './store.js';

const policy = (over: Partial<RateLimitPolicy> = {}): RateLimitPolicy => ({ ...DEFAULT_POLICIES.rateLimit, enabled: true, requestsPerSecond: 2, burst: 3, ...over });
const scope: RateLimitScope = { surface: 'rest', adapter: 'pay', operation: 'create' };

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('token bucket', () => {
  it('starts full, allows a burst, then refills at the sustained rate', () => {
    const state = { tokens: 3, at: 0 };
    const rule = { capacity: 3, refillPerSecond: 2 };
    expect([0, 0, 0].map((t) => takeToken(state, rule, t).allowed)).toEqual([true, true, true]);
    const denied = takeToken(state, rule, 0);
    expect(denied).toEqual({ allowed: false, remaining: 0, resetMs: 1500, retryAfterMs: 500 });
    expect(takeToken(state, rule, 499).allowed).toBe(false);
    expect(takeToken(state, rule, 500)).toMatchObject({ allowed: true, remaining: 0 });
    // idle for long: never more than the capacity
    expect(takeToken(state, rule, 60_000)).toMatchObject({ allowed: true, remaining: 2, resetMs: 500 });
  });
});

describe('MemoryBucketStore', () => {
  it('drops idle (refilled) buckets without changing any answer, and caps memory', async () => {
    const c = clock();
    const store = new MemoryBucketStore({ now: c.now, maxBuckets: 50 });
    const rule = { capacity: 2, refillPerSecond: 1 };
    for (let i = 0; i < 20; i++) await store.take(`caller-${i}`, rule);
    expect(store.size()).toBe(20);
    c.advance(1000); // every bucket is full again
    for (let i = 0; i < 10; i++) await store.take(`fresh-${i}`, rule);
    // each take looked at the oldest buckets and dropped the refilled ones
    expect(store.size()).toBeLessThan(20);
    for (let i = 0; i < 20; i++) await store.take(`fresh-${i + 10}`, rule);
    expect(store.size()).toBeLessThanOrEqual(30);
    expect(store.evictions).toBe(0);
    // the cap: a flood of distinct callers never holds more than maxBuckets
    for (let i = 0; i < 200; i++) await store.take(`flood-${i}`, rule);
    expect(store.size()).toBe(50);
    expect(store.evictions).toBeGreaterThan(0);
  });

  it('evicts the least recently used bucket at the cap, to within a second (a busy caller keeps its bucket)', () => {
    const c = clock();
    const store = new MemoryBucketStore({ now: c.now, maxBuckets: 3 });
    const rule = { capacity: 1000, refillPerSecond: 0.001 }; // never full again during the test: only the cap drops buckets
    for (const key of ['busy', 'idle-1', 'idle-2']) store.takeNow(key, rule);
    c.advance(1000);
    store.takeNow('busy', rule); // a second later: moves to the recent end
    store.takeNow('new-1', rule); // over the cap: the oldest goes
    expect(store.evictions).toBe(1);
    const remainingOf = (key: string) => store.takeNow(key, rule).remaining;
    expect(remainingOf('busy')).toBe(997); // kept: its third token
    expect(store.evictions).toBe(1);
    expect(remainingOf('idle-1')).toBe(999); // dropped: a fresh bucket (and that evicted another)
    expect(store.evictions).toBe(2);
  });

  it('a dropped bucket answered the same as a kept one would have', async () => {
    const c = clock();
    const store = new MemoryBucketStore({ now: c.now });
    const rule = { capacity: 1, refillPerSecond: 1 };
    expect((await store.take('a', rule)).allowed).toBe(true);
    expect((await store.take('a', rule)).allowed).toBe(false);
    c.advance(1000);
    await store.take('b', rule); // sweeps 'a' (full again)
    expect(store.size()).toBe(1);
    expect(await store.take('a', rule)).toMatchObject({ allowed: true, remaining: 0 });
  });
});

describe('RateLimiter', () => {
  it('is a no-op when the policy is off', async () => {
    const limiter = new RateLimiter();
    expect(await limiter.enforce({ ...policy(), enabled: false }, scope, 'addr:127.0.0.1')).toBeUndefined();
    expect(limiter.size()).toBe(0);
  });

  it('answers with RateLimit-* headers, then 429 with Retry-After; counts refusals', async () => {
    const c = clock();
    const limited: RateLimitScope[] = [];
    const limiter = new RateLimiter(new MemoryBucketStore({ now: c.now }), { limited: (s) => limited.push(s) });
    const p = policy();
    const first = await limiter.enforce(p, scope, 'addr:10.0.0.1');
    expect(first?.headers).toEqual({ 'ratelimit-limit': '3', 'ratelimit-remaining': '2', 'ratelimit-reset': '1' });
    await limiter.enforce(p, scope, 'addr:10.0.0.1');
    await limiter.enforce(p, scope, 'addr:10.0.0.1');
    const error = await limiter.enforce(p, scope, 'addr:10.0.0.1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    const e = error as RateLimitedError;
    expect(e.status).toBe(429);
    expect(e.headers).toEqual({ 'ratelimit-limit': '3', 'ratelimit-remaining': '0', 'ratelimit-reset': '2', 'retry-after': '1' });
    expect(e.message).toBe('Rate limit exceeded for adapter pay: 2 requests per second, bursts of 3 per caller. Retry after 1 s.');
    expect(e.toProblem()).toMatchObject({ status: 429, title: 'Too many requests', retryAfterSeconds: 1 });
    expect(limited).toEqual([scope]);
    // another caller has its own bucket
    expect(await limiter.enforce(p, scope, 'addr:10.0.0.2')).toMatchObject({ allowed: true });
    c.advance(500);
    expect(await limiter.enforce(p, scope, 'addr:10.0.0.1')).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('answers without a promise from memory buckets, with one from any other store, and refuses alike', async () => {
    const c = clock();
    const memory = new RateLimiter(new MemoryBucketStore({ now: c.now }));
    const p = policy({ burst: 1 });
    const now = memory.enforceNow(p, scope, 'addr:10.0.0.1');
    expect(now).not.toBeInstanceOf(Promise);
    expect(now).toMatchObject({ allowed: true, remaining: 0, limit: 1 });
    expect((now as { headers: Record<string, string> }).headers).toEqual({ 'ratelimit-limit': '1', 'ratelimit-remaining': '0', 'ratelimit-reset': '1' });
    expect(() => memory.enforceNow(p, scope, 'addr:10.0.0.1')).toThrow(RateLimitedError);
    expect(memory.enforceNow({ ...p, enabled: false }, scope, 'addr:10.0.0.1')).toBeUndefined();
    const inner = new MemoryBucketStore({ now: c.now });
    const shared = new RateLimiter({ take: (key, rule) => inner.take(key, rule), size: () => inner.size() });
    const later = shared.enforceNow(p, scope, 'addr:10.0.0.1');
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toMatchObject({ allowed: true, remaining: 0 });
    await expect(shared.enforceNow(p, scope, 'addr:10.0.0.1')).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('keys buckets by caller (credential digest, else address); per adapter or per operation; or globally', () => {
    expect(bucketKey(policy(), scope, 'cred:f1')).toBe('rest:pay|cred:f1');
    expect(bucketKey(policy(), scope, 'addr:1.1.1.1')).toBe('rest:pay|addr:1.1.1.1');
    expect(bucketKey(policy(), scope, undefined)).toBe('rest:pay|local');
    expect(bucketKey(policy({ key: 'global' }), scope, 'cred:f1')).toBe('rest:pay|*');
    expect(bucketKey(policy({ per: 'operation' }), { ...scope, surface: 'mcp' }, 'cred:f1')).toBe('mcp:pay.create|cred:f1');
  });
});
