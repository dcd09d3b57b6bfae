/**
 * Traffic policies of upstream calls — the option shapes, their defaults and
 * a resolver that fills a partial (what runtime.yaml `policies:` or a flag
 * says) into a complete set. The policies config module produces one
 * `UpstreamPolicies` per adapter/operation; the engine hands it to every
 * upstream call of that unit (`CallContext.policies`).
 *
 * Defaults are conservative: retries and the breaker on (they only ever
 * shorten an outage's blast radius), the cache off (caching is a product
 * decision), one total deadline of 30 s per call, queue time included.
 */

/** Retries of idempotent calls (GET/HEAD/PUT/DELETE, `semantics.idempotent`, or an `Idempotency-Key`). */
export interface RetryOptions {
  enabled: boolean;
  /** Attempts in all, the first included (3 = up to 2 retries). */
  maxAttempts: number;
  /** First backoff; doubles per retry, full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the answer is returned as it is. */
  retryAfterCapMs: number;
  /** Retries may add at most this share of load per origin (plus a small reserve). */
  budgetRatio: number;
}

/** One circuit breaker per upstream origin. */
export interface BreakerOptions {
  enabled: boolean;
  /** Failures (transport errors, timeouts, 5xx) within `windowMs` that open the circuit. */
  failureThreshold: number;
  windowMs: number;
  /** How long the circuit stays open before half-open probes are let through. */
  openMs: number;
  /** Calls let through at once while half-open; all must succeed to close. */
  halfOpenProbes: number;
}

/** Response cache for safe calls (GET, or functions with `semantics.cacheable`). */
export interface CacheOptions {
  enabled: boolean;
  /** Lifetime of an entry when the upstream says nothing (or `honourCacheControl` is false). */
  ttlMs: number;
  /** Memory bound of the whole cache (shared by every operation; LRU by bytes). */
  maxBytes: number;
  /** Upstream `Cache-Control: max-age`/`s-maxage` sets the lifetime; `no-store`/`no-cache` prevents caching. */
  honourCacheControl: boolean;
}

/** One deadline per upstream call and a bounded wait for a socket. */
export interface DeadlineOptions {
  /** Total time of the call: queue wait, every attempt and every backoff, until the body is read. */
  totalMs: number;
  /** Calls that may wait for a socket per origin; beyond, 503 with `Retry-After`. */
  queueMax: number;
}

export interface UpstreamPolicies {
  retry: RetryOptions;
  circuitBreaker: BreakerOptions;
  cache: CacheOptions;
  timeouts: DeadlineOptions;
}

export type PartialUpstreamPolicies = { [K in keyof UpstreamPolicies]?: Partial<UpstreamPolicies[K]> };

export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({
  enabled: true,
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  retryAfterCapMs: 10_000,
  budgetRatio: 0.1,
});

export const DEFAULT_BREAKER: Readonly<BreakerOptions> = Object.freeze({
  enabled: true,
  failureThreshold: 5,
  windowMs: 30_000,
  openMs: 30_000,
  halfOpenProbes: 1,
});

export const DEFAULT_CACHE: Readonly<CacheOptions> = Object.freeze({
  enabled: false,
  ttlMs: 60_000,
  maxBytes: 32 * 1024 * 1024,
  honourCacheControl: true,
});

export const DEFAULT_DEADLINE: Readonly<DeadlineOptions> = Object.freeze({
  totalMs: 30_000,
  queueMax: 256,
});

export const DEFAULT_POLICIES: Readonly<UpstreamPolicies> = Object.freeze({
  retry: DEFAULT_RETRY,
  circuitBreaker: DEFAULT_BREAKER,
  cache: DEFAULT_CACHE,
  timeouts: DEFAULT_DEADLINE,
});

/** Fills a partial set over a base (defaults unless given): every key may be overridden, the rest is kept. */
export function resolvePolicies(partial: PartialUpstreamPolicies | undefined, base: UpstreamPolicies = DEFAULT_POLICIES): UpstreamPolicies {
  if (!partial) return base;
  return {
    retry: { ...base.retry, ...defined(partial.retry) },
    circuitBreaker: { ...base.circuitBreaker, ...defined(partial.circuitBreaker) },
    cache: { ...base.cache, ...defined(partial.cache) },
    timeouts: { ...base.timeouts, ...defined(partial.timeouts) },
  };
}

function defined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Policies for one exposed unit: `adapter` is the exposing adapter's namespace, `operation` the REST
 * operation / MCP tool name (`forward` for a pass-through resource). The policies config module builds
 * one from runtime.yaml (overrides matched on both); undefined means the client's defaults.
 */
export type UpstreamPolicyResolver = (match: { adapter: string; operation?: string }) => UpstreamPolicies | undefined;

/** What an upstream call says about itself, so the client can apply the policies. */
export interface CallTraits {
  /** Fairness and metrics label: `namespace.operation` (or `namespace (forward)`). */
  operation?: string;
  /** Safe to repeat: GET/HEAD/PUT/DELETE/OPTIONS, `semantics.idempotent`, or an `Idempotency-Key` header. */
  idempotent?: boolean;
  /** May be answered from the response cache: GET, or `semantics.cacheable`. */
  cacheable?: boolean;
  /** The caller asked for a fresh answer (`Cache-Control: no-cache`): skip the lookup, refresh the entry. */
  bypassCache?: boolean;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** RFC 9110 §9.2.2, plus the declarations a file or a caller can make. */
export function isIdempotent(method: string, headers: Record<string, string>, declared?: boolean): boolean {
  return declared === true || IDEMPOTENT_METHODS.has(method.toUpperCase()) || headers['idempotency-key'] !== undefined;
}
