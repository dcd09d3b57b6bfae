/**
 * Prometheus metrics of one Gateway, in its own prom-client Registry (never
 * the global one, so several runtimes can live in one process). Request
 * metrics use label children bound once per (surface, operation, status) and
 * cached, so recording a request is two map lookups, an increment and an
 * observation.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';
import { UpstreamMetrics } from '../engine/upstream/metrics.js';
import type { RequestEvent } from '../http/observer.js';

/** What metrics read of a request event (the request log reads the rest). */
export type RequestSample = Omit<RequestEvent, 'requestId' | 'error'>;

export interface MetricsSource {
  inFlight(): number;
  ready(): boolean;
  listeners(): { kind: string }[];
  files(): number;
  generation(): number;
}

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Bound {
  count: Counter.Internal;
  duration: Histogram.Internal<string>;
}

interface BoundUpstream {
  count: Counter.Internal;
  duration: Histogram.Internal<string>;
}

export class RuntimeMetrics {
  readonly registry = new Registry();
  /** Retry, breaker, cache, queue and deadline metrics of the upstream client (it reports into these). */
  readonly upstream = new UpstreamMetrics(this.registry);
  private readonly requests: Counter<string>;
  private readonly requestDuration: Histogram<string>;
  private readonly upstreamCalls: Counter<string>;
  private readonly upstreamDuration: Histogram<string>;
  private readonly reloads: Counter<string>;
  private readonly validationErrors: Counter<string>;
  private readonly rateLimitedCount: Counter<string>;
  private readonly boundLimited = new Map<string, Counter.Internal>();
  private rateLimitSource?: () => { buckets: number; evictions: number };
  private readonly bound = new Map<string, Map<number, Bound>>();
  private readonly boundUpstream = new Map<string, Map<number, BoundUpstream>>();

  constructor(source: MetricsSource, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'runtime_requests_total',
      help: 'Requests served, by surface (rest|mcp), adapter, operation (REST adapter.operation or MCP tool) and status.',
      labelNames: ['surface', 'adapter', 'operation', 'status'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'runtime_request_duration_seconds',
      help: 'Time to answer a request, by surface, adapter, operation and status.',
      labelNames: ['surface', 'adapter', 'operation', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.upstreamCalls = new Counter({
      name: 'runtime_upstream_requests_total',
      help: 'Upstream calls made for a request, by adapter, operation and upstream status.',
      labelNames: ['adapter', 'operation', 'status'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'runtime_upstream_duration_seconds',
      help: 'Upstream call duration, by adapter, operation and upstream status.',
      labelNames: ['adapter', 'operation', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.reloads = new Counter({
      name: 'runtime_reloads_total',
      help: 'Reloads, by result: applied (new version serving), partial (some files refused), unchanged, rejected (old version kept).',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['applied', 'partial', 'unchanged', 'rejected']) this.reloads.labels(result).inc(0);
    this.validationErrors = new Counter({
      name: 'runtime_validation_errors_total',
      help: 'Errors found in capability files at startup and reloads.',
      registers,
    });
    this.validationErrors.inc(0);
    new Gauge({
      name: 'runtime_requests_in_flight',
      help: 'Requests being answered right now.',
      registers,
      collect() {
        this.set(source.inFlight());
      },
    });
    new Gauge({
      name: 'runtime_ready',
      help: '1 when every file is loaded and every listener is up, 0 while starting or draining.',
      registers,
      aggregator: 'min',
      collect() {
        this.set(source.ready() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'runtime_capability_files',
      help: 'Capability files being served.',
      registers,
      aggregator: 'max',
      collect() {
        this.set(source.files());
      },
    });
    new Gauge({
      name: 'runtime_generation',
      help: 'Version of the served configuration (1 at startup, +1 per applied reload).',
      registers,
      aggregator: 'max',
      collect() {
        this.set(source.generation());
      },
    });
    new Gauge({
      name: 'runtime_listeners',
      help: 'Listeners open, by kind.',
      labelNames: ['kind'],
      registers,
      aggregator: 'max',
      collect() {
        this.reset();
        const counts: Record<string, number> = { rest: 0, mcp: 0, control: 0 };
        for (const l of source.listeners()) counts[l.kind] = (counts[l.kind] ?? 0) + 1;
        for (const [kind, n] of Object.entries(counts)) this.labels(kind).set(n);
      },
    });
    // Traffic policies (src/policies): the limiter. The upstream policies (retries, breaker, cache, queue)
    // register their own metrics in this same registry (src/engine/upstream/metrics.ts).
    this.rateLimitedCount = new Counter({
      name: 'runtime_rate_limited_total',
      help: 'Requests refused by the inbound rate limit (REST 429, MCP isError), by surface, adapter and operation.',
      labelNames: ['surface', 'adapter', 'operation'],
      registers,
    });
    const rateLimitSource = () => this.rateLimitSource?.();
    new Gauge({
      name: 'runtime_rate_limit_buckets',
      help: 'Rate-limit buckets held in this process (callers active within their refill time).',
      registers,
      collect() {
        this.set(rateLimitSource()?.buckets ?? 0);
      },
    });
    new Gauge({
      name: 'runtime_rate_limit_evictions',
      help: 'Rate-limit buckets dropped before refilling because the bucket cap was reached (a caller got a fresh burst).',
      registers,
      collect() {
        this.set(rateLimitSource()?.evictions ?? 0);
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Records one answered request (REST route or MCP tool call). */
  request(sample: RequestSample): void {
    const key = `${sample.surface}\u0000${sample.adapter}\u0000${sample.operation}`;
    let byStatus = this.bound.get(key);
    if (!byStatus) {
      byStatus = new Map();
      this.bound.set(key, byStatus);
    }
    let bound = byStatus.get(sample.status);
    if (!bound) {
      const labels: LabelValues<string> = { surface: sample.surface, adapter: sample.adapter, operation: sample.operation, status: String(sample.status) };
      bound = { count: this.requests.labels(labels), duration: this.requestDuration.labels(labels) };
      byStatus.set(sample.status, bound);
    }
    bound.count.inc();
    bound.duration.observe(sample.durationMs / 1000);
    if (sample.upstreamStatus !== undefined) {
      let upstream = this.boundUpstream.get(key);
      if (!upstream) {
        upstream = new Map();
        this.boundUpstream.set(key, upstream);
      }
      let u = upstream.get(sample.upstreamStatus);
      if (!u) {
        const labels: LabelValues<string> = { adapter: sample.adapter, operation: sample.operation, status: String(sample.upstreamStatus) };
        u = { count: this.upstreamCalls.labels(labels), duration: this.upstreamDuration.labels(labels) };
        upstream.set(sample.upstreamStatus, u);
      }
      u.count.inc();
      if (sample.upstreamMs !== undefined) u.duration.observe(sample.upstreamMs / 1000);
    }
  }

  /** A request refused by the inbound rate limit. */
  rateLimited(scope: { surface: 'rest' | 'mcp'; adapter: string; operation: string }): void {
    const key = `${scope.surface}\u0000${scope.adapter}\u0000${scope.operation}`;
    let child = this.boundLimited.get(key);
    if (!child) {
      child = this.rateLimitedCount.labels({ surface: scope.surface, adapter: scope.adapter, operation: scope.operation });
      this.boundLimited.set(key, child);
    }
    child.inc();
  }

  /** What the rate-limit gauges read at scrape time. */
  watchRateLimiter(source: () => { buckets: number; evictions: number }): void {
    this.rateLimitSource = source;
  }

  reload(result: 'applied' | 'partial' | 'unchanged' | 'rejected'): void {
    this.reloads.labels(result).inc();
  }

  validation(errors: number): void {
    if (errors > 0) this.validationErrors.inc(errors);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
