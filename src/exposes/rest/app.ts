/**
 * The REST surface: one hono app per listener, with the routes of every REST
 * adapter that shares that listener. Each route runs a compiled invocable and
 * renders its result: shaped JSON, or the upstream answer passed through with
 * its status (so a caller sees the upstream's own `invalid_client`). Errors the
 * runtime makes are RFC 9457 problem documents.
 */
import { Hono, type Context } from 'hono';
import { asRuntimeError, MethodNotAllowedError, NotFoundError, type RuntimeError } from '../../engine/errors.js';
import type { CompiledInvocable, InvocationResult } from '../../engine/invocation.js';
import type { RestInput } from '../../engine/input.js';
import type { Redactor } from '../../engine/redact.js';
import type { HttpMethod } from '../../capability/model.js';
import type { Logger } from '../../server/logger.js';
import { requestIdFrom } from '../../server/request-id.js';
import type { IncomingMessage } from 'node:http';
import { readNodeBody, readRequestBody } from './body.js';
import { problemResponse } from './problem.js';
import type { InboundAuth } from '../auth/inbound.js';

export interface RestRoute {
  /** `ALL` for a `forward` resource (every method not declared by an operation). */
  method: HttpMethod | 'ALL';
  /** Path as declared (`/v1/accounts/{account_id}`). */
  path: string;
  compiled: Pick<CompiledInvocable, 'invoke'>;
  /** `adapterNamespace.operationName`, for logs and metrics. */
  label: string;
  file: string;
  /** Inbound authentication of the route's adapter. */
  auth?: InboundAuth;
}

export interface RequestObserver {
  (event: { surface: 'rest' | 'mcp'; adapter: string; operation: string; status: number; durationMs: number; upstreamStatus?: number; upstreamMs?: number; requestId: string; error?: string }): void;
}

export interface RestAppOptions {
  redactor: Redactor;
  logger: Logger;
  maxBodyBytes: number;
  observe?: RequestObserver;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
/** Upstream response headers worth relaying to the caller. */
const RELAYED_HEADERS = ['retry-after', 'cache-control', 'etag', 'last-modified', 'location'];

export function buildRestApp(routes: readonly RestRoute[], options: RestAppOptions): Hono {
  // Non-strict: `/banks/v1` and `/banks/v1/` are the same route (real files declare both styles).
  const app = new Hono({ strict: false });
  const byPath = new Map<string, RestRoute[]>();
  for (const route of routes) {
    const key = toHonoPath(route.path);
    const list = byPath.get(key) ?? [];
    list.push(route);
    byPath.set(key, list);
  }
  for (const list of byPath.values()) {
    const forward = list.find((r) => r.method === 'ALL');
    const honoPath = toHonoPath(list[0]!.path, forward !== undefined);
    for (const route of list) if (route !== forward) app.on(route.method, honoPath, (c) => handle(c, route, options));
    if (forward) {
      app.all(honoPath, (c) => handle(c, forward, options)); // declared methods first, then the proxy
      continue;
    }
    const allow = [...new Set(list.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])))];
    app.all(honoPath, (c) => problemResponse(new MethodNotAllowedError(`${c.req.method} is not allowed on ${c.req.path}.`, allow), options.redactor, requestIdFrom(c.req.raw.headers)));
  }
  app.notFound((c) => problemResponse(new NotFoundError(`No route matches ${c.req.method} ${c.req.path}.`), options.redactor, requestIdFrom(c.req.raw.headers)));
  app.onError((error, c) => problemResponse(asRuntimeError(error), options.redactor, requestIdFrom(c.req.raw.headers)));
  return app;
}

/** `{x}` and `{{x}}` → `:x` (hono's syntax). */
export function toHonoPath(path: string, forward = false): string {
  let normalized = path.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, '{$1}');
  normalized = normalized.replace(/\{([^}]+)\}/g, ':$1');
  // A forward resource's `{path}` takes the rest of the URL, slashes included.
  if (forward) normalized = normalized.replace(/:path(?=\/|$)/, ':path{.+}');
  // The router ignores trailing slashes on requests (non-strict), so routes are registered without one.
  const trimmed = normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

async function handle(c: Context, route: RestRoute, options: RestAppOptions): Promise<Response> {
  const started = performance.now();
  // Read the Node request directly when we have it: building a full web Request
  // (headers object, AbortSignal, body stream) costs more than the rest of the hop.
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const headers = incoming ? nodeHeaders(incoming) : webHeaders(c.req.raw.headers);
  const requestId = requestIdFrom({ get: (name: string) => headers[name] ?? null });
  let response: Response;
  let result: InvocationResult | undefined;
  let failure: RuntimeError | undefined;
  try {
    const url = c.req.url;
    const q = url.indexOf('?');
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    if (route.auth) await route.auth.verify((name) => headers[name] ?? null, query);
    const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    const parsed = !hasBody ? { body: undefined } : incoming ? await readNodeBody(incoming, options.maxBodyBytes) : await readRequestBody(c.req.raw, options.maxBodyBytes);
    const input: RestInput = {
      kind: 'rest',
      method: c.req.method,
      path: c.req.param() as Record<string, string>,
      query,
      headers,
      body: parsed.body,
      rawBody: parsed.raw,
      contentType: parsed.contentType,
    };
    result = await route.compiled.invoke(input, { requestId });
    response = render(result, requestId, options.redactor);
  } catch (error) {
    failure = asRuntimeError(error);
    response = problemResponse(failure, options.redactor, requestId);
  }
  const durationMs = performance.now() - started;
  options.observe?.({
    surface: 'rest',
    adapter: route.label.split('.')[0]!,
    operation: route.label,
    status: response.status,
    durationMs,
    upstreamStatus: result?.upstream?.status,
    upstreamMs: result?.upstream?.durationMs,
    requestId,
    error: failure?.message,
  });
  return response;
}

function render(result: InvocationResult, requestId: string, redactor: Redactor): Response {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  const status = result.status >= 200 && result.status <= 599 ? result.status : 502;
  if (result.hasValue) {
    headers['content-type'] = 'application/json';
    return new Response(NULL_BODY_STATUSES.has(status) ? null : redactor.redact(JSON.stringify(result.value ?? null)), { status, headers });
  }
  const raw = result.raw;
  if (raw?.contentType) headers['content-type'] = raw.contentType;
  for (const name of RELAYED_HEADERS) {
    const value = result.upstream?.headers[name];
    if (value !== undefined && headers[name] === undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return new Response(NULL_BODY_STATUSES.has(status) || !raw || raw.body.length === 0 ? null : redactor.redactBuffer(raw.body), { status, headers });
}


function nodeHeaders(incoming: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function webHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}
