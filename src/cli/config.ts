/**
 * Serve configuration resolved once: command-line flags win over environment
 * variables, which win over defaults. Every flag has an env var so containers
 * can be configured without a command line.
 */
import { UpstreamRoutes } from '../engine/upstream/routes.js';

export interface ServeFlags {
  host?: string;
  restPort?: string;
  mcpPort?: string;
  upstream?: string[];
  envFile?: string;
  strict?: boolean;
  skipInvalid?: boolean;
  logLevel?: string;
  maxBodyBytes?: string;
  upstreamTimeout?: string;
  allowedOrigin?: string[];
  allowedHost?: string[];
}

export interface ServeConfig {
  host: string;
  restPort?: number;
  mcpPort?: number;
  upstreams: UpstreamRoutes;
  envFile?: string;
  strict: boolean;
  skipInvalid: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
  allowedOrigins: string[];
  allowedHosts: string[];
}

/** Flag name → environment variable. */
export const ENV_VARS = {
  host: 'RUNTIME_HOST',
  restPort: 'RUNTIME_REST_PORT',
  mcpPort: 'RUNTIME_MCP_PORT',
  upstream: 'RUNTIME_UPSTREAMS',
  envFile: 'RUNTIME_ENV_FILE',
  strict: 'RUNTIME_STRICT',
  skipInvalid: 'RUNTIME_SKIP_INVALID',
  logLevel: 'RUNTIME_LOG_LEVEL',
  maxBodyBytes: 'RUNTIME_MAX_BODY_BYTES',
  upstreamTimeout: 'RUNTIME_UPSTREAM_TIMEOUT_MS',
  allowedOrigin: 'RUNTIME_ALLOWED_ORIGINS',
  allowedHost: 'RUNTIME_ALLOWED_HOSTS',
} as const;

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export class UsageError extends Error {}

export function resolveServeConfig(flags: ServeFlags, env: Record<string, string | undefined> = process.env): ServeConfig {
  const pick = <K extends keyof typeof ENV_VARS>(key: K): string | undefined => {
    const flag = flags[key];
    if (typeof flag === 'string') return flag;
    const fromEnv = env[ENV_VARS[key]];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const list = (key: 'upstream' | 'allowedOrigin' | 'allowedHost'): string[] => {
    const flag = flags[key];
    if (flag && flag.length > 0) return flag;
    const fromEnv = env[ENV_VARS[key]];
    return fromEnv ? fromEnv.split(',').map((s) => s.trim()).filter(Boolean) : [];
  };
  const bool = (key: 'strict' | 'skipInvalid'): boolean => flags[key] === true || /^(1|true|yes)$/i.test(env[ENV_VARS[key]] ?? '');
  const logLevel = pick('logLevel') ?? 'info';
  if (!LEVELS.has(logLevel)) throw new UsageError(`--log-level must be one of ${[...LEVELS].join(', ')}`);
  let upstreams: UpstreamRoutes;
  try {
    upstreams = UpstreamRoutes.parse(list('upstream'));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    host: pick('host') ?? '127.0.0.1',
    restPort: port(pick('restPort'), '--rest-port'),
    mcpPort: port(pick('mcpPort'), '--mcp-port'),
    upstreams,
    envFile: pick('envFile'),
    strict: bool('strict'),
    skipInvalid: bool('skipInvalid'),
    logLevel: logLevel as ServeConfig['logLevel'],
    maxBodyBytes: positive(pick('maxBodyBytes'), '--max-body-bytes') ?? 1024 * 1024,
    upstreamTimeoutMs: positive(pick('upstreamTimeout'), '--upstream-timeout') ?? 30_000,
    allowedOrigins: list('allowedOrigin'),
    allowedHosts: list('allowedHost'),
  };
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number (0-65535), got \`${value}\``);
  return n;
}

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got \`${value}\``);
  return n;
}
