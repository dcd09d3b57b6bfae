/**
 * The optional Redis connection that replicas share state through (tokens,
 * rate-limit buckets, cached responses). Redis is a helper, never a
 * dependency of a request: every command goes through `run`, which answers
 * FALLBACK at once while Redis is down (no offline queue, short command
 * timeout) so the caller uses its local state. ioredis keeps reconnecting in
 * the background; when Redis is back, sharing resumes by itself.
 *
 * Logs: one warning when Redis goes away, one line when it is back.
 * Metrics: runtime_shared_state_up, runtime_shared_state_fallbacks_total{store}.
 */
import { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { redisConnectionOptions } from './redis-url.js';

export interface SharedStateLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  debug?(object: object, message: string): void;
}

/** What `run` answers when Redis could not be used: the caller falls back to local state. */
export const FALLBACK: unique symbol = Symbol('shared-state fallback');
export type Fallback = typeof FALLBACK;

export interface RedisStateOptions {
  /** Prefix of every key (several deployments may share one Redis). Default `capability-runtime:`. */
  keyPrefix?: string;
  logger?: SharedStateLogger;
  /** A command slower than this counts as Redis being unavailable (default 500 ms). */
  commandTimeoutMs?: number;
}

export class RedisState {
  readonly client: Redis;
  readonly keyPrefix: string;
  /** Where Redis is, without credentials. */
  readonly display: string;
  private up = false;
  private wasUp = false;
  private warnedDown = false;
  private closed = false;
  private readonly fallbackCounts = new Map<string, number>();
  private logger?: SharedStateLogger;

  constructor(url: string, options: RedisStateOptions = {}) {
    const { display, ...connection } = redisConnectionOptions(url);
    this.display = display;
    this.keyPrefix = options.keyPrefix ?? 'capability-runtime:';
    this.logger = options.logger;
    this.client = new Redis({
      ...connection,
      // Commands issued while disconnected fail at once instead of queueing behind a dead connection.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: 2_000,
      // Keep trying for as long as we live: Redis coming back means sharing resumes.
      retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
      lazyConnect: false,
    });
    this.client.on('ready', () => {
      this.up = true;
      this.warnedDown = false;
      this.logger?.info({ redis: this.display }, this.wasUp ? `shared state: Redis at ${this.display} is reachable again; sharing resumes` : `shared state on Redis at ${this.display}`);
      this.wasUp = true;
    });
    this.client.on('close', () => this.down('connection closed'));
    // ioredis emits an error per failed reconnect: the first one per outage is worth a line, the rest are noise.
    this.client.on('error', (error: Error) => this.down(error.message));
  }

  useLogger(logger: SharedStateLogger | undefined): void {
    this.logger = logger;
  }

  get isUp(): boolean {
    return this.up;
  }

  /** A key under this deployment's prefix. */
  key(...parts: string[]): string {
    return this.keyPrefix + parts.join(':');
  }

  /** Runs a command for `store`; FALLBACK when Redis is down or the command failed (counted, never thrown). */
  async run<T>(store: string, command: (client: Redis) => Promise<T>): Promise<T | Fallback> {
    if (!this.up) return this.fallback(store);
    try {
      return await command(this.client);
    } catch (error) {
      this.logger?.debug?.({ redis: this.display, store, err: (error as Error).message }, 'shared state: Redis command failed; using local state');
      return this.fallback(store);
    }
  }

  /** How often each store fell back to local state. */
  fallbacks(): Record<string, number> {
    return Object.fromEntries(this.fallbackCounts);
  }

  registerMetrics(registry: Registry): void {
    const isUp = () => this.up;
    const counts = this.fallbackCounts;
    new Gauge({
      name: 'runtime_shared_state_up',
      help: 'Whether the shared state (Redis) is reachable: 1 shared, 0 falling back to local state.',
      registers: [registry],
      collect() {
        this.set(isUp() ? 1 : 0);
      },
    });
    new Counter({
      name: 'runtime_shared_state_fallbacks_total',
      help: 'Operations that used local state because Redis was unreachable or failed, by store (tokens, ratelimit, cache).',
      labelNames: ['store'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [store, count] of counts) this.inc({ store }, count);
      },
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private fallback(store: string): Fallback {
    this.fallbackCounts.set(store, (this.fallbackCounts.get(store) ?? 0) + 1);
    return FALLBACK;
  }

  private down(reason: string): void {
    this.up = false;
    if (this.closed || this.warnedDown) return;
    this.warnedDown = true;
    this.logger?.warn(
      { redis: this.display, reason },
      `shared state: Redis at ${this.display} is unreachable (${reason}); each process uses its own tokens and limits until it is back`,
    );
  }
}
