/**
 * CORS for REST adapters (issue 14 item 5; off by default). Two entry points:
 * `preflight` answers an `OPTIONS` with `Access-Control-Request-Method` for a
 * path, and `responseHeaders` adds the fields an allowed origin needs on an
 * actual response. An origin that is not allowed gets no CORS field at all (the
 * browser then blocks the script; the request itself is not refused, as CORS
 * is not an access control for non-browser clients). `*` is never sent with
 * credentials (the config refuses that combination too), and a credentialed
 * or listed-origins answer always says `Vary: Origin` so caches keep answers
 * per origin apart.
 */
import type { CorsPolicy } from './config.js';

/** Always allowed on top of the configured request headers: JSON bodies need it, and it carries no credential. */
const IMPLIED_REQUEST_HEADERS = ['content-type'];
/** Always readable by scripts: the request id and the rate-limit fields this runtime sends. */
const IMPLIED_EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'];

interface CompiledCors {
  any: boolean;
  origins: Set<string>;
  methods: Set<string>;
  requestHeaders: Set<string>;
  allowHeaders: string;
  expose: string;
  credentials: boolean;
  maxAge: string;
}

const compiled = new WeakMap<CorsPolicy, CompiledCors>();

function compile(policy: CorsPolicy): CompiledCors {
  let rules = compiled.get(policy);
  if (!rules) {
    const requestHeaders = new Set([...IMPLIED_REQUEST_HEADERS, ...policy.headers.map((h) => h.toLowerCase())]);
    rules = {
      any: policy.origins.includes('*') && !policy.credentials,
      origins: new Set(policy.origins.filter((o) => o !== '*')),
      methods: new Set(policy.methods.map((m) => m.toUpperCase())),
      requestHeaders,
      allowHeaders: [...requestHeaders].join(', '),
      expose: [...new Set([...IMPLIED_EXPOSED_HEADERS, ...policy.exposeHeaders.map((h) => h.toLowerCase())])].join(', '),
      credentials: policy.credentials,
      maxAge: String(policy.maxAgeSeconds),
    };
    compiled.set(policy, rules);
  }
  return rules;
}

export type HeaderGetter = (name: string) => string | null | undefined;

/** The `Access-Control-Allow-Origin` value for this origin, or undefined when it is not allowed. */
function allowOrigin(rules: CompiledCors, origin: string | null | undefined): string | undefined {
  if (!origin) return undefined;
  if (rules.any) return '*';
  return rules.origins.has(origin.toLowerCase()) ? origin : undefined;
}

/** Whether a request is a CORS preflight (the browser asks before sending the real request). */
export function isPreflight(method: string, header: HeaderGetter): boolean {
  return method === 'OPTIONS' && !!header('origin') && !!header('access-control-request-method');
}

/**
 * The answer to a preflight for a path whose routes accept `pathMethods`:
 * 204 with the allow fields when origin, method and headers are all allowed,
 * 204 without them otherwise (the browser then refuses the real request).
 */
export function preflight(policy: CorsPolicy, header: HeaderGetter, pathMethods: readonly string[]): { status: 204; headers: Record<string, string> } {
  const rules = compile(policy);
  const headers: Record<string, string> = { vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' };
  const origin = allowOrigin(rules, header('origin'));
  const method = (header('access-control-request-method') ?? '').toUpperCase();
  const offered = pathMethods.filter((m) => rules.methods.has(m) || (m === 'HEAD' && rules.methods.has('GET')));
  const asked = (header('access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (!origin || !offered.includes(method) || asked.some((h) => !rules.requestHeaders.has(h))) return { status: 204, headers };
  headers['access-control-allow-origin'] = origin;
  headers['access-control-allow-methods'] = offered.join(', ');
  headers['access-control-allow-headers'] = rules.allowHeaders;
  headers['access-control-max-age'] = rules.maxAge;
  if (rules.credentials) headers['access-control-allow-credentials'] = 'true';
  return { status: 204, headers };
}

/** Fields to add to an actual response (none when the request has no allowed Origin). */
export function responseHeaders(policy: CorsPolicy, origin: string | null | undefined): Record<string, string> | undefined {
  const rules = compile(policy);
  const allowed = allowOrigin(rules, origin);
  if (!allowed) return rules.any ? undefined : { vary: 'Origin' };
  const headers: Record<string, string> = { 'access-control-allow-origin': allowed, 'access-control-expose-headers': rules.expose };
  if (allowed !== '*') headers.vary = 'Origin';
  if (rules.credentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}
