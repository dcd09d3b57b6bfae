/**
 * The serve settings' names (flag, environment variable, runtime.yaml key) and
 * the usage error, without the parsers: `--help` and `--version` read these and
 * must not load YAML, policies or Redis settings (config.ts does).
 */
export type Kind = 'string' | 'port' | 'positive' | 'boolean' | 'list' | 'workers' | 'path' | 'paths';

export interface Field {
  flag: string;
  env: string;
  key: string;
  kind: Kind;
}

/** Every serve setting: flag property → its flag, environment variable and runtime.yaml key. */
export const FIELDS = {
  paths: { flag: '[paths...]', env: 'RUNTIME_PATHS', key: 'paths', kind: 'paths' },
  config: { flag: '--config', env: 'RUNTIME_CONFIG', key: '', kind: 'path' },
  host: { flag: '--host', env: 'RUNTIME_HOST', key: 'host', kind: 'string' },
  restPort: { flag: '--rest-port', env: 'RUNTIME_REST_PORT', key: 'restPort', kind: 'port' },
  mcpPort: { flag: '--mcp-port', env: 'RUNTIME_MCP_PORT', key: 'mcpPort', kind: 'port' },
  controlPort: { flag: '--control-port', env: 'RUNTIME_CONTROL_PORT', key: 'controlPort', kind: 'port' },
  upstream: { flag: '--upstream', env: 'RUNTIME_UPSTREAMS', key: 'upstreams', kind: 'list' },
  envFile: { flag: '--env-file', env: 'RUNTIME_ENV_FILE', key: 'envFile', kind: 'path' },
  strict: { flag: '--strict', env: 'RUNTIME_STRICT', key: 'strict', kind: 'boolean' },
  skipInvalid: { flag: '--skip-invalid', env: 'RUNTIME_SKIP_INVALID', key: 'skipInvalid', kind: 'boolean' },
  watch: { flag: '--watch', env: 'RUNTIME_WATCH', key: 'watch', kind: 'boolean' },
  stdio: { flag: '--stdio', env: 'RUNTIME_STDIO', key: 'stdio', kind: 'boolean' },
  drainTimeout: { flag: '--drain-timeout', env: 'RUNTIME_DRAIN_TIMEOUT_MS', key: 'drainTimeout', kind: 'positive' },
  workers: { flag: '--workers', env: 'RUNTIME_WORKERS', key: 'workers', kind: 'workers' },
  logLevel: { flag: '--log-level', env: 'RUNTIME_LOG_LEVEL', key: 'logLevel', kind: 'string' },
  logFormat: { flag: '--log-format', env: 'RUNTIME_LOG_FORMAT', key: 'logFormat', kind: 'string' },
  maxBodyBytes: { flag: '--max-body-bytes', env: 'RUNTIME_MAX_BODY_BYTES', key: 'maxBodyBytes', kind: 'positive' },
  upstreamTimeout: { flag: '--upstream-timeout', env: 'RUNTIME_UPSTREAM_TIMEOUT_MS', key: 'upstreamTimeout', kind: 'positive' },
  allowedOrigin: { flag: '--allowed-origin', env: 'RUNTIME_ALLOWED_ORIGINS', key: 'allowedOrigins', kind: 'list' },
  allowedHost: { flag: '--allowed-host', env: 'RUNTIME_ALLOWED_HOSTS', key: 'allowedHosts', kind: 'list' },
  tokenProvider: { flag: '--token-provider', env: 'RUNTIME_TOKEN_PROVIDERS', key: 'tokenProviders', kind: 'list' },
  maxFileSize: { flag: '--max-file-size', env: 'RUNTIME_MAX_FILE_BYTES', key: 'maxFileBytes', kind: 'positive' },
  maxConnections: { flag: '--max-connections', env: 'RUNTIME_MAX_CONNECTIONS', key: 'maxConnections', kind: 'positive' },
  // Policy knobs: flags/env only; runtime.yaml sets them (and much more) under `policies:`.
  rateLimit: { flag: '--rate-limit', env: 'RUNTIME_RATE_LIMIT', key: '', kind: 'string' },
  rateLimitBurst: { flag: '--rate-limit-burst', env: 'RUNTIME_RATE_LIMIT_BURST', key: '', kind: 'string' },
  corsOrigin: { flag: '--cors-origin', env: 'RUNTIME_CORS_ORIGINS', key: '', kind: 'list' },
  retry: { flag: '--retry', env: 'RUNTIME_RETRY', key: '', kind: 'string' },
  circuitBreaker: { flag: '--circuit-breaker', env: 'RUNTIME_CIRCUIT_BREAKER', key: '', kind: 'string' },
  cache: { flag: '--cache', env: 'RUNTIME_CACHE', key: '', kind: 'string' },
  redisUrl: { flag: '--redis-url', env: 'RUNTIME_REDIS_URL', key: 'redis', kind: 'string' },
} as const satisfies Record<string, Field>;

/** Flag name → environment variable. */
export const ENV_VARS = Object.fromEntries(Object.entries(FIELDS).map(([k, f]) => [k, f.env])) as { [K in keyof typeof FIELDS]: (typeof FIELDS)[K]['env'] };

export const DEFAULT_PATHS = ['capabilities'];

/** A bad flag, environment variable or runtime.yaml setting: exit code 2. */
export class UsageError extends Error {}
