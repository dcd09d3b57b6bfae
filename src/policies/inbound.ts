/**
 * The inbound policies of one gateway, built once from its `policies:`
 * configuration: the rate limiter (its buckets outlive reloads) and the
 * pipeline stages each listener gets. What is off everywhere adds no stage.
 */
import type { CallStage } from '../exposes/pipeline/call.js';
import type { Stage } from '../exposes/pipeline/stage.js';
import { Policies } from './config.js';
import { RateLimiter, type RateLimitObserver } from './rate-limit/limiter.js';
import { MemoryBucketStore, type BucketStore } from './rate-limit/store.js';
import { callTracingStage, corsStage, mcpTracingStage, rateLimitStage, restTracingStage, type CorsPath } from './stages.js';
import { tracingActive } from './spans.js';

export interface InboundPolicyOptions {
  /** Where rate-limit buckets live (default: this process's memory). */
  store?: BucketStore;
  observer?: RateLimitObserver;
}

export class InboundPolicies {
  readonly limiter: RateLimiter;
  private readonly memory?: MemoryBucketStore;
  private readonly rateLimit?: CallStage;

  constructor(
    readonly policies: Policies = Policies.defaults(),
    options: InboundPolicyOptions = {},
  ) {
    const store = options.store ?? new MemoryBucketStore();
    if (store instanceof MemoryBucketStore) this.memory = store;
    this.limiter = new RateLimiter(store, options.observer);
    this.rateLimit = rateLimitStage(this.limiter, policies);
  }

  /** REST listener: tracing outermost, then CORS (both see every reply, errors included). */
  restEdgeStages(paths: readonly CorsPath[]): Stage[] {
    const cors = corsStage(this.policies, paths);
    return [...(tracingActive() ? [restTracingStage] : []), ...(cors ? [cors] : [])];
  }

  mcpEdgeStages(): Stage[] {
    return tracingActive() ? [mcpTracingStage] : [];
  }

  /** Around each invocation: a span for stdio calls (tracing on), then the rate limit. */
  callStages(): CallStage[] {
    const tracing = tracingActive() ? callTracingStage() : undefined;
    return [...(tracing ? [tracing] : []), ...(this.rateLimit ? [this.rateLimit] : [])];
  }

  /** For the metrics gauges. */
  stats(): { buckets: number; evictions: number } {
    return { buckets: this.limiter.size(), evictions: this.memory?.evictions ?? 0 };
  }
}
