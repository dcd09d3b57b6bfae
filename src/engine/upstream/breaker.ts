/**
 * Circuit breakers, one per upstream origin. Closed: calls go through and
 * failures (transport errors, timeouts, 5xx) are remembered for `windowMs`;
 * `failureThreshold` of them within the window open the circuit. Open: calls
 * are refused at once (503 with `Retry-After`, no upstream request) for
 * `openMs`. Half-open: up to `halfOpenProbes` calls go through at once; when
 * they all succeed the circuit closes, a failing probe opens it again.
 *
 * The options come with each call (an operation may override them), so the
 * breaker reads them when it decides rather than at creation.
 */
import type { BreakerOptions } from './policies.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSnapshot {
  origin: string;
  state: BreakerState;
  /** Failures inside the current window (closed), or since the last transition. */
  recentFailures: number;
  /** ISO time the circuit opened (open / half-open). */
  openedAt?: string;
  /** Seconds until half-open probes are let through (open only). */
  retryAfterSeconds?: number;
  opens: number;
}

/** A call the breaker let through; report how it ended exactly once. */
export interface BreakerTicket {
  success(): void;
  failure(): void;
  /** The call ended without saying anything about the origin (cancelled, refused locally). */
  release(): void;
}

export type BreakerDecision = { allowed: true; ticket: BreakerTicket } | { allowed: false; retryAfterMs: number };

const NOOP_TICKET: BreakerTicket = { success() {}, failure() {}, release() {} };

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  /** Failure times, oldest first, at most `failureThreshold` of them. */
  private failures: number[] = [];
  private openedAt = 0;
  private probesInFlight = 0;
  private probesSucceeded = 0;
  opens = 0;

  constructor(
    readonly origin: string,
    private readonly now: () => number = Date.now,
    private readonly onTransition?: (origin: string, from: BreakerState, to: BreakerState) => void,
  ) {}

  current(options: BreakerOptions): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= options.openMs) this.move('half-open');
    return this.state;
  }

  allow(options: BreakerOptions): BreakerDecision {
    if (!options.enabled) return { allowed: true, ticket: NOOP_TICKET };
    const state = this.current(options);
    if (state === 'closed') return { allowed: true, ticket: this.ticket(options, false) };
    if (state === 'open') return { allowed: false, retryAfterMs: Math.max(0, this.openedAt + options.openMs - this.now()) };
    if (this.probesInFlight >= Math.max(1, options.halfOpenProbes)) return { allowed: false, retryAfterMs: Math.min(1_000, options.openMs) };
    this.probesInFlight++;
    return { allowed: true, ticket: this.ticket(options, true) };
  }

  private ticket(options: BreakerOptions, probe: boolean): BreakerTicket {
    let done = false;
    const end = () => {
      if (done) return false;
      done = true;
      if (probe) this.probesInFlight--;
      return true;
    };
    return {
      success: () => {
        if (!end()) return;
        if (probe && this.state === 'half-open') {
          this.probesSucceeded++;
          if (this.probesSucceeded >= Math.max(1, options.halfOpenProbes)) this.close();
        }
      },
      failure: () => {
        if (!end()) return;
        if (probe || this.state === 'half-open') {
          this.open();
          return;
        }
        if (this.state !== 'closed') return;
        const now = this.now();
        this.failures.push(now);
        while (this.failures.length > 0 && now - this.failures[0]! > options.windowMs) this.failures.shift();
        if (this.failures.length > options.failureThreshold) this.failures.shift();
        if (this.failures.length >= options.failureThreshold) this.open();
      },
      release: () => {
        end();
      },
    };
  }

  private open(): void {
    this.openedAt = this.now();
    this.failures = [];
    this.probesSucceeded = 0;
    this.opens++;
    this.move('open');
  }

  private close(): void {
    this.failures = [];
    this.probesSucceeded = 0;
    this.move('closed');
  }

  private move(to: BreakerState): void {
    const from = this.state;
    if (from === to && to !== 'open') return;
    this.state = to;
    if (to === 'half-open') this.probesSucceeded = 0;
    this.onTransition?.(this.origin, from, to);
  }

  snapshot(options: BreakerOptions): BreakerSnapshot {
    const state = this.current(options);
    const now = this.now();
    return {
      origin: this.origin,
      state,
      recentFailures: this.failures.filter((at) => now - at <= options.windowMs).length,
      ...(state !== 'closed' ? { openedAt: new Date(this.openedAt).toISOString() } : {}),
      ...(state === 'open' ? { retryAfterSeconds: Math.ceil(Math.max(0, this.openedAt + options.openMs - now) / 1000) } : {}),
      opens: this.opens,
    };
  }
}

/** The breakers of one client, by origin; bounded (the least recently used closed breaker goes first). */
export class BreakerRegistry {
  private readonly breakers = new Map<string, { breaker: CircuitBreaker; options: BreakerOptions }>();

  constructor(
    private readonly maxOrigins = 1024,
    private readonly now: () => number = Date.now,
    private readonly onTransition?: (origin: string, from: BreakerState, to: BreakerState) => void,
  ) {}

  for(origin: string, options: BreakerOptions): CircuitBreaker {
    let entry = this.breakers.get(origin);
    if (entry) {
      entry.options = options;
      this.breakers.delete(origin);
      this.breakers.set(origin, entry);
      return entry.breaker;
    }
    if (this.breakers.size >= this.maxOrigins) {
      for (const [key, value] of this.breakers) {
        if (value.breaker.current(value.options) === 'closed') {
          this.breakers.delete(key);
          break;
        }
      }
    }
    entry = { breaker: new CircuitBreaker(origin, this.now, this.onTransition), options };
    this.breakers.set(origin, entry);
    return entry.breaker;
  }

  snapshot(): BreakerSnapshot[] {
    return [...this.breakers.values()].map(({ breaker, options }) => breaker.snapshot(options));
  }

  states(): { origin: string; state: BreakerState }[] {
    return [...this.breakers.values()].map(({ breaker, options }) => ({ origin: breaker.origin, state: breaker.current(options) }));
  }
}
