/**
 * The HTTP client for upstream calls: one undici Pool per origin, kept alive
 * and shared by every capability that calls that origin, with the traffic
 * policies applied around it, outermost first:
 *
 *   cache (safe calls) → circuit breaker (per origin) → retries (idempotent
 *   calls, budgeted) → admission (bounded, fair queue per origin) → undici.
 *
 * Every call has ONE deadline (`timeouts.totalMs`) counted from `send`: queue
 * wait, every attempt, every backoff and the whole body read included — a
 * dripping upstream cannot stretch it, and a retry never outlives it.
 * Transport failures become typed errors (502 unreachable, 504 timeout, 503
 * with `Retry-After` when the runtime refuses to call: circuit open, queue
 * full); what is read is bounded in size.
 */
import type { Pool, Dispatcher } from 'undici';
import { loadedUndici, loadUndici, undiciLoaded } from './undici-module.js';
import { UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.js';
import { Admission, QueueFullError } from './admission.js';
import { dispatchBuffered, ResponseTooLargeError } from './buffered-dispatch.js';
import { BreakerRegistry, type BreakerSnapshot, type BreakerTicket } from './breaker.js';
import { MemoryResponseCacheStore, cacheKey, freshnessMs, type ResponseCacheStore } from './cache.js';
import type { UpstreamObserver } from './metrics.js';
import { DEFAULT_POLICIES, isIdempotent, resolvePolicies, type CallTraits, type PartialUpstreamPolicies, type UpstreamPolicies } from './policies.js';
import { RetryBudgets, backoffMs, isRetryableStatus, parseRetryAfter } from './retry.js';
import { endClientSpan, startClientSpan, type TraceParent } from '../tracing.js';

export interface UpstreamRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** From `send` to the end of the body: queue, attempts and backoff included (0-ish for a cache hit). */
  durationMs: number;
  /** Attempts made (1 without retries; 0 for a cache hit). */
  attempts?: number;
  /** Answered from the response cache. */
  cached?: boolean;
}

export interface SendOptions {
  /** The caller went away: stop waiting (the call fails as cancelled). */
  signal?: AbortSignal;
  /** Policies of this call (the operation's resolved set); the client's own when absent. */
  policies?: UpstreamPolicies;
  traits?: CallTraits;
  /** The span this call belongs to (the request's, or a token mint's): its client spans are children. */
  trace?: TraceParent;
}

export interface UpstreamClientOptions {
  /** Total deadline per call, ms (queue wait included). Default 30 s. Same as `policies.timeouts.totalMs`. */
  timeoutMs?: number;
  /** Largest upstream body we read, bytes. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Sockets per origin. Default 128. */
  connections?: number;
  /** Share of an origin's sockets (and queue) one operation may hold. Default 0.5. */
  operationShare?: number;
  /** Origins with a pool at once; the least recently used idle pool is closed beyond. Default 256. */
  maxOrigins?: number;
  /** Policies for calls that bring none (runtime-wide defaults; `timeoutMs` fills `timeouts.totalMs`). */
  policies?: PartialUpstreamPolicies;
  /** Response cache store (default: in memory, `policies.cache.maxBytes`). */
  cacheStore?: ResponseCacheStore;
  observer?: UpstreamObserver;
  /** Backoff jitter source (tests). */
  random?: () => number;
  /** Clock of the circuit breakers, epoch ms (tests). */
  now?: () => number;
}

/** Why an attempt's deadline fired. */
const DEADLINE = Symbol('deadline');

/**
 * The deadline of one attempt, as a minimal emitter undici accepts as `signal` (it calls
 * `once`/`removeListener`): one timer and a listener slot, several times cheaper per call than an
 * AbortController with its EventTarget. It also cancels a wait in the admission queue, and follows
 * the caller's own AbortSignal when there is one.
 */
class CallDeadline {
  aborted = false;
  reason: unknown;
  private listeners: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.timer = setTimeout(() => this.abort(DEADLINE), ms);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const listener of this.listeners.splice(0)) listener();
  }

  once(_event: 'abort', listener: () => void): this {
    this.listeners.push(listener);
    return this;
  }

  /** undici checks for `on` to accept an emitter; every listener here fires once anyway. */
  on(event: 'abort', listener: () => void): this {
    return this.once(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const index = this.listeners.indexOf(listener);
    if (index >= 0) this.listeners.splice(index, 1);
    return this;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

interface Origin {
  pool: Pool;
  admission: Admission;
}

export class UpstreamClient {
  private readonly origins = new Map<string, Origin>();
  readonly timeoutMs: number;
  readonly policies: UpstreamPolicies;
  private readonly maxResponseBytes: number;
  private readonly connections: number;
  private readonly operationShare: number;
  private readonly maxOrigins: number;
  private readonly breakers: BreakerRegistry;
  private readonly budgets: RetryBudgets;
  private cacheStore?: ResponseCacheStore;
  private readonly random: () => number;
  observer?: UpstreamObserver;

  constructor(private readonly options: UpstreamClientOptions = {}) {
    this.policies = resolvePolicies(options.policies, {
      ...DEFAULT_POLICIES,
      timeouts: { ...DEFAULT_POLICIES.timeouts, ...(options.timeoutMs !== undefined ? { totalMs: options.timeoutMs } : {}) },
    });
    this.timeoutMs = this.policies.timeouts.totalMs;
    this.maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
    this.connections = options.connections ?? 128;
    this.operationShare = options.operationShare ?? 0.5;
    this.maxOrigins = options.maxOrigins ?? 256;
    this.observer = options.observer;
    this.random = options.random ?? Math.random;
    this.breakers = new BreakerRegistry(Math.max(this.maxOrigins, 1024), options.now ?? Date.now, (origin, _from, to) => this.observer?.breakerTransition(origin, to));
    this.budgets = new RetryBudgets(Math.max(this.maxOrigins, 1024));
    this.cacheStore = options.cacheStore;
  }

  /** The store is made on first use, sized by the first cache policy that needs it. */
  private store(maxBytes: number): ResponseCacheStore {
    this.cacheStore ??= new MemoryResponseCacheStore(maxBytes);
    return this.cacheStore;
  }

  private origin(origin: string): Origin {
    let entry = this.origins.get(origin);
    if (entry) {
      // Most recently used last, so eviction finds the coldest origin first.
      this.origins.delete(origin);
      this.origins.set(origin, entry);
      return entry;
    }
    if (this.origins.size >= this.maxOrigins) this.evict();
    entry = {
      pool: new (loadedUndici().Pool)(origin, {
        connections: this.connections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        // The call's own deadline bounds headers and body (one timer per call, queue included);
        // undici's per-phase timers would measure the wrong thing (the gap between chunks).
        headersTimeout: 0,
        bodyTimeout: 0,
        connectTimeout: Math.min(this.timeoutMs, 10_000),
      }),
      admission: new Admission(this.connections, this.operationShare),
    };
    this.origins.set(origin, entry);
    return entry;
  }

  /** Closes the least recently used idle pool (or the least recently used one, which finishes its calls first). */
  private evict(): void {
    let victim: string | undefined;
    for (const [key, entry] of this.origins) {
      if (entry.admission.inUse === 0 && entry.admission.queued === 0) {
        victim = key;
        break;
      }
    }
    victim ??= this.origins.keys().next().value;
    if (victim === undefined) return;
    const entry = this.origins.get(victim)!;
    this.origins.delete(victim);
    entry.pool.close().catch(() => undefined); // graceful: calls already dispatched complete
  }

  get originCount(): number {
    return this.origins.size;
  }

  async send(request: UpstreamRequest, options: SendOptions | AbortSignal = {}): Promise<UpstreamResponse> {
    // Before the clock starts: the first call imports undici, which is not the upstream's time.
    if (!undiciLoaded()) await loadUndici();
    const { signal, policies = this.policies, traits = {}, trace } = options instanceof AbortSignal ? ({ signal: options } as SendOptions) : options;
    const started = performance.now();
    const deadlineAt = started + policies.timeouts.totalMs;
    const origin = request.url.origin;

    let key: string | undefined;
    let store: ResponseCacheStore | undefined;
    if (policies.cache.enabled && (traits.cacheable ?? request.method.toUpperCase() === 'GET')) {
      store = this.store(policies.cache.maxBytes);
      key = cacheKey(request);
      if (traits.bypassCache) this.observer?.cache('bypass');
      else {
        const hit = await store.get(key);
        if (hit) {
          this.observer?.cache('hit');
          return { ...hit, durationMs: performance.now() - started, attempts: 0, cached: true };
        }
        this.observer?.cache('miss');
      }
    }

    const response = await this.withRetries(request, origin, deadlineAt, started, policies, traits, signal, trace);
    if (store && key) {
      const ttl = freshnessMs(response, policies.cache);
      if (ttl > 0) {
        await store.set(key, { status: response.status, headers: response.headers, body: response.body }, ttl);
        this.observer?.cache('store');
      }
    }
    return response;
  }

  private async withRetries(
    request: UpstreamRequest,
    origin: string,
    deadlineAt: number,
    started: number,
    policies: UpstreamPolicies,
    traits: CallTraits,
    signal: AbortSignal | undefined,
    trace: TraceParent | undefined,
  ): Promise<UpstreamResponse> {
    const retry = policies.retry;
    const breakerOptions = policies.circuitBreaker;
    const breaker = breakerOptions.enabled ? this.breakers.for(origin, breakerOptions) : undefined;
    const mayRetry = retry.enabled && retry.maxAttempts > 1 && (traits.idempotent ?? isIdempotent(request.method, request.headers));
    const budget = mayRetry ? this.budgets.for(origin) : undefined;
    budget?.deposit(retry.budgetRatio);

    for (let attempt = 1; ; attempt++) {
      let ticket: BreakerTicket | undefined;
      if (breaker) {
        const decision = breaker.allow(breakerOptions);
        if (!decision.allowed) {
          this.observer?.breakerRejected(origin);
          throw new UpstreamUnavailableError(
            `The upstream ${origin} is failing; calls are paused (circuit open).`,
            Math.max(1, Math.ceil(decision.retryAfterMs / 1000)),
            'circuit-open',
            { upstream: origin },
          );
        }
        ticket = decision.ticket;
      }
      let response: UpstreamResponse | undefined;
      let failure: unknown;
      try {
        // Tracing (a no-op without a parent span): one client span per attempt, its traceparent sent upstream.
        const span = startClientSpan(trace, request.method, request.url, request.headers, attempt > 1 ? { 'http.request.resend_count': attempt - 1 } : undefined);
        try {
          response = await this.attempt(request, origin, deadlineAt, policies, traits.operation ?? '', signal);
        } catch (error) {
          endClientSpan(span, undefined, error);
          throw error;
        }
        endClientSpan(span, response.status);
        response.durationMs = performance.now() - started;
        response.attempts = attempt;
        // Only gateway failures say the origin is unwell. A 500 is the application answering (often to
        // one caller's input): counting it would let any caller black out the origin for everyone.
        if (isGatewayFailure(response.status)) ticket?.failure();
        else ticket?.success();
      } catch (error) {
        failure = error;
        // Refusals of our own and cancellations say nothing about the origin's health.
        if (error instanceof UpstreamUnavailableError || isCancelled(error) || (error as { cause?: unknown })?.cause === QUEUED) ticket?.release();
        else ticket?.failure();
      }

      const reason = response ? (isRetryableStatus(response.status) ? String(response.status) : undefined) : retryableFailure(failure);
      if (reason === undefined || !mayRetry || attempt >= retry.maxAttempts) return settle(response, failure);
      let delay = response ? parseRetryAfter(response.headers['retry-after']) : undefined;
      if (delay !== undefined && delay > retry.retryAfterCapMs) return settle(response, failure); // the upstream asks for longer than we wait
      delay ??= backoffMs(attempt, retry, this.random);
      // A retry that cannot finish before the deadline is not started: the caller gets the real answer now.
      if (performance.now() + delay >= deadlineAt - 1) return settle(response, failure);
      if (!budget!.withdraw()) {
        this.observer?.retryBudgetExhausted(origin);
        return settle(response, failure);
      }
      this.observer?.retry(origin, reason);
      if (delay > 0) await wait(delay, signal);
      if (signal?.aborted) return settle(response, failure);
    }
  }

  /** One attempt under the call's deadline: a socket slot (bounded, fair queue), the request, the whole body. */
  private async attempt(
    request: UpstreamRequest,
    origin: string,
    deadlineAt: number,
    policies: UpstreamPolicies,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<UpstreamResponse> {
    const remaining = deadlineAt - performance.now();
    const totalMs = policies.timeouts.totalMs;
    if (remaining <= 0) {
      this.observer?.deadlineExceeded(origin, 'upstream');
      throw this.timeout(origin, totalMs);
    }
    const { pool, admission } = this.origin(origin);
    // One deadline per attempt: fired by the call's deadline or by the caller leaving.
    const deadline = new CallDeadline(remaining);
    const onCallerAbort = () => deadline.abort(signal!.reason ?? new Error('cancelled'));
    if (signal) {
      if (signal.aborted) onCallerAbort();
      else signal.addEventListener('abort', onCallerAbort, { once: true });
    }
    let admitted = false;
    try {
      const waiting = admission.acquire(operation, policies.timeouts.queueMax, deadline);
      if (waiting) {
        try {
          await waiting;
        } catch (error) {
          if (error instanceof QueueFullError) {
            this.observer?.queueRejected(origin);
            throw new UpstreamUnavailableError(
              `Too many calls are waiting for the upstream ${origin} (${error.waiting} queued); try again shortly.`,
              1,
              'upstream-overloaded',
              { upstream: origin },
            );
          }
          if (deadline.reason === DEADLINE) {
            this.observer?.deadlineExceeded(origin, 'queue');
            throw new UpstreamTimeoutError(`The upstream ${origin} did not answer within ${totalMs} ms (every connection to it was busy).`, { upstream: origin }, { cause: QUEUED });
          }
          throw new UpstreamError(`The call to ${origin} was cancelled.`, { upstream: origin }, { cause: CANCELLED });
        }
      }
      admitted = true;
      return await this.exchange(pool, request, origin, deadline);
    } catch (error) {
      if (error instanceof UpstreamError || error instanceof UpstreamTimeoutError || error instanceof UpstreamUnavailableError) throw error;
      if (deadline.reason === DEADLINE) {
        this.observer?.deadlineExceeded(origin, 'upstream');
        throw this.timeout(origin, totalMs);
      }
      if (deadline.aborted) throw new UpstreamError(`The call to ${origin} was cancelled.`, { upstream: origin }, { cause: CANCELLED });
      throw this.transportError(error, origin, totalMs);
    } finally {
      deadline.clear();
      signal?.removeEventListener('abort', onCallerAbort);
      if (admitted) admission.release(operation);
    }
  }

  private async exchange(pool: Pool, request: UpstreamRequest, origin: string, deadline: CallDeadline): Promise<UpstreamResponse> {
    try {
      const answer = await dispatchBuffered(
        pool,
        { method: request.method as Dispatcher.HttpMethod, path: request.url.pathname + request.url.search, headers: request.headers, body: request.body },
        deadline,
        this.maxResponseBytes,
      );
      return { ...answer, durationMs: 0 };
    } catch (error) {
      if (error instanceof ResponseTooLargeError) throw new UpstreamError(`The upstream ${origin} answered with more than ${this.maxResponseBytes} bytes.`, { upstream: origin });
      throw error;
    }
  }

  private timeout(origin: string, totalMs: number): UpstreamTimeoutError {
    return new UpstreamTimeoutError(`The upstream ${origin} did not answer within ${totalMs} ms.`, { upstream: origin });
  }

  private transportError(error: unknown, origin: string, totalMs: number): Error {
    const code = (error as { code?: string })?.code ?? '';
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return this.timeout(origin, totalMs);
    const reason = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'connection reset' : code === 'ENOTFOUND' ? 'host not found' : code || 'transport error';
    return new UpstreamError(`The upstream ${origin} could not be reached (${reason}).`, { upstream: origin }, { cause: error });
  }

  /** Breaker state per origin (for /status). */
  breakerStatus(): BreakerSnapshot[] {
    return this.breakers.snapshot();
  }

  /** State read by metrics gauges and /status. */
  state(): {
    breakers: { origin: string; state: 'closed' | 'open' | 'half-open' }[];
    cache: { entries: number; bytes: number } | undefined;
    queues: { origin: string; active: number; queued: number }[];
  } {
    return {
      breakers: this.breakers.states(),
      cache: this.cacheStore?.stats(),
      queues: [...this.origins].map(([origin, { admission }]) => ({ origin, active: admission.inUse, queued: admission.queued })),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.origins.values()].map((o) => o.pool.close().catch(() => undefined)));
    this.origins.clear();
  }
}

const CANCELLED = Symbol('cancelled');
/** A deadline spent waiting for a connection: local congestion, not a failure of the origin. */
const QUEUED = Symbol('queued');

function isCancelled(error: unknown): boolean {
  return error instanceof UpstreamError && (error as { cause?: unknown }).cause === CANCELLED;
}

/** The retry reason for a failed attempt, or undefined when it must not be retried. */
function retryableFailure(error: unknown): string | undefined {
  // Timeouts spent the deadline; refusals and cancellations are final; oversize bodies would repeat.
  if (!(error instanceof UpstreamError) || isCancelled(error)) return undefined;
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ? 'transport' : undefined;
}

function settle(response: UpstreamResponse | undefined, failure: unknown): UpstreamResponse {
  if (response) return response;
  throw failure;
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** 502, 503 and 504: the origin (or what fronts it) failed to answer; what the breaker counts. */
function isGatewayFailure(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}
