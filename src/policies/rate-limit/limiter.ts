/**
 * Inbound rate limiting (issue 14 item 3): one token bucket per (adapter or
 * operation) × caller. The caller is who the inbound authentication says it
 * is (a digest, never the credential), else the client address — an
 * unauthenticated header can never buy a fresh bucket.
 *
 * Answers use the IETF httpapi draft's three fields (draft-ietf-httpapi-
 * ratelimit-headers-06: `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` in delta-seconds) plus `Retry-After` on refusals. The
 * limit advertised is the bucket size; the reset is when it is full again.
 */
import { RuntimeError } from '../../engine/errors.js';
import type { RateLimitPolicy } from '../config.js';
import { MemoryBucketStore, type BucketRule, type BucketStore, type TakeResult } from './store.js';

export interface RateLimitScope {
  surface: 'rest' | 'mcp';
  adapter: string;
  /** REST operation name or MCP tool name. */
  operation: string;
}

/**
 * Who is calling: the pipeline's caller id — a digest of the verified inbound
 * credential, else `addr:<client address>` (src/exposes/pipeline/exchange.ts);
 * undefined on stdio (one local client).
 */
export type Caller = string | undefined;

export interface RateLimitDecision extends TakeResult {
  limit: number;
  /** The response header fields for this decision. */
  headers: Record<string, string>;
}

export interface RateLimitObserver {
  limited(scope: RateLimitScope): void;
}

/** 429: the caller used up its bucket. Carries its own response header fields. */
export class RateLimitedError extends RuntimeError {
  readonly status = 429;
  readonly title = 'Too many requests';
  readonly slug = 'rate-limited';
  constructor(
    readonly decision: RateLimitDecision,
    policy: RateLimitPolicy,
    scope: RateLimitScope,
  ) {
    const retry = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    const unit = policy.per === 'operation' ? `${scope.surface === 'mcp' ? 'tool' : 'operation'} ${scope.operation}` : `adapter ${scope.adapter}`;
    super(
      `Rate limit exceeded for ${unit}: ${formatRate(policy.requestsPerSecond)} per second, bursts of ${policy.burst}${policy.key === 'global' ? ' shared by all callers' : ' per caller'}. Retry after ${retry} s.`,
      { retryAfterSeconds: retry },
    );
  }

  get headers(): Record<string, string> {
    return this.decision.headers;
  }

  /** `Retry-After` and `RateLimit-*`, wherever the error is rendered (REST problem+json). */
  override responseHeaders(): Record<string, string> {
    return this.decision.headers;
  }
}

export class RateLimiter {
  /** The store when it is this process's memory: its buckets answer without a promise. */
  private readonly memory?: MemoryBucketStore;

  constructor(
    readonly store: BucketStore = new MemoryBucketStore(),
    private readonly observer?: RateLimitObserver,
  ) {
    if (store instanceof MemoryBucketStore) this.memory = store;
  }

  /**
   * Takes a token for this request. Returns undefined when the policy is off,
   * the decision (with headers to send) when allowed, and throws
   * RateLimitedError when not.
   */
  async enforce(policy: RateLimitPolicy, scope: RateLimitScope, caller: Caller): Promise<RateLimitDecision | undefined> {
    if (!policy.enabled) return undefined;
    return this.decide(await this.store.take(bucketKey(policy, scope, caller), ruleOf(policy)), policy, scope);
  }

  /**
   * `enforce`, answered synchronously when the buckets are in this process's
   * memory (the default store): no promise and no microtask per request on
   * the hot path. A shared store (Redis) still answers with a promise.
   */
  enforceNow(policy: RateLimitPolicy, scope: RateLimitScope, caller: Caller): RateLimitDecision | undefined | Promise<RateLimitDecision | undefined> {
    if (!policy.enabled) return undefined;
    if (!this.memory) return this.enforce(policy, scope, caller);
    return this.decide(this.memory.takeNow(bucketKey(policy, scope, caller), ruleOf(policy)), policy, scope);
  }

  size(): number {
    return this.store.size();
  }

  async close(): Promise<void> {
    await this.store.close?.();
  }

  private decide(result: TakeResult, policy: RateLimitPolicy, scope: RateLimitScope): RateLimitDecision {
    const decision = new Decision(result, policy.burst);
    if (!result.allowed) {
      this.observer?.limited(scope);
      throw new RateLimitedError(decision, policy, scope);
    }
    return decision;
  }
}

function ruleOf(policy: RateLimitPolicy): BucketRule {
  return { capacity: policy.burst, refillPerSecond: policy.requestsPerSecond };
}

/** `adapter[.operation]|who`: the caller part never holds a secret (ids are fingerprints, addresses are addresses). */
export function bucketKey(policy: RateLimitPolicy, scope: RateLimitScope, caller: Caller): string {
  const unit = policy.per === 'operation' ? `${scope.surface}:${scope.adapter}.${scope.operation}` : `${scope.surface}:${scope.adapter}`;
  const who = policy.key === 'global' ? '*' : (caller ?? 'local');
  return `${unit}|${who}`;
}

/**
 * A decision whose header fields are rendered on first read: REST sends them
 * with every allowed answer, MCP never does (it has no per-call HTTP answer),
 * so an MCP call does not pay for the number-to-string conversions.
 */
class Decision implements RateLimitDecision {
  readonly allowed: boolean;
  readonly remaining: number;
  readonly resetMs: number;
  readonly retryAfterMs: number;
  private fields?: Record<string, string>;

  constructor(
    result: TakeResult,
    readonly limit: number,
  ) {
    this.allowed = result.allowed;
    this.remaining = result.remaining;
    this.resetMs = result.resetMs;
    this.retryAfterMs = result.retryAfterMs;
  }

  get headers(): Record<string, string> {
    if (this.fields) return this.fields;
    const headers: Record<string, string> = {
      'ratelimit-limit': String(this.limit),
      'ratelimit-remaining': String(this.remaining),
      'ratelimit-reset': String(Math.ceil(this.resetMs / 1000)),
    };
    if (!this.allowed) headers['retry-after'] = String(Math.max(1, Math.ceil(this.retryAfterMs / 1000)));
    return (this.fields = headers);
  }
}

function formatRate(rps: number): string {
  return `${Number.isInteger(rps) ? rps : rps.toFixed(2)} request${rps === 1 ? '' : 's'}`;
}
