/**
 * Token buckets behind a small async store interface, so the buckets can live
 * in this process (the default) or in a shared store (Redis, several
 * replicas). A store only does the bucket arithmetic atomically per key;
 * choosing keys and rendering answers is the limiter's job.
 *
 * The arithmetic, which every store must implement identically (a Redis store
 * does it in one script, with the server's clock):
 *   tokens = min(capacity, tokens + elapsedSeconds × refillPerSecond)   (a new bucket starts full)
 *   allowed = tokens ≥ 1; if allowed, tokens −= 1
 *   remaining = floor(tokens)
 *   resetMs = time until the bucket is full again
 *   retryAfterMs = allowed ? 0 : time until one token is available
 */

export interface BucketRule {
  /** Bucket size (burst). */
  capacity: number;
  /** Tokens added per second (sustained rate). */
  refillPerSecond: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** Milliseconds until the next request would be allowed (0 when this one was). */
  retryAfterMs: number;
}

export interface BucketStore {
  /** Takes one token from bucket `key` (created full when absent). */
  take(key: string, rule: BucketRule): Promise<TakeResult>;
  /** Buckets held right now (metrics). */
  size(): number;
  close?(): Promise<void>;
}

export interface BucketState {
  tokens: number;
  /** Epoch ms of `tokens`. */
  at: number;
}

/** The bucket arithmetic above, on a state object it updates in place. */
export function takeToken(state: BucketState, rule: BucketRule, now: number): TakeResult {
  const elapsed = Math.max(0, now - state.at);
  const tokens = Math.min(rule.capacity, state.tokens + (elapsed * rule.refillPerSecond) / 1000);
  const allowed = tokens >= 1;
  state.tokens = allowed ? tokens - 1 : tokens;
  state.at = now;
  const msPerToken = 1000 / rule.refillPerSecond;
  return {
    allowed,
    remaining: Math.floor(state.tokens),
    resetMs: Math.ceil((rule.capacity - state.tokens) * msPerToken),
    retryAfterMs: allowed ? 0 : Math.ceil((1 - state.tokens) * msPerToken),
  };
}

interface MemoryBucket extends BucketState {
  /** Epoch ms when the bucket is full again: from then on it is the same as no bucket at all. */
  fullAt: number;
  /** Epoch ms it last moved to the recent end of the map (see TOUCH_MS). */
  touchedAt: number;
}

/**
 * A bucket moves to the recent end of the map (delete + set: the map's order is the eviction order) at
 * most once per this many ms: a busy caller's bucket is then a plain update, not two map writes per
 * request, and the order stays right to within a second, which is all eviction needs.
 */
const TOUCH_MS = 1000;

/** Refilled buckets are looked for at most this often (ms), not on every request; the cap is kept on every insert. */
const SWEEP_MS = 10;

export interface MemoryBucketStoreOptions {
  /** Hard cap on buckets held; the least recently used is dropped past it (default 100 000, ≈ 10 MB). */
  maxBuckets?: number;
  /** Clock, epoch ms (tests). */
  now?: () => number;
}

/**
 * Buckets in a Map kept in least-recently-used order. A bucket that has
 * refilled completely behaves exactly like a missing one, so idle buckets are
 * dropped without changing any answer: each `take` looks at the few oldest
 * buckets and drops those that are full. Memory therefore follows the callers
 * active in the last `capacity / refillPerSecond` seconds, and never exceeds
 * `maxBuckets` (dropping a bucket that is not full gives that caller a fresh
 * burst: counted in `evictions`).
 */
export class MemoryBucketStore implements BucketStore {
  private readonly buckets = new Map<string, MemoryBucket>();
  private readonly maxBuckets: number;
  private readonly now: () => number;
  /** Buckets dropped before they had refilled (the cap was reached). */
  evictions = 0;
  private sweptAt = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryBucketStoreOptions = {}) {
    this.maxBuckets = options.maxBuckets ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  take(key: string, rule: BucketRule): Promise<TakeResult> {
    return Promise.resolve(this.takeNow(key, rule));
  }

  /** Synchronous form (same result), for callers that know they hold a memory store. */
  takeNow(key: string, rule: BucketRule): TakeResult {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: rule.capacity, at: now, fullAt: now, touchedAt: now };
      this.buckets.set(key, bucket);
    } else if (now - bucket.touchedAt >= TOUCH_MS) {
      this.buckets.delete(key); // re-inserted: most recently used last
      this.buckets.set(key, bucket);
      bucket.touchedAt = now;
    }
    const result = takeToken(bucket, rule, now);
    bucket.fullAt = now + result.resetMs;
    if (this.buckets.size > this.maxBuckets || now - this.sweptAt >= SWEEP_MS) this.sweep(now);
    return result;
  }

  size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    // Up to 64 of the oldest per sweep, a sweep per SWEEP_MS at most: bounded work per request, and
    // 6,400 refilled buckets dropped per second; past that the cap below holds memory anyway.
    this.sweptAt = now;
    let checked = 0;
    for (const [key, bucket] of this.buckets) {
      if (checked++ >= 64) break;
      if (bucket.fullAt <= now) this.buckets.delete(key);
      else break;
    }
    while (this.buckets.size > this.maxBuckets) {
      const [key, oldest] = this.buckets.entries().next().value!;
      this.buckets.delete(key);
      if (oldest.fullAt > now) this.evictions++; // a refilled one was as good as gone: not an eviction
    }
  }

  close(): Promise<void> {
    this.buckets.clear();
    return Promise.resolve();
  }
}
