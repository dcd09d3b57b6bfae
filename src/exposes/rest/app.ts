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
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';
import type { Result as RouterMatch } from 'hono/router';
import type { DirectHandler } from '../../http/direct.js';
import { asRuntimeError, MethodNotAllowedError, NotFoundError, type RuntimeError } from '../../engine/errors.js';
import type { CompiledInvocable, InvocationResult } from '../../engine/invocation.js';
import type { RestInput } from '../../engine/input.js';
import type { Redactor } from '../../engine/redact.js';
import type { HttpMethod } from '../../capability/model.js';
import type { Logger } from '../../http/logger.js';
import type { RequestObserver } from '../../http/observer.js';
import { headerRecord } from '../../http/headers.js';
import { requestIdFrom } from '../../http/request-id.js';
import { nodeBindings, sendReply, toResponse, writeReply, type Reply } from '../../http/reply.js';
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

/** A REST listener's handlers: the hono app (every request), and the direct path tried first (src/http/direct.ts). */
export interface RestApp {
  app: Hono;
  direct: DirectHandler;
}

export function buildRestApp(routes: readonly RestRoute[], options: RestAppOptions): RestApp {
  // Non-strict: `/banks/v1` and `/banks/v1/` are the same route (real files declare both styles).
  const app = new Hono({ strict: false });
  // The same routes, in the same order, in a bare router for the direct path.
  const router = new SmartRouter<DirectEntry>({ routers: [new RegExpRouter(), new TrieRouter()] });
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
    for (const route of list) {
      if (route === forward) continue;
      const handler = pipeline.route(route);
      app.on(route.method, honoPath, entry(route, handler));
      router.add(route.method, honoPath, directEntry(route, handler, options.redactor));
    }
    if (forward) {
      const handler = pipeline.route(forward);
      app.all(honoPath, entry(forward, handler)); // declared methods first, then the proxy
      router.add(ALL_METHODS, honoPath, directEntry(forward, handler, options.redactor));
      continue;
    }
    const allow = [...new Set(list.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])))];
    const label = { adapter: list[0]!.label.split('.')[0]!, operation: METHOD_NOT_ALLOWED };
    const refusal = pipeline.refuse((ex) => new MethodNotAllowedError(`${ex.method} is not allowed on ${pathOf(ex)}.`, allow));
    app.all(honoPath, entry(label, refusal));
    router.add(ALL_METHODS, honoPath, directEntry(label, refusal, options.redactor));
  }
  if (options.openapi) mountApiDocs(app, options.openapi);
  app.notFound(entry(UNMATCHED, pipeline.refuse((ex) => new NotFoundError(`No route matches ${ex.method} ${pathOf(ex)}.`))));
  app.onError((error, c) => toResponse(problemReply(asRuntimeError(error), options.redactor, requestIdFrom(c.req.raw.headers))));
  return { app, direct: directPath(router) };
}

/** hono's name for "any method" (what `app.all` registers). */
const ALL_METHODS = 'ALL';
/** Methods the direct path serves; HEAD and OPTIONS keep hono's own handling. */
const DIRECT_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** A path the URL parser leaves as it is: unreserved and sub-delim characters only — no `%`, `\\`, `#`, space or non-ASCII. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@]*)+$/;
/** A dot segment (`/./`, `/../`), which the URL parser would resolve. */
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;
/** A Host the URL parser keeps as sent: a name or IPv4 with an optional port (anything else takes hono's path, which checks it). */
const PLAIN_HOST = /^[a-z0-9.-]+(?::\d{1,5})?$/;

type DirectEntry = (incoming: IncomingMessage, outgoing: ServerResponse, params: Record<string, string>) => void;

/**
 * The direct path: plain requests (the common case) are routed by the bare router and run the same
 * pipeline handler, without a web Request or hono Context. Anything unusual — a percent-encoded or
 * dot-segment path, an odd Host, HEAD/OPTIONS, no route — returns false and takes the hono app, so
 * path decoding, host checks and 404s keep exactly one implementation.
 */
function directPath(router: SmartRouter<DirectEntry>): DirectHandler {
  return (incoming, outgoing) => {
    const method = incoming.method ?? '';
    const target = incoming.url ?? '';
    const host = incoming.headers.host;
    if (!DIRECT_METHODS.has(method) || host === undefined || !PLAIN_HOST.test(host)) return false;
    const q = target.indexOf('?');
    let path = q < 0 ? target : target.slice(0, q);
    if (!PLAIN_PATH.test(path) || path.startsWith('//') || DOT_SEGMENT.test(path)) return false;
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1); // non-strict, as the app
    const match = router.match(method, path);
    const first = match[0][0];
    if (first === undefined) return false;
    first[0](incoming, outgoing, paramsOf(match, first[1]));
    return true;
  };
}

/** Route variables from either result shape of hono's routers (indexes into a stash, or a map). */
function paramsOf(match: RouterMatch<DirectEntry>, map: Record<string, string | number>): Record<string, string> {
  const stash = match[1];
  if (stash === undefined) return map as Record<string, string>;
  const params: Record<string, string> = {};
  for (const name in map) {
    const value = stash[map[name] as number];
    if (value !== undefined) params[name] = value;
  }
  return params;
}

/** The direct twin of `entry`: same exchange, same pipeline handler, the reply written to the Node response. */
function directEntry(target: RestRoute | { adapter: string; operation: string }, handler: Handler, redactor: Redactor): DirectEntry {
  const route = 'compiled' in target ? target : undefined;
  const adapter = route ? route.label.split('.')[0]! : (target as { adapter: string }).adapter;
  const operation = route ? route.label : (target as { operation: string }).operation;
  return (incoming, outgoing, params) => {
    const exchange = new Exchange('rest', incoming);
    exchange.adapter = adapter;
    exchange.operation = operation;
    if (route) {
      exchange.route = route.path;
      exchange.params = params;
    }
    handler(exchange).then(
      (reply) => writeReply(outgoing, reply),
      // The pipeline renders its own errors; this is the boundary's boundary (as hono's onError).
      (error: unknown) => {
        if (!outgoing.headersSent) writeReply(outgoing, problemReply(asRuntimeError(error), redactor, exchange.requestId));
        else outgoing.destroy();
      },
    );
  };
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
        const call: Call = { surface: 'rest', adapter, operation: route.label, caller: exchange.callerId, requestId: exchange.requestId, trace: exchange.trace, target: route.compiled, input };
        const result = await invoke(call);
        exchange.upstream = result.upstream;
        const reply = render(result, exchange.requestId, redactor);
        if (call.replyHeaders) for (const name in call.replyHeaders) reply.headers[name] ??= call.replyHeaders[name]!;
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
