/**
 * The `policies:` section of runtime.yaml (traffic policies, issue 14): its
 * validation, its defaults, the few command-line flags / environment variables
 * that set the common knobs, and the resolution of per-adapter/operation
 * overrides into one settings object per exposed operation.
 *
 * Precedence: built-in defaults < the file's policy sections < flags/env (they
 * replace the file's defaults) < `overrides` (more specific than any default).
 * Overrides apply adapter-only matches first, then adapter+operation matches,
 * each group in file order, so a later, more specific match wins. Writing a
 * policy section turns that policy on unless it says `enabled: false` (so
 * `rateLimit: { requestsPerSecond: 5 }` means what it reads as).
 *
 * Errors name the file and line of the offending key (`runtime.yaml:12:7: …`).
 */
import { readFileSync } from 'node:fs';
import type { parseDocument } from 'yaml';
import { yamlModule } from '../util/yaml-module.js';
import {
  DEFAULT_BREAKER,
  DEFAULT_CACHE,
  DEFAULT_DEADLINE,
  DEFAULT_RETRY,
  type BreakerOptions,
  type CacheOptions,
  type DeadlineOptions,
  type RetryOptions,
  type UpstreamPolicyResolver,
} from '../engine/upstream/policies.js';

// The upstream policies' shapes and defaults are the upstream client's own (one source of truth).
export type RetryPolicy = RetryOptions;
export type CircuitBreakerPolicy = BreakerOptions;

export type RateLimitKey = 'caller' | 'global';

export interface RateLimitPolicy {
  enabled: boolean;
  /** Sustained rate: tokens added to a bucket per second. */
  requestsPerSecond: number;
  /** Bucket size: requests a caller may make at once after being idle. */
  burst: number;
  /** caller = the identity inbound authentication established (a digest, never the credential), else the client address; global = one bucket for everyone. */
  key: RateLimitKey;
  /** One bucket per adapter (operations share it) or per operation. */
  per: 'adapter' | 'operation';
}

export type CachePolicy = CacheOptions;

export interface CorsPolicy {
  enabled: boolean;
  /** Exact origins (`https://app.example.com`) or `*` (never with credentials). */
  origins: string[];
  methods: string[];
  /** Request headers a browser may send (besides the CORS-safelisted ones). */
  headers: string[];
  /** Response headers scripts may read (besides the safelisted ones). */
  exposeHeaders: string[];
  credentials: boolean;
  maxAgeSeconds: number;
}

export type TimeoutPolicy = DeadlineOptions;

export interface PolicySettings {
  retry: RetryPolicy;
  circuitBreaker: CircuitBreakerPolicy;
  rateLimit: RateLimitPolicy;
  cache: CachePolicy;
  cors: CorsPolicy;
  timeouts: TimeoutPolicy;
}

export type PolicyName = keyof PolicySettings;

type PartialSettings = { [P in PolicyName]?: Partial<PolicySettings[P]> };

export interface PolicyOverride extends PartialSettings {
  match: { adapter: string; operation?: string };
}

export const DEFAULT_POLICIES: Readonly<PolicySettings> = deepFreeze({
  retry: { ...DEFAULT_RETRY },
  circuitBreaker: { ...DEFAULT_BREAKER },
  rateLimit: { enabled: false, requestsPerSecond: 20, burst: 40, key: 'caller', per: 'adapter' },
  cache: { ...DEFAULT_CACHE },
  cors: { enabled: false, origins: [], methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], headers: [], exposeHeaders: [], credentials: false, maxAgeSeconds: 600 },
  timeouts: { ...DEFAULT_DEADLINE },
});

type FieldSpec =
  | { kind: 'boolean' }
  | { kind: 'integer'; min: number; max?: number }
  | { kind: 'number'; min: number; max?: number; above?: boolean }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'methods' }
  | { kind: 'tokens' }
  | { kind: 'origins' };

const BOOL: FieldSpec = { kind: 'boolean' };
const MS: FieldSpec = { kind: 'integer', min: 0 };
const COUNT: FieldSpec = { kind: 'integer', min: 1 };

const SPEC: { [P in PolicyName]: { [K in keyof PolicySettings[P]]-?: FieldSpec } } = {
  retry: { enabled: BOOL, maxAttempts: COUNT, baseDelayMs: MS, maxDelayMs: MS, retryAfterCapMs: MS, budgetRatio: { kind: 'number', min: 0, max: 1 } },
  circuitBreaker: { enabled: BOOL, failureThreshold: COUNT, windowMs: { kind: 'integer', min: 1 }, openMs: { kind: 'integer', min: 1 }, halfOpenProbes: COUNT },
  rateLimit: {
    enabled: BOOL,
    requestsPerSecond: { kind: 'number', min: 0, above: true },
    burst: COUNT,
    key: { kind: 'enum', values: ['caller', 'global'] },
    per: { kind: 'enum', values: ['adapter', 'operation'] },
  },
  cache: { enabled: BOOL, ttlMs: MS, maxBytes: { kind: 'integer', min: 0 }, honourCacheControl: BOOL },
  cors: { enabled: BOOL, origins: { kind: 'origins' }, methods: { kind: 'methods' }, headers: { kind: 'tokens' }, exposeHeaders: { kind: 'tokens' }, credentials: BOOL, maxAgeSeconds: MS },
  timeouts: { totalMs: { kind: 'integer', min: 1 }, queueMax: COUNT },
};

export const POLICY_NAMES = Object.keys(SPEC) as PolicyName[];

/** Command-line flags / environment variables for the common knobs (see src/cli/config.ts FIELDS). */
export interface PolicyFlags {
  /** `--rate-limit <rps|off>`: turns rate limiting on for every adapter at this rate. */
  rateLimit?: string;
  /** `--rate-limit-burst <n>`. */
  rateLimitBurst?: string;
  /** `--cors-origin <origin>` (repeatable): turns CORS on for every REST adapter with these origins. */
  corsOrigins?: string[];
  /** `--retry <on|off>`. */
  retry?: string;
  /** `--circuit-breaker <on|off>`. */
  circuitBreaker?: string;
  /** `--cache <on|off>`. */
  cache?: string;
  /** `--upstream-timeout <ms>` (when given): the default `timeouts.totalMs`. */
  upstreamTimeoutMs?: number;
}

/** A wrong `policies:` section (or policy flag). `message` already names the file and line when known. */
export class PolicyConfigError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'PolicyConfigError';
  }
}

/** Policies resolved for one exposed operation (REST operation or MCP tool). */
export type ResolvedPolicies = Readonly<PolicySettings>;

/**
 * The validated `policies:` configuration. `for(adapter, operation)` gives the
 * settings of one operation (memoised: resolved once per operation, then a map
 * lookup).
 */
export class Policies {
  private readonly resolved = new Map<string, ResolvedPolicies>();

  constructor(
    readonly defaults: Readonly<PolicySettings> = DEFAULT_POLICIES,
    readonly overrides: readonly PolicyOverride[] = [],
  ) {}

  /** Built-in defaults only (no file, no flags). */
  static defaults(): Policies {
    return new Policies();
  }

  for(adapter: string, operation?: string): ResolvedPolicies {
    const key = operation === undefined ? adapter : `${adapter}\u0000${operation}`;
    let settings = this.resolved.get(key);
    if (!settings) {
      settings = deepFreeze(this.resolve(adapter, operation));
      this.resolved.set(key, settings);
    }
    return settings;
  }

  /** The upstream policies (retry, breaker, cache, timeouts) per adapter/operation, as the engine asks for them. */
  readonly upstream: UpstreamPolicyResolver = (match) => this.for(match.adapter, match.operation);

  /** Whether any operation could have this policy on (lets callers skip building it at all). */
  anyEnabled(name: Exclude<PolicyName, 'timeouts'>): boolean {
    return this.defaults[name].enabled || this.overrides.some((o) => o[name] !== undefined && o[name]!.enabled !== false);
  }

  private resolve(adapter: string, operation: string | undefined): PolicySettings {
    const out = clone(this.defaults);
    const matching = this.overrides.filter((o) => o.match.adapter === adapter && (o.match.operation === undefined || o.match.operation === operation));
    const ordered = [...matching.filter((o) => o.match.operation === undefined), ...matching.filter((o) => o.match.operation !== undefined)];
    for (const override of ordered) {
      for (const name of POLICY_NAMES) {
        const section = override[name];
        if (!section) continue;
        Object.assign(out[name], section);
        // An operation's own limit is its own bucket: sharing the adapter's would mix two rates in one bucket.
        if (name === 'rateLimit' && override.match.operation !== undefined && (section as Partial<RateLimitPolicy>).per === undefined) out.rateLimit.per = 'operation';
      }
    }
    return out;
  }
}

export interface PolicySource {
  /** The runtime.yaml the section came from (for file:line in errors). */
  file?: string;
  /** Its text, when already read (else it is read again only to place an error). */
  text?: string;
}

/**
 * Validates the raw `policies:` value of runtime.yaml (undefined: not given)
 * and applies the flags/env on top of its defaults.
 */
export function parsePolicies(raw: unknown, source: PolicySource = {}, flags: PolicyFlags = {}): Policies {
  const fail = (path: (string | number)[], message: string): never => {
    const where = locate(source, ['policies', ...path]);
    const dotted = ['policies', ...path].map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);
    const prefix = where ? `${where.file}:${where.line}:${where.column}: ` : source.file ? `${source.file}: ` : '';
    throw new PolicyConfigError(`${prefix}${dotted} ${message}`, path, where?.file ?? source.file, where?.line);
  };

  const defaults = clone(DEFAULT_POLICIES);
  const overrides: PolicyOverride[] = [];
  if (raw !== undefined && raw !== null) {
    if (!isPlainObject(raw)) fail([], 'must be a mapping of policies (retry, circuitBreaker, rateLimit, cache, cors, timeouts, overrides).');
    const section = raw as Record<string, unknown>;
    for (const [name, value] of Object.entries(section)) {
      if (name === 'overrides') continue;
      if (!isPolicyName(name)) fail([name], `is not a policy${suggest(name, [...POLICY_NAMES, 'overrides'])}. Known: ${[...POLICY_NAMES, 'overrides'].join(', ')}.`);
      Object.assign(defaults[name as PolicyName], readSection(name as PolicyName, value, [name], fail));
    }
    const list = section.overrides;
    if (list !== undefined && list !== null) {
      if (!Array.isArray(list)) fail(['overrides'], 'must be a list of `- match: { adapter: …, operation: … }` entries.');
      (list as unknown[]).forEach((entry, i) => overrides.push(readOverride(entry, ['overrides', i], fail)));
    }
  }
  applyFlags(defaults, flags);
  for (const [i, o] of overrides.entries()) checkCombination({ ...defaults.cors, ...o.cors }, ['overrides', i, 'cors'], fail);
  checkCombination(defaults.cors, ['cors'], fail);
  return new Policies(deepFreeze(defaults), overrides);
}

type Fail = (path: (string | number)[], message: string) => never;

function readSection<P extends PolicyName>(name: P, value: unknown, path: (string | number)[], fail: Fail): Partial<PolicySettings[P]> {
  if (value === null || value === undefined) return { enabled: true } as unknown as Partial<PolicySettings[P]>;
  if (typeof value === 'boolean' && 'enabled' in SPEC[name]) return { enabled: value } as unknown as Partial<PolicySettings[P]>;
  if (!isPlainObject(value)) fail(path, `must be a mapping of settings (or true/false).`);
  const spec = SPEC[name] as Record<string, FieldSpec>;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = spec[key];
    if (!field) fail([...path, key], `is not a ${name} setting${suggest(key, Object.keys(spec))}. Known: ${Object.keys(spec).join(', ')}.`);
    out[key] = readField(field!, v, [...path, key], fail);
  }
  // Writing a section turns its policy on unless it says otherwise.
  if ('enabled' in spec && out.enabled === undefined) out.enabled = true;
  return out as Partial<PolicySettings[P]>;
}

function readField(field: FieldSpec, value: unknown, path: (string | number)[], fail: Fail): unknown {
  const shown = JSON.stringify(value);
  switch (field.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, `must be true or false, got ${shown}.`);
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < field.min || (field.max !== undefined && value > field.max)) {
        fail(path, `must be a whole number ≥ ${field.min}${field.max !== undefined ? ` and ≤ ${field.max}` : ''}, got ${shown}.`);
      }
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value) || (field.above ? value <= field.min : value < field.min) || (field.max !== undefined && value > field.max)) {
        fail(path, `must be a number ${field.above ? '>' : '≥'} ${field.min}${field.max !== undefined ? ` and ≤ ${field.max}` : ''}, got ${shown}.`);
      }
      return value;
    case 'enum':
      if (typeof value !== 'string' || !field.values.includes(value)) fail(path, `must be one of ${field.values.join(', ')}, got ${shown}.`);
      return value;
    case 'methods': {
      const list = stringList(value, path, fail);
      return list.map((m, i) => {
        const upper = m.toUpperCase();
        if (!/^[A-Z]+$/.test(upper)) fail([...path, i], `must be an HTTP method, got ${JSON.stringify(m)}.`);
        return upper;
      });
    }
    case 'tokens': {
      const list = stringList(value, path, fail);
      list.forEach((h, i) => {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h)) fail([...path, i], `must be a header name, got ${JSON.stringify(h)}.`);
      });
      return list.map((h) => h.toLowerCase());
    }
    case 'origins': {
      const list = stringList(value, path, fail);
      return list.map((o, i) => {
        const origin = normalizeOrigin(o);
        if (origin === undefined) fail([...path, i], `must be \`*\` or an origin like https://app.example.com (scheme, host and port only), got ${JSON.stringify(o)}.`);
        return origin;
      });
    }
  }
}

function stringList(value: unknown, path: (string | number)[], fail: Fail): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(path, `must be a list of strings, got ${JSON.stringify(value)}.`);
  return value as string[];
}

/** `https://App.example.com:443` → `https://app.example.com`; `*` stays; anything with a path, query or credentials is refused. */
export function normalizeOrigin(text: string): string | undefined {
  if (text === '*') return '*';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return undefined;
  if (/\/.+$/.test(text.replace(/^[a-z]+:\/\//i, ''))) return undefined;
  return url.origin;
}

function readOverride(entry: unknown, path: (string | number)[], fail: Fail): PolicyOverride {
  if (!isPlainObject(entry)) fail(path, 'must be a mapping with `match` and the policies it changes.');
  const record = entry as Record<string, unknown>;
  const match = record.match;
  if (!isPlainObject(match)) fail([...path, 'match'], 'is required: `match: { adapter: <namespace>, operation: <operation or tool name> }`.');
  const m = match as Record<string, unknown>;
  for (const key of Object.keys(m)) if (key !== 'adapter' && key !== 'operation') fail([...path, 'match', key], `is not a match key${suggest(key, ['adapter', 'operation'])}. Known: adapter, operation.`);
  if (typeof m.adapter !== 'string' || m.adapter === '') fail([...path, 'match', 'adapter'], 'must name an adapter namespace.');
  if (m.operation !== undefined && (typeof m.operation !== 'string' || m.operation === '')) fail([...path, 'match', 'operation'], 'must name an operation or tool.');
  const override: PolicyOverride = { match: { adapter: m.adapter as string, ...(m.operation !== undefined ? { operation: m.operation as string } : {}) } };
  let changes = 0;
  for (const [name, value] of Object.entries(record)) {
    if (name === 'match') continue;
    if (!isPolicyName(name)) fail([...path, name], `is not a policy${suggest(name, POLICY_NAMES)}. Known: match, ${POLICY_NAMES.join(', ')}.`);
    (override as unknown as Record<string, unknown>)[name] = readSection(name as PolicyName, value, [...path, name], fail);
    changes++;
  }
  if (changes === 0) fail(path, 'changes no policy: add e.g. `retry: { enabled: false }`.');
  return override;
}

/** Rules across keys of one policy. */
function checkCombination(cors: CorsPolicy, path: (string | number)[], fail: Fail): void {
  // Browsers refuse `*` with credentials, and echoing any origin with credentials would hand every site the caller's session.
  if (cors.enabled && cors.credentials && cors.origins.includes('*')) fail([...path, 'origins'], 'cannot be `*` when `credentials: true`: list the origins allowed to send credentials.');
}

function applyFlags(defaults: PolicySettings, flags: PolicyFlags): void {
  const fail = (flag: string, message: string): never => {
    throw new PolicyConfigError(`${flag} ${message}`, []);
  };
  if (flags.rateLimit !== undefined) {
    const text = flags.rateLimit.trim();
    if (/^(off|false|no|0)$/i.test(text)) defaults.rateLimit.enabled = false;
    else {
      const rps = Number(text);
      if (!Number.isFinite(rps) || rps <= 0) fail('--rate-limit', `must be requests per second (a number > 0) or \`off\`, got \`${text}\`.`);
      defaults.rateLimit.enabled = true;
      defaults.rateLimit.requestsPerSecond = rps;
      if (flags.rateLimitBurst === undefined) defaults.rateLimit.burst = Math.max(1, Math.ceil(rps * 2));
    }
  }
  if (flags.rateLimitBurst !== undefined) {
    const burst = Number(flags.rateLimitBurst);
    if (!Number.isInteger(burst) || burst < 1) fail('--rate-limit-burst', `must be a whole number ≥ 1, got \`${flags.rateLimitBurst}\`.`);
    defaults.rateLimit.burst = burst;
  }
  if (flags.corsOrigins !== undefined && flags.corsOrigins.length > 0) {
    const origins = flags.corsOrigins.flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean);
    defaults.cors.origins = origins.map((o) => normalizeOrigin(o) ?? fail('--cors-origin', `must be \`*\` or an origin like https://app.example.com, got \`${o}\`.`));
    defaults.cors.enabled = true;
  }
  const toggle = (flag: string, value: string | undefined, policy: { enabled: boolean }) => {
    if (value === undefined) return;
    if (/^(on|true|yes|1)$/i.test(value.trim())) policy.enabled = true;
    else if (/^(off|false|no|0)$/i.test(value.trim())) policy.enabled = false;
    else fail(flag, `must be on or off, got \`${value}\`.`);
  };
  if (flags.upstreamTimeoutMs !== undefined) defaults.timeouts.totalMs = flags.upstreamTimeoutMs;
  toggle('--retry', flags.retry, defaults.retry);
  toggle('--circuit-breaker', flags.circuitBreaker, defaults.circuitBreaker);
  toggle('--cache', flags.cache, defaults.cache);
  if (flags.corsOrigins?.length && defaults.cors.credentials && defaults.cors.origins.includes('*')) fail('--cors-origin', '`*` cannot be used: `policies.cors.credentials` is true.');
}

/** File, line and column of the node at `path` in the YAML file (only computed to report an error). */
function locate(source: PolicySource, path: (string | number)[]): { file: string; line: number; column: number } | undefined {
  if (!source.file) return undefined;
  let text = source.text;
  if (text === undefined) {
    try {
      text = readFileSync(source.file, 'utf8');
    } catch {
      return undefined;
    }
  }
  const { LineCounter, parseDocument, isNode } = yamlModule();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  // The deepest existing node on the path: a missing key points at its parent.
  for (let depth = path.length; depth > 0; depth--) {
    const prefix = path.slice(0, depth);
    const node = doc.getIn(prefix, true);
    if (isNode(node) && node.range) {
      // For a mapping value, point at its key (where an editor would go).
      const pair = keyPosition(doc, prefix);
      const offset = pair ?? node.range[0];
      const pos = lineCounter.linePos(offset);
      return { file: source.file, line: pos.line, column: pos.col };
    }
  }
  return undefined;
}

function keyPosition(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): number | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (parent && typeof parent === 'object' && 'items' in parent && typeof last === 'string') {
    for (const item of (parent as { items: unknown[] }).items) {
      const key = (item as { key?: { value?: unknown; range?: [number, number, number] } }).key;
      if (key?.value === last && key.range) return key.range[0];
    }
  }
  return undefined;
}

function suggest(given: string, known: readonly string[]): string {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const near = known.find((k) => norm(k) === norm(given) || (norm(k).startsWith(norm(given)) && given.length >= 3));
  return near ? ` (did you mean \`${near}\`?)` : '';
}

function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(SPEC, name);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone(settings: Readonly<PolicySettings>): PolicySettings {
  return structuredClone(settings) as PolicySettings;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
