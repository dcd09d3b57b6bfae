/**
 * The REST surface: one hono router per listener, with the routes of every
 * REST adapter that shares that listener. The surface supplies only what is
 * REST about a request — routing, parsing the body by media type, rendering a
 * result (shaped JSON, or the upstream answer passed through with its status,
 * so a caller sees the upstream's own `invalid_client`) and rendering errors as
 * RFC 9457 problem documents. Everything else is the shared pipeline
 * (src/exposes/pipeline): observation, the error boundary, authentication, the
 * body limit, and the call stages around the invocation.
 */
import { mountApiDocs } from './docs.js';
import { Hono, type Context } from 'hono';
import { asRuntimeError, MethodNotAllowedError, NotFoundError, type RuntimeError } from '../../engine/errors.js';
import type { CompiledInvocable, InvocationResult } from '../../engine/invocation.js';
import type { RestInput } from '../../engine/input.js';
import type { Redactor } from '../../engine/redact.js';
import type { HttpMethod } from '../../capability/model.js';
import type { Logger } from '../../http/logger.js';
import type { RequestObserver } from '../../http/observer.js';
import { headerRecord } from '../../http/headers.js';
import { requestIdFrom } from '../../http/request-id.js';
import { nodeBindings, sendReply, toResponse, type Reply } from '../../http/reply.js';
import { parseRequestBody } from './body.js';
import { problemReply } from './problem.js';
import type { InboundAuth } from '../auth/inbound.js';
import { Exchange } from '../pipeline/exchange.js';
import { compose, type Handler, type Stage } from '../pipeline/stage.js';
import { invokeTarget, type Call, type CallStage } from '../pipeline/call.js';
import { observe } from '../pipeline/observe.js';
import { renderErrors } from '../pipeline/render-errors.js';
import { authenticate } from '../pipeline/authenticate.js';
import { readBody } from '../pipeline/read-body.js';
import { guard, type OriginPolicy } from '../pipeline/guard.js';

export type { RequestObserver };

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

export interface RestAppOptions {
  /** The listener's OpenAPI document: served at /openapi.json with a docs page at /docs. */
  openapi?: () => Record<string, unknown>;
  redactor: Redactor;
  logger: Logger;
  maxBodyBytes: number;
  observe?: RequestObserver;
  /** DNS-rebinding / cross-site guard (Host always; Origin and Sec-Fetch-Site on unsafe methods). */
  origin?: OriginPolicy;
  /** Request stages every request of the listener passes first (host/origin guard, CORS, tracing…), outermost first. */
  requestStages?: readonly Stage[];
  /** Call stages around each invocation (rate limit, response cache…), outermost first. */
  callStages?: readonly CallStage[];
  /** Stages outside everything, observation and error rendering included (tracing, CORS): they see every reply. */
  edgeStages?: readonly Stage[];
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
  const pipeline = restPipeline(options);
  // Hono tries routes in registration order: register literal segments before parameters so
  // `/customers/v1/entities` wins over `/customers/v1/:customer_id` from whichever file (lean.md §2.9).
  for (const list of [...byPath.entries()].sort(([a], [b]) => bySpecificity(a, b)).map(([, l]) => l)) {
    const forward = list.find((r) => r.method === 'ALL');
    const honoPath = toHonoPath(list[0]!.path, forward !== undefined);
    for (const route of list) if (route !== forward) app.on(route.method, honoPath, entry(route, pipeline.route(route)));
    if (forward) {
      app.all(honoPath, entry(forward, pipeline.route(forward))); // declared methods first, then the proxy
      continue;
    }
    const allow = [...new Set(list.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])))];
    const label = { adapter: list[0]!.label.split('.')[0]!, operation: METHOD_NOT_ALLOWED };
    app.all(honoPath, entry(label, pipeline.refuse((ex) => new MethodNotAllowedError(`${ex.method} is not allowed on ${pathOf(ex)}.`, allow))));
  }
  if (options.openapi) mountApiDocs(app, options.openapi);
  app.notFound(entry(UNMATCHED, pipeline.refuse((ex) => new NotFoundError(`No route matches ${ex.method} ${pathOf(ex)}.`))));
  app.onError((error, c) => toResponse(problemReply(asRuntimeError(error), options.redactor, requestIdFrom(c.req.raw.headers))));
  return app;
}

/**
 * Segment by segment, a literal sorts before a `:param` (only the kinds are compared, so the order is
 * total and the stable sort keeps declaration order among equally specific paths).
 */
function bySpecificity(a: string, b: string): number {
  const ka = a.split('/').map((s) => (s.startsWith(':') ? 1 : 0));
  const kb = b.split('/').map((s) => (s.startsWith(':') ? 1 : 0));
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
  return ka.length - kb.length;
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

/**
 * Labels of requests no operation answers, so they are counted too (issue 14
 * item 7) with bounded label values — never the raw path.
 */
const UNMATCHED = { adapter: '(none)', operation: '(unmatched)' };
const METHOD_NOT_ALLOWED = '(method-not-allowed)';

/** The hono handler of a route (or of a refusal): the routing step of the pipeline, then the rest of it. */
function entry(target: RestRoute | { adapter: string; operation: string }, handler: Handler): (c: Context) => Promise<Response> {
  const route = 'compiled' in target ? target : undefined;
  const adapter = route ? route.label.split('.')[0]! : (target as { adapter: string }).adapter;
  const operation = route ? route.label : (target as { operation: string }).operation;
  return async (c) => {
    const bindings = nodeBindings(c.env, 'REST');
    const exchange = new Exchange('rest', bindings.incoming);
    exchange.adapter = adapter;
    exchange.operation = operation;
    if (route) {
      exchange.route = route.path;
      exchange.params = c.req.param() as Record<string, string>;
    }
    return sendReply(bindings, await handler(exchange));
  };
}

/** The decoded path as the router saw it (for messages). */
function pathOf(exchange: Exchange): string {
  const path = exchange.path;
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** The REST pipeline: shared stages around REST's own parsing and rendering. */
function restPipeline(options: RestAppOptions) {
  const redactor = options.redactor;
  const outer: Stage[] = [
    ...(options.edgeStages ?? []),
    observe('rest', options.observe),
    renderErrors((error, exchange) => {
      const failure: RuntimeError = asRuntimeError(error);
      exchange.error = failure.message;
      return problemReply(failure, redactor, exchange.requestId);
    }),
    ...(options.origin ? [guard(options.origin, { unsafeOnly: true })] : []),
    ...(options.requestStages ?? []),
  ];
  const invoke = compose(options.callStages ?? [], invokeTarget);
  const readLimited = readBody(options.maxBodyBytes, (ex) => ex.method !== 'GET' && ex.method !== 'HEAD');
  return {
    route(route: RestRoute): Handler {
      const adapter = route.label.split('.')[0]!;
      return compose([...outer, authenticate(route.auth), readLimited], async (exchange) => {
        const headers = headerRecord(exchange.incoming);
        const parsed = parseRequestBody(exchange.body, headers['content-type']);
        const input: RestInput = {
          kind: 'rest',
          method: exchange.method,
          path: exchange.params,
          // A forward decodes its rest of the path once, from the path as sent (dot segments resolved, escapes kept).
          ...(route.method === 'ALL' ? { rawPath: new URL(exchange.path, 'http://gateway.invalid').pathname } : {}),
          query: exchange.query,
          headers,
          body: parsed.body,
          rawBody: parsed.raw,
          contentType: parsed.contentType,
        };
        const call: Call = { surface: 'rest', adapter, operation: route.label, caller: exchange.callerId, requestId: exchange.requestId, target: route.compiled, input };
        const result = await invoke(call);
        exchange.upstream = result.upstream;
        const reply = render(result, exchange.requestId, redactor);
        if (call.replyHeaders) for (const [name, value] of Object.entries(call.replyHeaders)) reply.headers[name] ??= value;
        return reply;
      });
    },
    refuse(error: (exchange: Exchange) => RuntimeError): Handler {
      return compose(outer, (exchange) => Promise.reject(error(exchange)));
    },
  };
}

function render(result: InvocationResult, requestId: string, redactor: Redactor): Reply {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  const status = result.status >= 200 && result.status <= 599 ? result.status : 502;
  if (result.hasValue) {
    headers['content-type'] = 'application/json';
    return { status, headers, body: NULL_BODY_STATUSES.has(status) ? null : redactor.redact(JSON.stringify(result.value ?? null)) };
  }
  const raw = result.raw;
  if (raw?.contentType) headers['content-type'] = raw.contentType;
  for (const name of RELAYED_HEADERS) {
    const value = result.upstream?.headers[name];
    if (value !== undefined && headers[name] === undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { status, headers, body: NULL_BODY_STATUSES.has(status) || !raw || raw.body.length === 0 ? null : redactor.redactBuffer(raw.body) };
}
