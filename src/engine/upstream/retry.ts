/**
 * Retry decisions for idempotent upstream calls: which answers are worth
 * another attempt, how long to wait (exponential backoff with full jitter, or
 * the upstream's own `Retry-After` when it is short enough), and a budget per
 * origin so retries can never multiply the load on an origin that is down.
 *
 * The budget is a token bucket: every first attempt deposits `budgetRatio`
 * tokens, every retry spends one; a small reserve lets a quiet origin retry
 * at all. In an outage, retries add at most `budgetRatio` of the traffic
 * (plus the reserve) instead of `maxAttempts − 1` times it.
 */
import type { RetryOptions } from './policies.js';

/** Upstream statuses that say "try again": overloaded, unavailable, gateway failures. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** Backoff before retry number `retry` (1-based): uniform in [0, min(max, base·2^(retry−1))]. */
export function backoffMs(retry: number, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(random() * ceiling);
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The bucket's floor: this many retries are always possible on an origin that has been quiet. */
const RESERVE = 10;

export class RetryBudget {
  private tokens = RESERVE;

  /** A first attempt was sent. */
  deposit(ratio: number): void {
    this.tokens = Math.min(RESERVE + ratio * 100, this.tokens + ratio);
  }

  /** Takes a token for one retry; false when the budget is spent. */
  withdraw(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Retry budgets by origin, bounded like the pools. */
export class RetryBudgets {
  private readonly budgets = new Map<string, RetryBudget>();

  constructor(private readonly maxOrigins = 1024) {}

  for(origin: string): RetryBudget {
    let budget = this.budgets.get(origin);
    if (!budget) {
      if (this.budgets.size >= this.maxOrigins) this.budgets.delete(this.budgets.keys().next().value!);
      budget = new RetryBudget();
      this.budgets.set(origin, budget);
    }
    return budget;
  }
}
