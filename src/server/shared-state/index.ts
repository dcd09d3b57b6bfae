/**
 * What the processes of one deployment share, and through what:
 *
 *   --redis-url given     tokens (sealed), rate-limit buckets, optionally cached responses: through Redis, across replicas
 *   --workers N, no Redis tokens: through the cluster primary (IPC), across the workers of one replica
 *   neither               nothing: every process keeps its own state (the default)
 *
 * Redis down never fails a request: each store falls back to local state.
 */
import type { Registry } from 'prom-client';
import type { TokenStore } from '../../engine/tokens/store.js';
import { IpcTokenStore } from '../cluster-token-store.js';
import { RedisState, type SharedStateLogger } from './redis.js';
import { RedisTokenStore } from './redis-token-store.js';
import type { RedisSettings } from './redis-url.js';
import { Sealer, STATE_KEY_ENV } from './sealed.js';

export { FALLBACK, RedisState, type Fallback, type SharedStateLogger } from './redis.js';
export { RedisUrlError, redactUrl, redisConnectionOptions } from './redis-url.js';
export { RedisTokenStore } from './redis-token-store.js';
export { Sealer, STATE_KEY_ENV, StateKeyError } from './sealed.js';

export type { RedisSettings } from './redis-url.js';

export interface SharedStateOptions {
  redis?: RedisSettings;
  /** This process is a `--workers` worker (tokens go through the primary when there is no Redis). */
  worker?: boolean;
  /** Token providers are configured: a token store is needed (and, with Redis, the sealing key). */
  tokens?: boolean;
  env?: Record<string, string | undefined>;
  logger?: SharedStateLogger;
}

type MeteredTokenStore = TokenStore & { registerMetrics(registry: Registry): void };

export class SharedState {
  private constructor(
    readonly redis: RedisState | undefined,
    readonly tokenStore: MeteredTokenStore | undefined,
  ) {}

  /** Throws StateKeyError when tokens would go to Redis without a usable RUNTIME_STATE_KEY (checked before connecting). */
  static create(options: SharedStateOptions): SharedState {
    const env = options.env ?? process.env;
    const sealer = options.redis && options.tokens ? Sealer.fromSecret(env[STATE_KEY_ENV]) : undefined;
    const redis = options.redis ? new RedisState(options.redis.url, { keyPrefix: options.redis.keyPrefix, logger: options.logger }) : undefined;
    let tokenStore: MeteredTokenStore | undefined;
    if (options.tokens) tokenStore = redis ? new RedisTokenStore(redis, sealer!) : options.worker ? new IpcTokenStore() : undefined;
    return new SharedState(redis, tokenStore);
  }

  /** Checks the sealing key without connecting anywhere (the cluster primary reports a bad key once). */
  static checkKey(options: Pick<SharedStateOptions, 'redis' | 'tokens' | 'env'>): void {
    if (options.redis && options.tokens) Sealer.fromSecret((options.env ?? process.env)[STATE_KEY_ENV]);
  }

  useLogger(logger: SharedStateLogger | undefined): void {
    this.redis?.useLogger(logger);
  }

  registerMetrics(registry: Registry): void {
    this.redis?.registerMetrics(registry);
    this.tokenStore?.registerMetrics(registry);
  }

  async close(): Promise<void> {
    if (this.tokenStore instanceof IpcTokenStore) this.tokenStore.close();
    await this.redis?.close();
  }
}
