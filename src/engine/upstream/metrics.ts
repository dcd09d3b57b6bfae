/**
 * Metrics of the upstream policies (retries, breakers, cache, queue,
 * deadlines), registered in the gateway's own prom-client Registry. The
 * client reports events through the small `UpstreamObserver` interface, so it
 * works (and is tested) without metrics; gauges read the client's state when
 * scraped. Label cardinality is bounded: origins are bounded by the client
 * (least recently used pools, breakers and budgets are dropped).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreakerState } from './breaker.js';

export type CacheEvent = 'hit' | 'miss' | 'bypass' | 'store';
export type DeadlinePhase = 'queue' | 'upstream';

export interface UpstreamObserver {
  retry(origin: string, reason: string): void;
  /** A retry was warranted but not made: the budget was spent. */
  retryBudgetExhausted(origin: string): void;
  breakerTransition(origin: string, to: BreakerState): void;
  /** A call refused while the circuit was open (no upstream request). */
  breakerRejected(origin: string): void;
  cache(event: CacheEvent): void;
  /** A call refused because the origin's queue was full. */
  queueRejected(origin: string): void;
  deadlineExceeded(origin: string, phase: DeadlinePhase): void;
}

/** What the gauges read at scrape time. */
export interface UpstreamStateSource {
  breakers(): { origin: string; state: BreakerState }[];
  cache(): { entries: number; bytes: number } | undefined;
  queues(): { origin: string; active: number; queued: number }[];
}

const BREAKER_STATES: BreakerState[] = ['closed', 'open', 'half-open'];

export class UpstreamMetrics implements UpstreamObserver {
  private readonly retries: Counter<string>;
  private readonly retriesDenied: Counter<string>;
  private readonly transitions: Counter<string>;
  private readonly rejected: Counter<string>;
  private readonly cacheEvents: Counter<string>;
  private readonly queueFull: Counter<string>;
  private readonly deadlines: Counter<string>;
  private source?: UpstreamStateSource;

  constructor(registry: Registry) {
    const registers = [registry];
    this.retries = new Counter({ name: 'runtime_upstream_retries_total', help: 'Upstream retries made, by origin and reason (status code or transport).', labelNames: ['origin', 'reason'], registers });
    this.retriesDenied = new Counter({ name: 'runtime_upstream_retry_budget_exhausted_total', help: 'Retries not made because the origin’s retry budget was spent.', labelNames: ['origin'], registers });
    this.transitions = new Counter({ name: 'runtime_circuit_breaker_transitions_total', help: 'Circuit breaker state changes, by origin and new state.', labelNames: ['origin', 'state'], registers });
    this.rejected = new Counter({ name: 'runtime_circuit_breaker_rejected_total', help: 'Calls answered 503 without an upstream request because the circuit was open.', labelNames: ['origin'], registers });
    this.cacheEvents = new Counter({ name: 'runtime_cache_requests_total', help: 'Response cache lookups and stores, by result (hit, miss, bypass, store).', labelNames: ['result'], registers });
    for (const result of ['hit', 'miss', 'bypass', 'store']) this.cacheEvents.labels(result).inc(0);
    this.queueFull = new Counter({ name: 'runtime_upstream_queue_rejected_total', help: 'Calls answered 503 because the origin’s queue was full.', labelNames: ['origin'], registers });
    this.deadlines = new Counter({ name: 'runtime_upstream_deadline_exceeded_total', help: 'Upstream calls that ran out of time, by origin and phase (queue or upstream).', labelNames: ['origin', 'phase'], registers });
    const watched = () => this.source;
    new Gauge({
      name: 'runtime_circuit_breaker_state',
      help: 'Circuit breaker state per origin: 1 for the current state (closed, open, half-open), else 0.',
      labelNames: ['origin', 'state'],
      registers,
      collect() {
        this.reset();
        for (const { origin, state } of watched()?.breakers() ?? []) for (const s of BREAKER_STATES) this.labels(origin, s).set(s === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'runtime_cache_bytes',
      help: 'Bytes held by the response cache (in-memory store).',
      registers,
      collect() {
        this.set(watched()?.cache()?.bytes ?? 0);
      },
    });
    new Gauge({
      name: 'runtime_cache_entries',
      help: 'Entries held by the response cache (in-memory store).',
      registers,
      collect() {
        this.set(watched()?.cache()?.entries ?? 0);
      },
    });
    new Gauge({
      name: 'runtime_upstream_queued',
      help: 'Calls waiting for a connection, per origin.',
      labelNames: ['origin'],
      registers,
      collect() {
        this.reset();
        for (const q of watched()?.queues() ?? []) this.labels(q.origin).set(q.queued);
      },
    });
  }

  /** The client whose state the gauges show (set once the client exists). */
  watch(source: UpstreamStateSource): void {
    this.source = source;
  }

  retry(origin: string, reason: string): void {
    this.retries.labels(origin, reason).inc();
  }
  retryBudgetExhausted(origin: string): void {
    this.retriesDenied.labels(origin).inc();
  }
  breakerTransition(origin: string, to: BreakerState): void {
    this.transitions.labels(origin, to).inc();
  }
  breakerRejected(origin: string): void {
    this.rejected.labels(origin).inc();
  }
  cache(event: CacheEvent): void {
    this.cacheEvents.labels(event).inc();
  }
  queueRejected(origin: string): void {
    this.queueFull.labels(origin).inc();
  }
  deadlineExceeded(origin: string, phase: DeadlinePhase): void {
    this.deadlines.labels(origin, phase).inc();
  }
}
