/**
 * Lean sandbox: a faithful, deterministic, in-process fake of Lean Technologies'
 * authorization server (auth.leantech.me) and resource APIs (api2.leantech.me),
 * for tests, the demo and benchmarks. Design: /work/shared/reference/lean.md §5.
 *
 *   const lean = await startLeanSandbox();
 *   // LEAN_AUTH_BASE_URL=lean.authUrl  LEAN_API_BASE_URL=lean.apiUrl
 *   ...
 *   await lean.close();
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  API_PERMISSIONS,
  CUSTOMER_PERMISSIONS,
  authorizationServerMetadata,
  handleTokenRequest,
  mintToken,
  type AuthEnv,
  type SandboxClient,
  type TokenOverrides,
  type TokenRequestInfo,
} from './auth.js';
import { FakeClock, type ClockOptions } from './clock.js';
import { FaultController, cloudflareHtml, type FaultAction } from './faults.js';
import { LEAN_IDS } from './fixtures.js';
import { LeanError, MSG, errorBody, type Reply } from './http.js';
import { IdSource, prng } from './ids.js';
import { KeyStore, TokenRejected, type VerifiedToken } from './keys.js';
import { Router, normalizePath } from './router.js';
import { LeanContract, DEFAULT_OPENAPI_DIR } from './contract.js';
export { LeanContract, hasLeanOpenApi, DEFAULT_OPENAPI_DIR, type ContractOperation } from './contract.js';
import { API_ROUTES } from './routes/index.js';
import { authorizeConsent, payIntent } from './routes/payments.js';
import { seedState, type BehaviourOptions, type RequestCtx, type RouteDef, type SandboxCore } from './state.js';

export { API_PERMISSIONS, CUSTOMER_PERMISSIONS, LEAN_IDS };
export type { SandboxClient, TokenOverrides, VerifiedToken };
export type { FaultAction, FaultInfo, FaultMatch, FaultRule, FaultSchedule } from './faults.js';
export { FaultController } from './faults.js';
export { FakeClock } from './clock.js';
export { MAGIC_IBANS } from './routes/verifications.js';
export { FIXTURE_ANCHOR, HOLDER_C1, HOLDER_C2 } from './fixtures.js';

// ---------------------------------------------------------------------------
// clients (§5.3). Secrets are canary strings: they must never appear in runtime output.

/** The default application id (= client_id). */
export const SANDBOX_CLIENT_ID = LEAN_IDS.applicationId;
export const SANDBOX_CLIENT_SECRET = 'lean-fake-canary-secret-demo-5b1e3c9a';
/** An application whose api tokens lack `payout.write` and `intent.write`. */
export const LIMITED_CLIENT_ID = '7e0c1d2a-3b4c-4d5e-8f60-00000000000b';
export const LIMITED_CLIENT_SECRET = 'lean-fake-canary-secret-limited-71d04e2f';
/** A dead credential: always `invalid_client`. */
export const DISABLED_CLIENT_ID = '7e0c1d2a-3b4c-4d5e-8f60-00000000000d';
export const DISABLED_CLIENT_SECRET = 'lean-fake-canary-secret-disabled-c29a5b80';

export function defaultClients(): SandboxClient[] {
  return [
    { clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET },
    {
      clientId: LIMITED_CLIENT_ID,
      clientSecret: LIMITED_CLIENT_SECRET,
      permissions: API_PERMISSIONS.filter((p) => p !== 'payout.write' && p !== 'intent.write'),
    },
    { clientId: DISABLED_CLIENT_ID, clientSecret: DISABLED_CLIENT_SECRET, disabled: true },
  ];
}

// ---------------------------------------------------------------------------
// public types

export interface LeanSandboxOptions {
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** Fixed ports; default 0 (ephemeral). */
  authPort?: number;
  apiPort?: number;
  /** Registered applications. Default: the demo, limited and disabled clients. */
  clients?: SandboxClient[];
  /** `expires_in` of minted tokens (the JWT's exp − iat is one more, as Lean's). Default 3599. */
  tokenTtlSeconds?: number;
  /** Tolerance for `nbf`/`exp` on the api listener. Default 0. */
  leewaySeconds?: number;
  /** Seed of generated ids and probabilistic faults. Default "lean-sandbox". */
  seed?: string | number;
  /** Fake clock: start instant and whether it is frozen. Default: real time, running. */
  clock?: ClockOptions;
  /** Enforce Lean-documented required params (entity_id, dates, Idempotency-Key, array bodies). Default true. */
  strict?: boolean;
  /** Seconds (fake clock) before a manual data refresh finishes. Default 8. */
  refreshSeconds?: number;
  /** Seconds (fake clock) before an async (202) result becomes available. Default 5. */
  asyncResultSeconds?: number;
  /** Seconds (fake clock) before paid intents / approved refunds settle. Default 5. */
  settleSeconds?: number;
  /** Accept customer.<uuid> scopes for unknown customers. Default false. */
  allowAnyCustomer?: boolean;
  /**
   * Body of api-listener 401/403 responses. Lean's are undocumented and recorded empty, so the
   * default is `empty` (RFC 6750 `WWW-Authenticate` only); `json` adds a Lean-style envelope.
   */
  authErrorBody?: 'empty' | 'json';
  /** Record requests (default true); `{ limit }` caps the journal (default 10 000, oldest dropped). */
  journal?: boolean | { limit?: number };
  /** Redact client secrets, Basic credentials and bearer tokens in the journal. Default true. */
  redactJournal?: boolean;
  /**
   * Check every api request against Lean's OpenAPI documents (unknown path, missing required parameter,
   * wrong type, wrong content type, body not matching its schema → 400 with the reason, journaled as
   * `contract`); operations the sandbox does not simulate answer with the documented example.
   * `true` reads ../shared/lean/openapi (a folder path reads that folder). Default false.
   */
  contract?: boolean | string;
}

export interface JournalEntry {
  seq: number;
  listener: 'auth' | 'api';
  method: string;
  /** Request path without the query string, as sent. */
  path: string;
  query: Record<string, string | string[]>;
  rawQuery: string;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Request body text (secrets redacted unless `redactJournal: false`). */
  body: string;
  /** Fake-clock ISO timestamp. */
  timestamp: string;
  /** Wall-clock epoch ms. */
  receivedAt: number;
  status?: number;
  durationMs?: number;
  /** Fault kind applied, e.g. "status", and the rule id. */
  fault?: string;
  faultId?: string;
  /** Lean operation name (api listener) when the route matched. */
  operation?: string;
  /** The route is not documented by Lean (served for a capability). */
  undocumented?: boolean;
  /** Fingerprint of the bearer token used (never the token itself). */
  token?: { jti: string; clientId: string; kind: 'api' | 'customer' };
  /** For POST /oauth2/token. The secret value is never recorded. */
  tokenRequest?: TokenRequestInfo;
  idempotencyKey?: string;
  idempotentReplay?: boolean;
  correlationId?: string;
  /** Set when the response could not be produced normally. */
  error?: string;
  /** The contract check (`contract` option): the documented operation and why the request was refused. */
  contract?: { operationId?: string; document?: string; ok: boolean; errors?: string[] };
  /** The answer is the documented example of an operation the sandbox does not simulate. */
  documentedExample?: boolean;
}

export interface IssueTokenOptions {
  /** `api` (default) or `customer.<uuid>`. */
  scope?: string;
  clientId?: string;
  /** Seconds until expiry from the fake clock's now; negative gives an already-expired token. Default: tokenTtlSeconds + 1. */
  expiresIn?: number;
  /** Override the fine-grained permission list. */
  permissions?: readonly string[];
  audience?: string;
  issuer?: string;
  /** Seconds to shift iat/nbf (positive = not yet valid). */
  notBeforeOffset?: number;
  /** Sign with a key that is not published in the JWKS. */
  unknownKey?: boolean;
}

export interface RouteInfo {
  method: string;
  path: string;
  operation: string;
  permission: string;
  undocumented: boolean;
}

export interface LeanSandbox {
  /** e.g. http://127.0.0.1:41234 — stands in for https://auth.leantech.me */
  readonly authUrl: string;
  /** e.g. http://127.0.0.1:41235 — stands in for https://api2.leantech.me */
  readonly apiUrl: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  readonly clients: readonly SandboxClient[];
  /** Fixed fixture ids (customers, entities, accounts, intents, consents, payouts…). */
  readonly ids: typeof LEAN_IDS;
  readonly journal: JournalEntry[];
  clearJournal(): void;
  readonly faults: FaultController;
  readonly clock: FakeClock;
  /** The api route table (method, path, operation, permission). */
  readonly routes: readonly RouteInfo[];
  /** Lean's documented operations, when the `contract` option is on. */
  readonly contract?: LeanContract;
  /** Mint a token directly (no HTTP, not journaled). */
  issueToken(options?: IssueTokenOptions): Promise<string>;
  /** New signing key; tokens signed with the old key fail (unless keepPrevious). Returns the new kid. */
  rotateKeys(options?: { keepPrevious?: boolean }): Promise<string>;
  /** Revoke one token by jti, or every token issued so far. */
  revokeTokens(jti?: string): void;
  /** Re-reveal a client's secret: the old one becomes invalid_client. Returns the new secret. */
  rotateSecret(clientId?: string): string;
  /** Make the token endpoint misbehave (§5.3); `undefined` restores normal tokens. */
  setTokenOverrides(overrides: TokenOverrides | undefined): void;
  /** Stand-in for LinkSDK pay(): appends a PENDING_WITH_BANK payment to an intent. */
  payIntent(intentId: string, outcome?: 'ACCEPTED_BY_BANK' | 'FAILED'): Record<string, unknown>;
  /** Stand-in for LinkSDK authorizeConsent(): AWAITING_AUTHORISATION → AUTHORISED. */
  authorizeConsent(consentId: string): Record<string, unknown>;
  /** Restore fixtures and clear state, journal, faults, overrides, revocations; reset the clock. */
  reset(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------

const API_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '0',
  'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
  pragma: 'no-cache',
  expires: '0',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-frame-options': 'DENY',
  server: 'cloudflare',
};
const RFC6750 = 'https://tools.ietf.org/html/rfc6750#section-3.1';
const MAX_BODY = 2 * 1024 * 1024;
const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

function seedNumber(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0);
}

function flattenHeaders(h: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function queryRecord(q: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of q) {
    const cur = out[k];
    out[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function isJsonContentType(ct: string | undefined): boolean {
  const base = (ct ?? '').split(';')[0]!.trim().toLowerCase();
  return base === 'application/json' || base.endsWith('+json');
}

export async function startLeanSandbox(options: LeanSandboxOptions = {}): Promise<LeanSandbox> {
  const host = options.host ?? '127.0.0.1';
  const seed = String(options.seed ?? 'lean-sandbox');
  const clock = new FakeClock(options.clock);
  const ids = new IdSource(seed);
  const rand = prng(seedNumber(seed));
  const faults = new FaultController(rand);
  const keys = new KeyStore();
  await keys.init();
  const ttl = options.tokenTtlSeconds ?? 3599;
  const leeway = options.leewaySeconds ?? 0;
  const authErrorBody = options.authErrorBody ?? 'empty';
  const journalOn = options.journal !== false;
  const journalLimit = typeof options.journal === 'object' ? (options.journal.limit ?? 10_000) : 10_000;
  const redact = options.redactJournal !== false;

  const behaviour: BehaviourOptions = {
    strict: options.strict ?? true,
    refreshSeconds: options.refreshSeconds ?? 8,
    asyncResultSeconds: options.asyncResultSeconds ?? 5,
    settleSeconds: options.settleSeconds ?? 5,
    allowAnyCustomer: options.allowAnyCustomer ?? false,
  };
  const initialClients = (options.clients ?? defaultClients()).map((c) => ({ ...c }));
  const clients = new Map(initialClients.map((c) => [c.clientId, c]));
  const core: SandboxCore = { clock, ids, behaviour, state: seedState(clock.now()), rand };

  let authUrl = '';
  let apiUrl = '';
  let overrides: TokenOverrides | undefined;
  const revoked = new Set<string>();
  let revokedBefore = 0;
  const journal: JournalEntry[] = [];
  let seq = 0;
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const authEnv: AuthEnv = {
    clock,
    ids,
    keys,
    authUrl: () => authUrl,
    apiUrl: () => apiUrl,
    clients,
    ttlSeconds: ttl,
    allowAnyCustomer: behaviour.allowAnyCustomer,
    customerExists: (id) => core.state.customers.has(id),
    overrides: () => overrides,
  };

  const router = new Router<RouteDef>(API_ROUTES);
  const contract = options.contract ? await LeanContract.load(typeof options.contract === 'string' ? options.contract : DEFAULT_OPENAPI_DIR) : undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  // ------------------------------------------------------------------ journal

  function record(entry: JournalEntry): void {
    if (!journalOn) return;
    journal.push(entry);
    if (journal.length > journalLimit + Math.ceil(journalLimit / 10)) journal.splice(0, journal.length - journalLimit);
  }

  function redactHeaders(h: Record<string, string>): Record<string, string> {
    if (!redact) return h;
    const a = h.authorization;
    if (a !== undefined) {
      const scheme = a.split(/\s+/)[0] ?? '';
      h.authorization = `${scheme} [REDACTED]`;
    }
    if (h['lean-app-token'] !== undefined) h['lean-app-token'] = '[REDACTED]';
    return h;
  }

  function redactBody(body: string): string {
    if (!redact || body === '') return body;
    return body
      .replace(/(^|&)(client_secret|client_assertion)=[^&]*/g, '$1$2=[REDACTED]')
      .replace(/("(?:client_secret|access_token)"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"[REDACTED]"');
  }

  // ------------------------------------------------------------------ response writing

  function baseHeaders(listener: 'auth' | 'api', correlation: string | undefined): Record<string, string> {
    const h: Record<string, string> = listener === 'api' ? { ...API_HEADERS } : { server: 'cloudflare' };
    if (listener === 'api') {
      h['lean-correlation-id'] = correlation ?? ids.correlationId();
      h['lean-trace-id'] = ids.traceId();
    }
    h['cf-ray'] = ids.cfRay();
    return h;
  }

  function serialize(reply: Reply): string | Buffer {
    if (reply.raw !== undefined) return reply.raw;
    if (reply.body === undefined) return '';
    return JSON.stringify(reply.body);
  }

  function send(res: ServerResponse, headers: Record<string, string>, reply: Reply, post: FaultAction | undefined, entry: JournalEntry): void {
    if (res.destroyed || res.headersSent) return;
    let status = reply.status;
    let payload: string | Buffer = serialize(reply);
    const h: Record<string, string> = { ...headers, ...(reply.headers ?? {}) };
    if (payload === '' && reply.raw === undefined) delete h['content-type'];
    if (post?.kind === 'malformed-json') {
      const text = payload.toString();
      switch (post.variant ?? 'truncated') {
        case 'truncated':
          payload = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
          h['content-type'] = 'application/json';
          break;
        case 'invalid':
          status = 200;
          payload = "{status: OK, 'results_id': undefined,";
          h['content-type'] = 'application/json';
          break;
        case 'html-200':
          status = 200;
          payload = '<!DOCTYPE html><html><head><title>Lean</title></head><body><h1>Maintenance</h1></body></html>';
          h['content-type'] = 'text/html; charset=UTF-8';
          break;
        case 'empty-200':
          status = 200;
          payload = '';
          h['content-type'] = 'application/json';
          break;
        case 'wrong-content-type':
          h['content-type'] = 'text/plain; charset=UTF-8';
          break;
        case 'trailing-garbage':
          payload = `${text}\n}<!-- cf -->`;
          h['content-type'] = 'application/json';
          break;
      }
    }
    const buf = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    h['content-length'] = String(buf.length);
    entry.status = status;
    entry.durationMs = Date.now() - entry.receivedAt;
    if (post?.kind === 'reset' && post.when === 'mid-body') {
      res.writeHead(status, h);
      res.flushHeaders();
      const part = buf.subarray(0, Math.max(1, Math.floor(buf.length / 2)));
      res.write(part, () => setImmediate(() => res.socket?.destroy()));
      return;
    }
    if (post?.kind === 'slow-body') {
      res.writeHead(status, h);
      res.flushHeaders();
      const perTick = Math.max(1, Math.floor(post.bytesPerSecond / 10));
      let off = 0;
      const tick = setInterval(() => {
        if (res.destroyed || closed) {
          clearInterval(tick);
          timers.delete(tick);
          return;
        }
        const next = buf.subarray(off, off + perTick);
        off += next.length;
        if (off >= buf.length) {
          clearInterval(tick);
          timers.delete(tick);
          res.end(next);
        } else {
          res.write(next);
        }
      }, 100);
      timers.add(tick);
      return;
    }
    res.writeHead(status, h);
    res.end(buf);
  }

  function faultReply(listener: 'auth' | 'api', action: FaultAction, headers: Record<string, string>): Reply | undefined {
    switch (action.kind) {
      case 'status': {
        if (action.body !== undefined) {
          return typeof action.body === 'string'
            ? { status: action.status, raw: action.body, headers: { 'content-type': 'text/plain; charset=UTF-8', ...(action.headers ?? {}) } }
            : { status: action.status, body: action.body, headers: action.headers };
        }
        const template = action.template ?? (listener === 'auth' ? 'oauth-error' : 'lean-envelope');
        if (template === 'empty') return { status: action.status, headers: action.headers };
        if (template === 'cloudflare-html') {
          return { status: action.status, raw: cloudflareHtml(action.status, headers['cf-ray']!), headers: { 'content-type': 'text/html; charset=UTF-8', ...(action.headers ?? {}) } };
        }
        if (template === 'oauth-error') {
          const error = action.status === 503 ? 'temporarily_unavailable' : action.status >= 500 ? 'server_error' : action.status === 401 ? 'invalid_client' : 'invalid_request';
          return { status: action.status, body: { error }, headers: { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store', pragma: 'no-cache', ...(action.headers ?? {}) } };
        }
        const code = action.status >= 500 ? (action.status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR') : `HTTP_${action.status}`;
        const message = action.status >= 500 ? MSG.internal : `Injected ${action.status} response.`;
        return { status: action.status, body: errorBody(new LeanError(action.status, code, message), clock.iso(), undefined), headers: action.headers };
      }
      case 'rate-limit': {
        const h: Record<string, string> = {};
        if (action.retryAfter !== undefined && action.retryAfter !== null) h['retry-after'] = String(action.retryAfter);
        if (action.rateLimitHeaders) {
          h['x-ratelimit-limit'] = '60';
          h['x-ratelimit-remaining'] = '0';
          h['x-ratelimit-reset'] = String(typeof action.retryAfter === 'number' ? action.retryAfter : 60);
        }
        if (action.body === 'empty') return { status: 429, headers: h };
        const body = errorBody(new LeanError(429, 'TOO_MANY_REQUESTS', 'Too many requests, please try again later.'), clock.iso(), undefined);
        return { status: 429, body, headers: h };
      }
      case 'html-error': {
        const status = action.status ?? 502;
        return { status, raw: cloudflareHtml(status, headers['cf-ray']!), headers: { 'content-type': 'text/html; charset=UTF-8' } };
      }
      default:
        return undefined;
    }
  }

  // ------------------------------------------------------------------ auth listener

  async function handleAuth(method: string, path: string, headers: Record<string, string>, body: string, entry: JournalEntry): Promise<Reply> {
    const p = normalizePath(path);
    if (p === '/oauth2/token') {
      if (method !== 'POST') return { status: 405, headers: { allow: 'POST' } };
      const { reply, info } = await handleTokenRequest(authEnv, headers, body);
      entry.tokenRequest = info;
      return reply;
    }
    if ((p === '/oauth2/jwks' || p === '/.well-known/jwks.json') && (method === 'GET' || method === 'HEAD')) {
      return { status: 200, body: keys.jwksDocument(), headers: { 'content-type': 'application/json;charset=ISO-8859-1' } };
    }
    if ((p === '/.well-known/oauth-authorization-server' || p === '/.well-known/openid-configuration') && method === 'GET') {
      return { status: 200, body: authorizationServerMetadata(authUrl) };
    }
    // Spring Boot's default error body
    return { status: 404, body: { timestamp: clock.iso(), status: 404, error: 'Not Found', path: p } };
  }

  // ------------------------------------------------------------------ api listener

  function authFailure(status: 401 | 403, wwwAuthenticate: string, message: string): Reply {
    const headers = { 'www-authenticate': wwwAuthenticate };
    if (authErrorBody === 'empty') return { status, headers };
    const code = status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN';
    return { status, headers, body: errorBody(new LeanError(status, code, message), clock.iso(), undefined) };
  }

  async function handleApi(
    method: string,
    path: string,
    query: URLSearchParams,
    headers: Record<string, string>,
    rawHeaders: IncomingMessage['headers'],
    body: string,
    entry: JournalEntry,
  ): Promise<Reply> {
    const authz = headers.authorization;
    if (authz !== undefined && headers['lean-app-token'] !== undefined) {
      throw new LeanError(400, 'INVALID_PARAMETERS', "Do not supply a 'lean-app-token' header when providing an 'Authorization' header");
    }
    const m = authz === undefined ? null : /^bearer\s+(\S+)\s*$/i.exec(authz);
    if (!m) return authFailure(401, 'Bearer', 'Full authentication is required to access this resource');
    let token: VerifiedToken;
    try {
      token = await keys.verify(m[1]!, {
        issuer: authUrl,
        audience: apiUrl,
        nowSeconds: clock.nowSeconds(),
        leewaySeconds: leeway,
        revoked,
        revokedBefore,
      });
    } catch (err) {
      if (!(err instanceof TokenRejected)) throw err;
      const d = err.message.replace(/"/g, "'");
      return authFailure(401, `Bearer error="invalid_token", error_description="${d}", error_uri="${RFC6750}"`, d);
    }
    entry.token = { jti: token.jti, clientId: token.clientId, kind: token.kind };

    const checked = contract?.check(method, path, query, headers, body);
    if (checked) {
      entry.contract = { operationId: checked.operation?.operationId, document: checked.operation?.document, ok: checked.ok, ...(checked.ok ? {} : { errors: checked.errors }) };
      if (!checked.ok) throw new LeanError(400, 'INVALID_PARAMETERS', `${MSG.badParams}: ${checked.errors.join('; ')}.`);
    }
    const match = router.match(method, path);
    if (match.kind !== 'match' && checked?.operation) {
      // Documented by Lean but not simulated here: the document's own example answer.
      entry.operation = checked.operation.operationId;
      entry.documentedExample = true;
      const example = checked.operation.example;
      return example.body === undefined || example.status === 204 ? { status: example.status } : { status: example.status, body: example.body };
    }
    if (match.kind === 'not-found') {
      throw new LeanError(404, 'NOT_FOUND', `No endpoint ${method} ${normalizePath(path)}.`);
    }
    if (match.kind === 'method-not-allowed') {
      throw new LeanError(405, 'METHOD_NOT_ALLOWED', `Request method '${method}' is not supported.`, false, { allow: match.allow.join(', ') });
    }
    const route = match.route.def;
    entry.operation = route.operation;
    if (route.undocumented) entry.undocumented = true;
    if (!token.permissions.has(route.permission)) {
      return authFailure(
        403,
        `Bearer error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", error_uri="${RFC6750}"`,
        'Not allowed to perform the operation',
      );
    }

    let resultsId: string | undefined;
    const ctx: RequestCtx = {
      sb: core,
      method,
      path,
      params: match.params,
      query,
      headers: rawHeaders,
      bodyText: body,
      token,
      body: undefined,
      resultsId: () => (resultsId ??= ids.uuid()),
    };
    try {
      if (route.jsonBody && body.trim() !== '') {
        if (!isJsonContentType(headers['content-type'])) {
          throw new LeanError(
            400,
            'INVALID_PARAMETERS',
            `${MSG.badParams}, field: body, value: Content-Type '${headers['content-type'] ?? 'none'}' is not supported, use application/json.`,
            !!route.data,
          );
        }
        try {
          ctx.body = JSON.parse(body);
        } catch {
          throw new LeanError(400, 'INVALID_PARAMETERS', `${MSG.badParams}, field: body, value: malformed JSON.`, !!route.data);
        }
      }

      // idempotency (AOF payments: required; payouts, refunds: optional) — [fake] replay semantics
      if (route.idempotency) {
        const key = headers['idempotency-key'];
        if (key === undefined || key.trim() === '') {
          if (route.idempotency === 'required' && behaviour.strict) {
            throw new LeanError(400, 'INVALID_PARAMETERS', `${MSG.badParams}, field: Idempotency-Key, value: null.`);
          }
        } else {
          entry.idempotencyKey = key;
          const scopeKey = `${token.clientId}|${route.method} ${route.path}|${key}`;
          const hash = createHash('sha256').update(body).digest('hex');
          const now = clock.now();
          const prev = core.state.idempotency.get(scopeKey);
          if (prev && prev.expiresMs > now) {
            if (prev.hash !== hash) {
              throw new LeanError(409, 'IDEMPOTENCY_KEY_REUSED', 'The Idempotency-Key has already been used with a different request body.');
            }
            entry.idempotentReplay = true;
            return { ...prev.reply, headers: { ...(prev.reply.headers ?? {}), 'x-lean-fake-idempotent-replay': 'true' } };
          }
          const reply = await route.handler(ctx);
          if (reply.status < 500) core.state.idempotency.set(scopeKey, { hash, reply: { ...reply, raw: serialize(reply) }, expiresMs: now + IDEMPOTENCY_TTL_MS });
          return reply;
        }
      }
      return await route.handler(ctx);
    } catch (err) {
      if (err instanceof LeanError && err.withResultsId) err.resultsId = ctx.resultsId();
      throw err;
    }
  }

  // ------------------------------------------------------------------ control plane (/_fake/*)

  async function handleControl(method: string, path: string, body: string): Promise<Reply> {
    const p = normalizePath(path);
    let b: Record<string, unknown> = {};
    if (body.trim()) {
      try {
        const parsed = JSON.parse(body) as unknown;
        b = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
      } catch {
        return { status: 400, body: { error: 'invalid JSON' } };
      }
    }
    try {
      if (p === '/_fake/journal') {
        if (method === 'DELETE') {
          journal.length = 0;
          return { status: 204 };
        }
        return { status: 200, body: journal };
      }
      if (p === '/_fake/faults') {
        if (method === 'DELETE') {
          faults.clear();
          return { status: 204 };
        }
        if (method === 'POST') {
          const raw: unknown = Array.isArray(b) ? b : Array.isArray(b.rules) ? b.rules : [b];
          const added = (raw as Record<string, unknown>[]).map((r) => {
            const { times, skip, probability, ...rule } = r;
            return faults.set(rule as unknown as FaultAction, {
              times: times as number | undefined,
              skip: skip as number | undefined,
              probability: probability as number | undefined,
            });
          });
          return { status: 200, body: { ids: added } };
        }
        return { status: 200, body: faults.list().map((f) => ({ ...f, rule: { ...f.rule, route: String(f.rule.route ?? '') } })) };
      }
      if (p === '/_fake/clock' && method === 'POST') {
        if (typeof b.advance_seconds === 'number') clock.advance(b.advance_seconds);
        if (typeof b.now === 'string') clock.set(b.now);
        return { status: 200, body: { now: clock.iso() } };
      }
      if (p === '/_fake/clock') return { status: 200, body: { now: clock.iso() } };
      if (p === '/_fake/keys/rotate' && method === 'POST') return { status: 200, body: { kid: await keys.rotate(b.keep_previous === true) } };
      if (p === '/_fake/reset' && method === 'POST') {
        sandbox.reset();
        return { status: 204 };
      }
      if (p === '/_fake/ids') return { status: 200, body: { ...LEAN_IDS, clientIds: [...clients.keys()] } };
      let mm = /^\/_fake\/intents\/([^/]+)\/pay$/.exec(p);
      if (mm && method === 'POST') {
        const outcome = b.outcome === 'FAILED' || b.outcome === 'ACCEPTED_BY_BANK' ? b.outcome : undefined;
        return { status: 200, body: payIntent(core, decodeURIComponent(mm[1]!), outcome) };
      }
      mm = /^\/_fake\/consents\/([^/]+)\/authori[sz]e$/.exec(p);
      if (mm && method === 'POST') return { status: 200, body: authorizeConsent(core, decodeURIComponent(mm[1]!)) };
      return { status: 404, body: { error: `unknown control route ${method} ${p}` } };
    } catch (err) {
      if (err instanceof LeanError) return { status: err.httpStatus, body: errorBody(err, clock.iso(), undefined) };
      return { status: 500, body: { error: String(err) } };
    }
  }

  // ------------------------------------------------------------------ request entry point

  async function onRequest(listener: 'auth' | 'api', req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi === -1 ? url : url.slice(0, qi);
    const rawQuery = qi === -1 ? '' : url.slice(qi + 1);
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end('{"error":"payload too large"}');
      }
      return;
    }
    if (path.startsWith('/_fake/')) {
      const reply = await handleControl(method, path, body);
      const payload = serialize(reply);
      res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
      res.end(payload);
      return;
    }
    const query = new URLSearchParams(rawQuery);
    const headers = flattenHeaders(req.headers);
    const correlation = headers['lean-correlation-id'];
    const entry: JournalEntry = {
      seq: ++seq,
      listener,
      method,
      path,
      query: queryRecord(query),
      rawQuery,
      headers: redactHeaders({ ...headers }),
      body: redactBody(body),
      timestamp: clock.iso(),
      receivedAt,
    };
    if (correlation) entry.correlationId = correlation;
    record(entry);
    const outHeaders = baseHeaders(listener, correlation);

    const picked = faults.pick(listener, method, normalizePath(path));
    let post: FaultAction | undefined;
    if (picked) {
      entry.fault = picked.action.kind;
      entry.faultId = picked.id;
      const a = picked.action;
      if (a.kind === 'latency') {
        const extra = a.maxMs !== undefined && a.maxMs > a.ms ? Math.floor(rand() * (a.maxMs - a.ms)) : 0;
        await sleep(a.ms + extra);
        if (closed || res.destroyed) return;
      } else if (a.kind === 'hang') {
        return; // never answer; close() destroys the socket
      } else if (a.kind === 'reset' && (a.when ?? 'before-headers') === 'before-headers') {
        entry.status = 0;
        req.socket.destroy();
        return;
      } else if (a.kind === 'malformed-json' || a.kind === 'reset' || a.kind === 'slow-body') {
        post = a;
      } else {
        const r = faultReply(listener, a, outHeaders);
        if (r) {
          const h = listener === 'api' ? outHeaders : { server: 'cloudflare', 'cf-ray': outHeaders['cf-ray']! };
          send(res, h, r, undefined, entry);
          return;
        }
      }
    }

    let reply: Reply;
    try {
      reply =
        listener === 'auth'
          ? await handleAuth(method, path, headers, body, entry)
          : await handleApi(method, path, query, headers, req.headers, body, entry);
    } catch (err) {
      if (err instanceof LeanError) {
        reply = { status: err.httpStatus, body: errorBody(err, clock.iso(), err.resultsId), headers: err.headers };
      } else {
        entry.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        reply = { status: 500, body: errorBody(new LeanError(500, 'INTERNAL_SERVER_ERROR', MSG.internal), clock.iso(), undefined) };
      }
    }
    const h = listener === 'api' ? outHeaders : { server: 'cloudflare', 'cf-ray': outHeaders['cf-ray']!, 'content-type': 'application/json' };
    send(res, h, reply, post, entry);
  }

  function makeServer(listener: 'auth' | 'api'): Server {
    const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      onRequest(listener, req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: String(err) }));
        }
      });
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    return server;
  }

  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });

  const authServer = makeServer('auth');
  const apiServer = makeServer('api');
  const urlHost = host.includes(':') ? `[${host}]` : host;
  authUrl = `http://${urlHost}:${await listen(authServer, options.authPort ?? 0)}`;
  try {
    apiUrl = `http://${urlHost}:${await listen(apiServer, options.apiPort ?? 0)}`;
  } catch (err) {
    authServer.close();
    throw err;
  }

  const stopServer = (server: Server) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const sandbox: LeanSandbox = {
    authUrl,
    apiUrl,
    tokenUrl: `${authUrl}/oauth2/token`,
    jwksUrl: `${authUrl}/oauth2/jwks`,
    get clients() {
      return [...clients.values()].map((c) => ({ ...c }));
    },
    ids: LEAN_IDS,
    journal,
    contract,
    clearJournal: () => {
      journal.length = 0;
    },
    faults,
    clock,
    routes: API_ROUTES.map((r) => ({ method: r.method, path: r.path, operation: r.operation, permission: r.permission, undocumented: !!r.undocumented })),
    async issueToken(o: IssueTokenOptions = {}) {
      const now = clock.nowSeconds();
      const iat = now + (o.notBeforeOffset ?? 0);
      const { token } = await mintToken(authEnv, {
        clientId: o.clientId ?? SANDBOX_CLIENT_ID,
        scope: o.scope ?? 'api',
        ttlSeconds: ttl,
        permissions: o.permissions ?? (o.scope && o.scope !== 'api' ? undefined : clients.get(o.clientId ?? SANDBOX_CLIENT_ID)?.permissions),
        audience: o.audience,
        issuer: o.issuer,
        iat,
        exp: o.expiresIn !== undefined ? now + o.expiresIn : undefined,
        unknownKey: o.unknownKey,
      });
      return token;
    },
    rotateKeys: (o) => keys.rotate(o?.keepPrevious ?? false),
    revokeTokens(jti?: string) {
      if (jti) revoked.add(jti);
      else revokedBefore = clock.nowSeconds() + 1;
    },
    rotateSecret(clientId = SANDBOX_CLIENT_ID) {
      const c = clients.get(clientId);
      if (!c) throw new Error(`lean sandbox: unknown client ${clientId}`);
      c.clientSecret = `lean-fake-canary-secret-rotated-${ids.uuid().slice(0, 8)}`;
      return c.clientSecret;
    },
    setTokenOverrides(o) {
      overrides = o ? { ...o } : undefined;
    },
    payIntent: (intentId, outcome) => payIntent(core, intentId, outcome),
    authorizeConsent: (consentId) => authorizeConsent(core, consentId),
    reset() {
      clock.reset();
      ids.reset();
      core.state = seedState(clock.now());
      journal.length = 0;
      faults.clear();
      overrides = undefined;
      revoked.clear();
      revokedBefore = 0;
      clients.clear();
      for (const c of initialClients) clients.set(c.clientId, { ...c });
      keys.forgetCached();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      timers.clear();
      await Promise.all([stopServer(authServer), stopServer(apiServer)]);
    },
  };
  return sandbox;
}
