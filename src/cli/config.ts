/**
 * Serve configuration resolved once: command-line flags win over environment
 * variables, which win over the optional `runtime.yaml`, which wins over
 * defaults. Every flag has an env var and a config key, so containers can be
 * configured without a command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { yamlModule } from '../util/yaml-module.js';
import { UpstreamRoutes } from '../engine/upstream/routes.js';
import { parsePolicies, PolicyConfigError, type Policies } from '../policies/config.js';
import { redisConnectionOptions, RedisUrlError, type RedisSettings } from '../server/shared-state/redis-url.js';
import { DEFAULT_PATHS, FIELDS, UsageError } from './fields.js';

export { DEFAULT_PATHS, ENV_VARS, FIELDS, UsageError } from './fields.js';

export interface ServeFlags {
  config?: string;
  host?: string;
  restPort?: string;
  mcpPort?: string;
  controlPort?: string;
  upstream?: string[];
  envFile?: string;
  strict?: boolean;
  skipInvalid?: boolean;
  watch?: boolean;
  stdio?: boolean;
  drainTimeout?: string;
  workers?: string;
  logLevel?: string;
  logFormat?: string;
  maxBodyBytes?: string;
  upstreamTimeout?: string;
  allowedOrigin?: string[];
  allowedHost?: string[];
  tokenProvider?: string[];
  maxFileSize?: string;
  maxConnections?: string;
  rateLimit?: string;
  rateLimitBurst?: string;
  corsOrigin?: string[];
  retry?: string;
  circuitBreaker?: string;
  cache?: string;
  redisUrl?: string;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServeConfig {
  /** Capability files and folders (positional arguments). */
  paths: string[];
  /** The runtime.yaml that was read, if any. */
  configFile?: string;
  host: string;
  restPort?: number;
  mcpPort?: number;
  controlPort?: number;
  upstreams: UpstreamRoutes;
  envFile?: string;
  strict: boolean;
  skipInvalid: boolean;
  watch: boolean;
  /** Serve MCP over stdin/stdout instead of ports (desktop clients). */
  stdio: boolean;
  drainTimeoutMs: number;
  /** 1 = no cluster. */
  workers: number;
  logLevel: LogLevel;
  logFormat: 'auto' | 'json' | 'pretty';
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
  allowedOrigins: string[];
  allowedHosts: string[];
  /** runtime.yaml `tokenProviders`, untouched (for the engine's token provider module). */
  tokenProviders?: unknown;
  /** `--token-provider` values (or RUNTIME_TOKEN_PROVIDERS, whitespace-separated): win per variable over the file. */
  tokenProviderFlags: string[];
  /** Largest capability file read (bytes); larger files are refused before they are read. */
  maxFileBytes: number;
  /** Open connections accepted per listener; beyond it new connections are closed at once. */
  maxConnections: number;
  /** runtime.yaml `policies` with the policy flags/env applied (src/policies/config.ts). */
  policies: Policies;
  /** Shared state across replicas (`--redis-url`, RUNTIME_REDIS_URL, `redis:` in runtime.yaml); absent = in-memory. */
  redis?: RedisSettings;
}

/** runtime.yaml keys read by other modules (tokenProviders: src/engine/tokens), accepted as they are. */
export const PASS_THROUGH_KEYS = ['tokenProviders', 'policies'] as const;

export const DEFAULT_CONFIG_FILE = 'runtime.yaml';
const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const FORMATS = new Set(['auto', 'json', 'pretty']);

/** Reads runtime.yaml: `--config`/RUNTIME_CONFIG, else ./runtime.yaml when present. */
export function readConfigFile(flags: { config?: string }, env: Record<string, string | undefined>, cwd = process.cwd()): { file?: string; values: Record<string, unknown> } {
  const given = flags.config ?? (env.RUNTIME_CONFIG || undefined);
  const file = given ? resolve(cwd, given) : resolve(cwd, DEFAULT_CONFIG_FILE);
  if (!given && !existsSync(file)) return { values: {} };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let data: unknown;
  try {
    data = yamlModule().parse(text);
  } catch (error) {
    throw new UsageError(`The config file ${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (data === null || data === undefined) return { file, values: {} };
  if (typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`The config file ${file} must be a mapping of settings.`);
  const known = new Set<string>([...Object.values(FIELDS).map((f) => f.key).filter(Boolean), ...PASS_THROUGH_KEYS]);
  for (const key of Object.keys(data)) {
    if (!known.has(key)) {
      const near = [...known].find((k) => k.toLowerCase() === key.toLowerCase().replace(/[-_]/g, ''));
      throw new UsageError(`Unknown setting \`${key}\` in ${file}${near ? ` (did you mean \`${near}\`?)` : ''}. Known: ${[...known].join(', ')}.`);
    }
  }
  return { file, values: data as Record<string, unknown> };
}

export function resolveServeConfig(
  flags: ServeFlags,
  env: Record<string, string | undefined> = process.env,
  positional: string[] = [],
  cwd = process.cwd(),
): ServeConfig {
  const { file: configFile, values: fileValues } = readConfigFile(flags, env, cwd);
  const configDir = configFile ? dirname(configFile) : cwd;

  /** The raw value of a setting and where it came from. */
  const raw = (name: keyof typeof FIELDS): { value: unknown; from: string } | undefined => {
    const field = FIELDS[name];
    const flag = (flags as Record<string, unknown>)[name];
    if (flag !== undefined && !(Array.isArray(flag) && flag.length === 0)) return { value: flag, from: field.flag };
    const fromEnv = env[field.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, from: field.env };
    if (field.key && fileValues[field.key] !== undefined && fileValues[field.key] !== null) return { value: fileValues[field.key], from: `${field.key} in ${configFile}` };
    return undefined;
  };
  const text = (name: keyof typeof FIELDS): string | undefined => {
    const r = raw(name);
    if (!r) return undefined;
    if (typeof r.value === 'string' || typeof r.value === 'number') return String(r.value);
    throw new UsageError(`${r.from} must be a string or number.`);
  };
  const bool = (name: keyof typeof FIELDS): boolean => {
    const r = raw(name);
    if (!r) return false;
    if (typeof r.value === 'boolean') return r.value;
    if (typeof r.value === 'string' && /^(1|true|yes|on)$/i.test(r.value)) return true;
    if (typeof r.value === 'string' && /^(0|false|no|off)$/i.test(r.value)) return false;
    throw new UsageError(`${r.from} must be true or false, got \`${String(r.value)}\`.`);
  };
  const list = (name: 'upstream' | 'allowedOrigin' | 'allowedHost' | 'corsOrigin'): string[] => {
    const r = raw(name);
    if (!r) return [];
    if (Array.isArray(r.value)) return r.value.map(String);
    if (typeof r.value === 'string') return r.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (name === 'upstream' && typeof r.value === 'object' && r.value !== null) return Object.entries(r.value).map(([k, v]) => `${k}=${String(v)}`);
    throw new UsageError(`${r.from} must be a list${name === 'upstream' ? ' (KEY=URL) or a mapping KEY: URL' : ''}.`);
  };
  const fromFile = (name: keyof typeof FIELDS) => raw(name)?.from.includes(' in ') === true;
  const pathValue = (name: 'envFile'): string | undefined => {
    const value = text(name);
    return value === undefined ? undefined : fromFile(name) ? resolve(configDir, value) : value;
  };

  const logLevel = text('logLevel') ?? 'info';
  if (!LEVELS.has(logLevel)) throw new UsageError(`--log-level must be one of ${[...LEVELS].join(', ')}`);
  const logFormat = text('logFormat') ?? 'auto';
  if (!FORMATS.has(logFormat)) throw new UsageError(`--log-format must be one of ${[...FORMATS].join(', ')}`);
  let upstreams: UpstreamRoutes;
  try {
    upstreams = UpstreamRoutes.parse(list('upstream'));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  let paths = positional;
  if (paths.length === 0) {
    const r = raw('paths');
    if (r) {
      const values = Array.isArray(r.value) ? r.value.map(String) : typeof r.value === 'string' ? r.value.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      if (!values) throw new UsageError(`${r.from} must be a list of files or folders.`);
      paths = fromFile('paths') ? values.map((p) => resolve(configDir, p)) : values;
    } else paths = DEFAULT_PATHS;
  }

  let policies: Policies;
  try {
    const corsOrigins = list('corsOrigin');
    policies = parsePolicies(fileValues.policies, { file: configFile }, {
      rateLimit: text('rateLimit'),
      rateLimitBurst: text('rateLimitBurst'),
      corsOrigins: corsOrigins.length > 0 ? corsOrigins : undefined,
      retry: text('retry'),
      circuitBreaker: text('circuitBreaker'),
      cache: text('cache'),
      upstreamTimeoutMs: positive(text('upstreamTimeout'), '--upstream-timeout'),
    });
  } catch (error) {
    if (error instanceof PolicyConfigError) throw new UsageError(error.message);
    throw error;
  }

  const config: ServeConfig = {
    paths,
    configFile,
    host: text('host') ?? '127.0.0.1',
    restPort: port(text('restPort'), '--rest-port'),
    mcpPort: port(text('mcpPort'), '--mcp-port'),
    controlPort: port(text('controlPort'), '--control-port'),
    upstreams,
    envFile: pathValue('envFile'),
    strict: bool('strict'),
    skipInvalid: bool('skipInvalid'),
    watch: bool('watch'),
    stdio: bool('stdio'),
    drainTimeoutMs: nonNegative(text('drainTimeout'), '--drain-timeout') ?? 10_000,
    workers: workers(text('workers')),
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as ServeConfig['logFormat'],
    maxBodyBytes: positive(text('maxBodyBytes'), '--max-body-bytes') ?? 1024 * 1024,
    // One knob, two spellings: --upstream-timeout (when given) wins over policies.timeouts.totalMs.
    upstreamTimeoutMs: policies.defaults.timeouts.totalMs,
    allowedOrigins: list('allowedOrigin'),
    allowedHosts: list('allowedHost'),
    tokenProviders: fileValues.tokenProviders,
    tokenProviderFlags: flags.tokenProvider && flags.tokenProvider.length > 0 ? flags.tokenProvider : env[FIELDS.tokenProvider.env] ? [env[FIELDS.tokenProvider.env]!] : [],
    maxFileBytes: positive(text('maxFileSize'), '--max-file-size') ?? 1024 * 1024,
    maxConnections: positive(text('maxConnections'), '--max-connections') ?? 1024,
    policies,
    redis: redisSettings(raw('redisUrl'), env),
  };
  if (config.controlPort !== undefined && config.controlPort !== 0 && (config.controlPort === config.restPort || config.controlPort === config.mcpPort)) {
    throw new UsageError(`--control-port ${config.controlPort} is also the ${config.controlPort === config.restPort ? 'REST' : 'MCP'} port; the control endpoints need a port of their own.`);
  }
  return config;
}

/** `redis: redis://…` or `redis: {url, keyPrefix}` in runtime.yaml; a URL from the flag or RUNTIME_REDIS_URL (key prefix: RUNTIME_REDIS_KEY_PREFIX). */
function redisSettings(r: { value: unknown; from: string } | undefined, env: Record<string, string | undefined>): RedisSettings | undefined {
  if (!r) return undefined;
  let settings: RedisSettings;
  if (typeof r.value === 'string') settings = { url: r.value };
  else if (r.value !== null && typeof r.value === 'object' && !Array.isArray(r.value) && typeof (r.value as { url?: unknown }).url === 'string') {
    const { url, keyPrefix, ...rest } = r.value as { url: string; keyPrefix?: unknown };
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new UsageError(`${r.from}: unknown setting \`${unknown[0]}\` (known: url, keyPrefix).`);
    if (keyPrefix !== undefined && typeof keyPrefix !== 'string') throw new UsageError(`${r.from}: keyPrefix must be a string.`);
    settings = { url, ...(keyPrefix !== undefined ? { keyPrefix } : {}) };
  } else throw new UsageError(`${r.from} must be a Redis URL or a mapping with \`url\` (and optionally \`keyPrefix\`).`);
  if (env.RUNTIME_REDIS_KEY_PREFIX) settings.keyPrefix = env.RUNTIME_REDIS_KEY_PREFIX;
  try {
    redisConnectionOptions(settings.url);
  } catch (error) {
    if (error instanceof RedisUrlError) throw new UsageError(error.message);
    throw error;
  }
  return settings;
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

function nonNegative(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number of milliseconds (0 or more), got \`${value}\``);
  return n;
}

function workers(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return Math.max(1, availableParallelism());
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new UsageError(`--workers must be a whole number ≥ 1 or \`auto\`, got \`${value}\``);
  return n;
}
