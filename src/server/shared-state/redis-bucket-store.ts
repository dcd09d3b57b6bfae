/**
 * Rate-limit token buckets shared through Redis: a caller's budget is the
 * same whichever replica the load balancer picks. The bucket arithmetic is
 * the policies module's (src/policies/rate-limit/store.ts), done in one Lua
 * script with Redis's clock, so replicas with skewed clocks agree and two
 * replicas taking the last token at once cannot both get it.
 *
 * A bucket that has refilled is the same as no bucket, so each key expires
 * when it would be full again: Redis holds only the callers active lately.
 * Redis down → the local (in-memory) store answers, counted as a fallback.
 */
import type { RedisState } from './redis.js';
import { FALLBACK } from './redis.js';

/** The policies module's bucket store shapes (structurally the same as src/policies/rate-limit/store.ts). */
export interface BucketRule {
  capacity: number;
  refillPerSecond: number;
}
export interface TakeResult {
  allowed: boolean;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
}
export interface BucketStore {
  take(key: string, rule: BucketRule): Promise<TakeResult>;
  size(): number;
  close?(): Promise<void>;
}

const TAKE = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = capacity; at = now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
if tokens >= 1 then allowed = 1; tokens = tokens - 1 end
local msPerToken = 1000 / rate
local resetMs = math.ceil((capacity - tokens) * msPerToken)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.max(resetMs, 1))
local retry = 0
if allowed == 0 then retry = math.ceil((1 - tokens) * msPerToken) end
return {allowed, tostring(tokens), resetMs, retry}
`;

const STORE = 'ratelimit';

export class RedisBucketStore implements BucketStore {
  constructor(
    private readonly redis: RedisState,
    /** Answers while Redis is unreachable (the policies module's in-memory store). */
    private readonly local: BucketStore,
  ) {}

  async take(key: string, rule: BucketRule): Promise<TakeResult> {
    const answer = await this.redis.run(STORE, (c) => c.eval(TAKE, 1, this.redis.key('ratelimit', key), rule.capacity, rule.refillPerSecond) as Promise<[number, string, number, number]>);
    if (answer === FALLBACK) return this.local.take(key, rule);
    const [allowed, tokens, resetMs, retryAfterMs] = answer;
    return { allowed: allowed === 1, remaining: Math.floor(Number(tokens)), resetMs: Number(resetMs), retryAfterMs: Number(retryAfterMs) };
  }

  /** Buckets held in this process (the fallback's); Redis's are counted by Redis. */
  size(): number {
    return this.local.size();
  }

  async close(): Promise<void> {
    await this.local.close?.();
  }
}
