/**
 * An OAuth2 client-credentials token provider (RFC 6749 §4.4) serving one bind
 * variable: form-encoded token requests (client_secret_post or _basic) through
 * the `--upstream` overrides, a cache per scope, refresh ahead of expiry,
 * single-flight minting, a drop-and-remint when the engine reports a rejected
 * token (401), and a short negative cache so a dead credential is never
 * hammered. "Refresh" means running the grant again: no refresh tokens exist.
 *
 * Expiry is local receipt time + `expires_in`; the JWT `exp − iat` lifetime is
 * only a fallback (an unverified `iat` is never trusted as an absolute time).
 */
import { readFileSync } from 'node:fs';
import type { ValueProvider } from '../binds.js';
import { ConfigError, InputError, RuntimeError, UpstreamError, UpstreamTimeoutError } from '../errors.js';
import type { Redactor } from '../redact.js';
import { UpstreamClient, type UpstreamResponse } from '../upstream/client.js';
import { UpstreamRoutes } from '../upstream/routes.js';
import { inSpan, type TraceParent } from '../tracing.js';
import type { CredentialSource, TokenProviderSpec } from './config.js';
import { tokenStoreKey, type TokenStore } from './store.js';

/** What a provider may learn about the call it serves (see the proposed `ValueProvider.get(variable, context)`). */
export interface ProviderCallContext {
  /** The consumed operation's parameters for this call (e.g. `customer_id`). */
  params?: Readonly<Record<string, unknown>>;
  /** The request's span: a mint it triggers is its child. */
  trace?: TraceParent;
}

/** A pino-compatible subset. */
export interface TokenLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  debug?(object: object, message: string): void;
}

export interface TokenProviderDeps {
  /** `--upstream` overrides: origin keys (`https://auth.leantech.me=…`) and the spec's `namespace` apply. */
  routes?: UpstreamRoutes;
  /** HTTP client for token requests (a private one is made when absent; close it with `TokenProviders.close()`). */
  client?: UpstreamClient;
  /** Environment for `*_env` credentials (default `process.env`); read at each mint, never at parse time. A function is called each time (env files re-read on reload). */
  env?: Record<string, string | undefined> | (() => Record<string, string | undefined>);
  /** Client secrets are registered here when read, so no log line or error can show them. */
  redactor?: Redactor;
  logger?: TokenLogger;
  /** Clock in epoch ms (tests; default Date.now). */
  now?: () => number;
  /** [0,1) source for refresh jitter (default Math.random). */
  random?: () => number;
  /** Keys kept by the negative cache and the 401 bookkeeping (default 1024). */
  maxFailureKeys?: number;
  /** How long past its expiry a minted token stays known to the redactor, ms (default 60 s). */
  redactGraceMs?: number;
  /** Shares tokens with other processes (Redis, the cluster primary); absent = this process mints its own. */
  tokenStore?: TokenStore;
}

interface CacheEntry {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Serve until here, then mint again (skew, jitter and min validity applied). */
  refreshAt: number;
  mintedAt: number;
  fingerprint: string;
}

export interface TokenProviderStats {
  /** Token requests sent (successful or not). */
  requests: number;
  failures: number;
  /** `get` calls answered from the cache. */
  hits: number;
  invalidations: number;
  cached: number;
}

const FORM = 'application/x-www-form-urlencoded';
const USER_AGENT = 'capability-runtime/0.1 (token-provider)';
/** A token about to expire within this margin is never handed out, even when a refresh fails. */
const HARD_FLOOR_MS = 5_000;
const TRANSIENT_NEGATIVE_MS = 5_000;
const DEFAULT_LIFETIME_S = 300;
/** A minted token stays known to the redactor this long past its expiry (late echoes in logs). */
const REDACT_GRACE_MS = 60_000;
/** Bound of the negative cache and the 401 bookkeeping (keys follow call parameters for scoped tokens). */
const MAX_FAILURE_KEYS = 1024;

export class ClientCredentialsProvider implements ValueProvider {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<CacheEntry>>();
  private readonly negative = new Map<string, { error: RuntimeError; until: number }>();
  /** Per scope: when tokens were dropped after a 401 (last minute), to bound forced refreshes. */
  private readonly rejections = new Map<string, number[]>();
  private readonly routes: UpstreamRoutes;
  private readonly now: () => number;
  private readonly random: () => number;
  private logger?: TokenLogger;
  private warnedShortLived = false;
  readonly counters = { requests: 0, failures: 0, hits: 0, invalidations: 0 };

  constructor(
    readonly spec: TokenProviderSpec,
    private readonly client: UpstreamClient,
    private readonly deps: TokenProviderDeps = {},
  ) {
    this.routes = deps.routes ?? new UpstreamRoutes();
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.logger = deps.logger;
  }

  get variable(): string {
    return this.spec.variable;
  }

  useLogger(logger: TokenLogger | undefined): void {
    this.logger = logger;
  }

  get stats(): TokenProviderStats {
    return { ...this.counters, cached: this.cache.size };
  }

  /** The token endpoint actually called (after `--upstream` overrides). */
  get effectiveTokenUrl(): string {
    const configured = new URL(this.spec.tokenUrl);
    const rewritten = this.routes.rewrite(this.spec.namespace ?? '', `${configured.origin}${configured.pathname}`);
    return rewritten + configured.search;
  }

  /** Environment variables / files the provider needs but cannot read now (startup warnings). */
  missing(): string[] {
    const out: string[] = [];
    for (const source of [this.spec.clientId, this.spec.clientSecret] as CredentialSource[]) {
      if ('env' in source && !this.env()[source.env]) out.push(`environment variable ${source.env}`);
      if ('file' in source) {
        try {
          readFileSync(source.file);
        } catch {
          out.push(`file ${source.file}`);
        }
      }
    }
    return out;
  }

  async get(variable: string, context?: ProviderCallContext): Promise<string> {
    const key = this.cacheKey(context);
    const now = this.now();
    const entry = this.cache.get(key);
    if (entry && now < entry.refreshAt) {
      this.counters.hits++;
      this.cache.delete(key); // LRU: most recently used last
      this.cache.set(key, entry);
      return entry.token;
    }
    const failed = this.negative.get(key);
    if (failed && now < failed.until) {
      if (entry && this.usable(entry, now) && !(failed.error instanceof ConfigError)) return entry.token;
      throw failed.error;
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = inSpan(context?.trace, `token mint ${this.spec.variable}`, { 'token.provider': this.spec.variable }, (trace) => this.obtain(key, entry, trace)).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    try {
      return (await pending).token;
    } catch (error) {
      // A transient failure while the current token is still good: keep serving it.
      if (entry && this.usable(entry, this.now()) && !(error instanceof ConfigError) && !(error instanceof InputError)) {
        return entry.token;
      }
      throw error;
    }
  }

  /** The engine reports an upstream 401 with this value: drop it (once) so the next `get` mints anew. */
  invalidate(_variable: string, rejected: string): void {
    for (const [key, entry] of this.cache) {
      if (entry.token !== rejected) continue;
      const now = this.now();
      const recent = (this.rejections.get(key) ?? []).filter((at) => now - at < 60_000);
      if (recent.length >= this.spec.maxRejectionRefreshesPerMinute) {
        this.logger?.warn(
          { provider: this.spec.variable, token: entry.fingerprint, refreshesLastMinute: recent.length },
          `token provider ${this.spec.variable}: tokens keep being rejected; not minting another this minute (check the token URL, audience and region)`,
        );
        return;
      }
      recent.push(now);
      boundedSet(this.rejections, key, recent, this.deps.maxFailureKeys);
      this.cache.delete(key);
      this.counters.invalidations++;
      this.logger?.info({ provider: this.spec.variable, token: entry.fingerprint }, `token provider ${this.spec.variable}: token rejected upstream, minting a new one`);
      const shared = this.deps.tokenStore && this.sharedKey(key);
      if (shared) this.deps.tokenStore!.reject(shared, rejected);
      return;
    }
  }

  /**
   * The token is a secret of this process from now on: an upstream that echoes Authorization must
   * not show it to callers or logs. It is forgotten once it expired (plus a grace), so the
   * redactor does not grow with every mint.
   */
  private remember(entry: CacheEntry): void {
    const redactor = this.deps.redactor;
    if (!redactor) return;
    redactor.add(entry.token);
    const timer = setTimeout(() => redactor.remove(entry.token), Math.max(0, entry.expiresAt - this.now()) + (this.deps.redactGraceMs ?? REDACT_GRACE_MS));
    timer.unref?.();
  }

  /** Seconds until the soonest cached token expires (undefined with none cached), for metrics. */
  secondsToExpiry(): number | undefined {
    let soonest: number | undefined;
    for (const entry of this.cache.values()) soonest = soonest === undefined ? entry.expiresAt : Math.min(soonest, entry.expiresAt);
    return soonest === undefined ? undefined : Math.max(0, (soonest - this.now()) / 1000);
  }

  private usable(entry: CacheEntry, now: number): boolean {
    return now < entry.expiresAt - HARD_FLOOR_MS - this.spec.minValiditySeconds * 1000;
  }

  private cacheKey(context: ProviderCallContext | undefined): string {
    if (!this.spec.scope || this.spec.params.length === 0) return this.spec.scope ?? '';
    return this.spec.scope.replace(/\{([A-Za-z0-9_.-]+)\}/g, (_, name: string) => {
      const value = lookup(context?.params, name);
      if (value === undefined || value === null || value === '') {
        if (!context?.params) {
          throw new ConfigError(
            `The token provider for \`${this.spec.variable}\` needs the call parameter \`${name}\`, but this runtime does not pass call parameters to providers.`,
            { variable: this.spec.variable },
          );
        }
        throw new InputError(`The token for \`${this.spec.variable}\` needs the parameter \`${name}\`.`, { parameter: name });
      }
      const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
      if (!this.spec.paramPattern.test(text)) {
        throw new InputError(`The parameter \`${name}\` is not a valid value for the token of \`${this.spec.variable}\`.`, { parameter: name });
      }
      return text;
    });
  }

  private env(): Record<string, string | undefined> {
    const env = this.deps.env;
    return typeof env === 'function' ? env() : (env ?? process.env);
  }

  private read(source: CredentialSource, what: string, secret: boolean): string {
    let value: string | undefined;
    if ('value' in source) value = source.value;
    else if ('env' in source) {
      value = this.env()[source.env];
      if (!value) {
        throw new ConfigError(`The token provider for \`${this.spec.variable}\` needs the environment variable \`${source.env}\` (${what}); it is not set.`, {
          variable: this.spec.variable,
        });
      }
    } else {
      try {
        value = readFileSync(source.file, 'utf8').trim();
      } catch (error) {
        throw new ConfigError(
          `The token provider for \`${this.spec.variable}\` cannot read ${what} from ${source.file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`,
          { variable: this.spec.variable },
        );
      }
      if (!value) throw new ConfigError(`The token provider for \`${this.spec.variable}\`: ${source.file} (${what}) is empty.`, { variable: this.spec.variable });
    }
    if (secret) this.deps.redactor?.add(value);
    return value;
  }

  /** Through the token store when there is one (another process may have minted already), else a local mint. */
  private async obtain(key: string, previous: CacheEntry | undefined, trace: TraceParent | undefined): Promise<CacheEntry> {
    const store = this.deps.tokenStore;
    const shared = store && this.sharedKey(key);
    if (!shared) return this.mint(key, previous, trace);
    const entry = await store!.obtain(shared, (e) => this.now() < e.refreshAt, () => this.mint(key, previous, trace));
    if (this.cache.get(key) !== entry) {
      // minted by another process: cache it here as if minted here
      this.negative.delete(key);
      this.cache.delete(key);
      this.cache.set(key, entry);
      this.remember(entry); // a token another process minted is as secret here as one minted here
      while (this.cache.size > this.spec.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    }
    return entry;
  }

  /** The token's identity across processes (undefined while the client id cannot be read: the local mint reports why). */
  private sharedKey(key: string): string | undefined {
    try {
      const clientId = this.read(this.spec.clientId, 'the client id', false);
      return tokenStoreKey({ variable: this.spec.variable, tokenUrl: this.effectiveTokenUrl, clientId, scope: key, audience: this.spec.audience, resource: this.spec.resource });
    } catch {
      return undefined;
    }
  }

  private async mint(key: string, previous: CacheEntry | undefined, trace: TraceParent | undefined): Promise<CacheEntry> {
    const scope = key === '' ? undefined : key;
    let entry: CacheEntry;
    try {
      const clientId = this.read(this.spec.clientId, 'the client id', false);
      const clientSecret = this.read(this.spec.clientSecret, 'the client secret', true);
      const form = new URLSearchParams({ grant_type: 'client_credentials' });
      const headers: Record<string, string> = { 'content-type': FORM, accept: 'application/json', 'user-agent': USER_AGENT };
      if (this.spec.auth === 'basic') {
        // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
        headers.authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
      } else {
        form.set('client_id', clientId);
        form.set('client_secret', clientSecret);
      }
      if (scope) form.set('scope', scope);
      if (this.spec.audience) form.set('audience', this.spec.audience);
      if (this.spec.resource) form.set('resource', this.spec.resource);

      this.counters.requests++;
      let response: UpstreamResponse;
      try {
        response = await this.client.send({ method: 'POST', url: new URL(this.effectiveTokenUrl), headers, body: form.toString() }, { trace });
      } catch (error) {
        throw this.transportError(error);
      }
      entry = this.accept(response);
    } catch (error) {
      this.counters.failures++;
      const failure = error instanceof RuntimeError ? error : new UpstreamError(`The token provider for \`${this.spec.variable}\` failed.`, { variable: this.spec.variable }, { cause: error });
      if (!(failure instanceof InputError)) {
        const ttl = failure instanceof ConfigError ? this.spec.negativeTtlSeconds * 1000 : Math.min(this.spec.negativeTtlSeconds * 1000, TRANSIENT_NEGATIVE_MS);
        if (ttl > 0) boundedSet(this.negative, key, { error: failure, until: this.now() + ttl }, this.deps.maxFailureKeys);
        this.logger?.warn({ provider: this.spec.variable, scope, error: failure.message, retryInMs: ttl }, `token provider ${this.spec.variable}: token request failed`);
      }
      if (previous && this.cache.get(key) === previous && !this.usable(previous, this.now())) this.cache.delete(key);
      throw failure;
    }
    this.negative.delete(key);
    this.cache.delete(key);
    this.cache.set(key, entry);
    this.remember(entry);
    while (this.cache.size > this.spec.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.logger?.info(
      { provider: this.spec.variable, scope, token: entry.fingerprint, expiresInS: Math.round((entry.expiresAt - entry.mintedAt) / 1000) },
      `token provider ${this.spec.variable}: token minted`,
    );
    return entry;
  }

  private accept(response: UpstreamResponse): CacheEntry {
    const effective = this.effectiveTokenUrl;
    const where = effective === this.spec.tokenUrl ? this.spec.tokenUrl : `${this.spec.tokenUrl} (via ${effective})`;
    const name = this.spec.variable;
    const body = parseJson(response.body);
    if (response.status < 200 || response.status >= 300) {
      const code = typeof body?.error === 'string' ? safeText(body.error, 64) : undefined;
      const description = typeof body?.error_description === 'string' ? safeText(body.error_description, 160) : undefined;
      const reason = `HTTP ${response.status}${code ? ` ${code}` : ''}${description ? ` (${description})` : ''}`;
      const retry = `not retried for ${this.spec.negativeTtlSeconds} s`;
      if (response.status === 429 || response.status >= 500) {
        throw new UpstreamError(`The token provider for \`${name}\` got ${reason} from ${where}; retrying shortly.`, { variable: name, upstreamStatus: response.status });
      }
      if (code === 'invalid_client' || response.status === 401) {
        throw new ConfigError(
          `The token provider for \`${name}\` was refused by ${where}: ${reason}. The client credentials (${this.sourceNames()}) are wrong or were rotated; ${retry}.`,
          { variable: name, upstreamStatus: response.status },
        );
      }
      throw new ConfigError(`The token provider for \`${name}\` was refused by ${where}: ${reason}; check its scope and client; ${retry}.`, {
        variable: name,
        upstreamStatus: response.status,
      });
    }
    const token = body?.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new UpstreamError(`The token provider for \`${name}\` got an answer without an access_token from ${where}.`, { variable: name });
    }
    const type = body?.token_type;
    if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer')) {
      throw new ConfigError(`The token provider for \`${name}\` got a token of type \`${safeText(String(type), 32)}\` from ${where}; only Bearer tokens are supported.`, {
        variable: name,
      });
    }
    const now = this.now();
    const claims = decodeJwtClaims(token);
    let lifetimeMs: number;
    const expiresIn = typeof body?.expires_in === 'string' ? Number(body.expires_in) : body?.expires_in;
    if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn >= 0) lifetimeMs = expiresIn * 1000;
    else if (typeof claims?.exp === 'number' && typeof claims.iat === 'number' && claims.exp > claims.iat) lifetimeMs = (claims.exp - claims.iat) * 1000;
    else if (typeof claims?.exp === 'number') lifetimeMs = Math.max(0, claims.exp * 1000 - now);
    else lifetimeMs = DEFAULT_LIFETIME_S * 1000;

    const margin = Math.min(this.spec.skewSeconds * 1000, lifetimeMs * 0.1);
    const jitter = this.random() * Math.min(5_000, margin * 0.25);
    const expiresAt = now + lifetimeMs;
    let refreshAt = expiresAt - margin - jitter - this.spec.minValiditySeconds * 1000;
    if (refreshAt <= now) {
      refreshAt = now;
      if (!this.warnedShortLived) {
        this.warnedShortLived = true;
        this.logger?.warn(
          { provider: name, lifetimeS: lifetimeMs / 1000, minValidityS: this.spec.minValiditySeconds },
          `token provider ${name}: tokens live too briefly to be cached; every call mints one`,
        );
      }
    }
    const fingerprint = typeof claims?.jti === 'string' ? `jti:${safeText(claims.jti, 64)}` : `len:${token.length}`;
    return { token, expiresAt, refreshAt, mintedAt: now, fingerprint };
  }

  private sourceNames(): string {
    const name = (s: CredentialSource) => ('env' in s ? `$${s.env}` : 'file' in s ? s.file : 'client_id');
    return `${name(this.spec.clientId)} / ${name(this.spec.clientSecret)}`;
  }

  private transportError(error: unknown): RuntimeError {
    const reason = error instanceof Error ? error.message : 'transport error';
    const message = `The token provider for \`${this.spec.variable}\` could not get a token: ${reason}`;
    if (error instanceof UpstreamTimeoutError) return new UpstreamTimeoutError(message, { variable: this.spec.variable });
    return new UpstreamError(message, { variable: this.spec.variable }, { cause: error });
  }
}

function lookup(params: Readonly<Record<string, unknown>> | undefined, path: string): unknown {
  if (!params) return undefined;
  if (path in params) return params[path];
  let node: unknown = params;
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** Sets a key in a map that may not grow past `max` keys (the oldest key goes first). */
function boundedSet<V>(map: Map<string, V>, key: string, value: V, max = MAX_FAILURE_KEYS): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The payload of a compact JWS, unverified (used for lifetime fallback and a log fingerprint only). */
export function decodeJwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const value = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function safeText(text: string, max: number): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
