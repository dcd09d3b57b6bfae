/**
 * The inbound policies as pipeline stages (src/exposes/pipeline):
 *
 * - `rateLimitStage` — a call stage: one token per invocation of a labelled
 *   operation (REST route, MCP tool or dynamic resource), keyed by the
 *   pipeline's caller id. A refusal throws RateLimitedError, which REST
 *   renders as 429 problem+json with its headers and MCP `tools/call` as a
 *   readable `isError` result.
 * - `corsStage` — a REST edge stage: answers preflights for declared paths and
 *   adds the CORS fields to every answer (errors included) of an adapter
 *   with CORS on.
 * - `restTracingStage` / `mcpTracingStage` — edge stages: one server span per
 *   request around everything else (errors included); `callTracingStage`
 *   covers stdio tool calls, which have no HTTP request.
 *
 * A stage whose policy is off everywhere is not built at all (undefined), so
 * a runtime without policies runs exactly the pipeline it had.
 */
import type { CallStage, Call } from '../exposes/pipeline/call.js';
import type { Attributes } from '@opentelemetry/api';
import type { Exchange } from '../exposes/pipeline/exchange.js';
import type { Stage } from '../exposes/pipeline/stage.js';
import type { CorsPolicy, Policies, RateLimitPolicy } from './config.js';
import { LabelMemo } from './label-memo.js';
import { isPreflight, preflight, responseHeaders } from './cors.js';
import type { RateLimitDecision, RateLimiter, RateLimitScope } from './rate-limit/limiter.js';
import type { Reply } from '../http/reply.js';
import { endServerSpan, startMcpSpan, startRestSpan, startServerSpan, tracingActive, type ServerSpan } from './spans.js';

/** The operation's own name, as `overrides[].match.operation` names it: REST labels are `adapter.operation`. */
export function operationName(surface: 'rest' | 'mcp', adapter: string, operation: string): string {
  return surface === 'rest' && operation.startsWith(`${adapter}.`) ? operation.slice(adapter.length + 1) : operation;
}

export function rateLimitStage(limiter: RateLimiter, policies: Policies): CallStage | undefined {
  if (!policies.anyEnabled('rateLimit')) return undefined;
  return (next) => {
    // MCP leaves reply headers out (no per-call HTTP answer): only REST asks the decision for them.
    const proceed = (call: Call, decision: RateLimitDecision | undefined) => {
      if (decision && call.surface === 'rest') call.replyHeaders = call.replyHeaders ? { ...call.replyHeaders, ...decision.headers } : decision.headers;
      return next(call);
    };
    // What a call's labels resolve to (its policy and scope), worked out once per surface and operation.
    type Resolved = { policy: RateLimitPolicy; scope: RateLimitScope };
    const resolved = { rest: new LabelMemo<Resolved>(), mcp: new LabelMemo<Resolved>() };
    return (call: Call) => {
      const { policy, scope } = resolved[call.surface].get(call.adapter, call.operation, () => {
        const operation = operationName(call.surface, call.adapter, call.operation);
        return { policy: policies.for(call.adapter, operation).rateLimit, scope: { surface: call.surface, adapter: call.adapter, operation } };
      });
      if (!policy.enabled) return next(call);
      let decision: ReturnType<RateLimiter['enforceNow']>;
      try {
        decision = limiter.enforceNow(policy, scope, call.caller);
      } catch (error) {
        return Promise.reject(error as Error); // a refusal (RateLimitedError), as a rejected call like any other stage's
      }
      return decision instanceof Promise ? decision.then((d) => proceed(call, d)) : proceed(call, decision);
    };
  };
}

/** A declared REST path, for preflights (an `OPTIONS` reaches no route, so the stage finds the path itself). */
export interface CorsPath {
  /** As declared: `/v1/items/{id}`. */
  path: string;
  adapter: string;
  /** Methods its routes serve (`ALL` for a forward resource). */
  methods: string[];
}

interface CompiledPath {
  pattern: RegExp;
  adapter: string;
  methods: string[];
}

export function corsStage(policies: Policies, paths: readonly CorsPath[]): Stage | undefined {
  if (!policies.anyEnabled('cors')) return undefined;
  const compiled: CompiledPath[] = paths.map((p) => ({ pattern: pathPattern(p.path), adapter: p.adapter, methods: offered(p.methods) }));
  const find = (path: string) => compiled.find((c) => c.pattern.test(path));
  // An answer's policy, worked out once per adapter and operation label.
  const resolved = new LabelMemo<CorsPolicy>();
  const corsPolicyOf = (adapter: string, label: string | undefined): CorsPolicy =>
    resolved.get(adapter, label, () => policies.for(adapter, label === undefined ? undefined : operationName('rest', adapter, label)).cors);
  const withFields = (exchange: Exchange, reply: Reply): Reply => {
    const origin = exchange.get('origin');
    if (origin === null) return reply;
    const adapter = exchange.adapter ?? find(exchange.path)?.adapter; // refusals (404/405) reached no route
    if (adapter === undefined) return reply;
    const policy = corsPolicyOf(adapter, exchange.operation);
    if (!policy.enabled) return reply;
    const fields = responseHeaders(policy, origin);
    if (fields) mergeHeaders(reply.headers, fields);
    return reply;
  };
  // Not an async function: a request that is no preflight pays one `then`, not a promise of its own as well.
  return (next) => (exchange) => {
    if (exchange.method === 'OPTIONS') {
      const header = (name: string) => exchange.get(name);
      const target = isPreflight(exchange.method, header) ? find(exchange.path) : undefined;
      const policy = target && policies.for(target.adapter).cors;
      if (target && policy?.enabled) return Promise.resolve({ status: 204, headers: { ...preflight(policy, header, target.methods).headers, 'x-request-id': exchange.requestId }, body: null });
    }
    return next(exchange).then((reply) => withFields(exchange, reply));
  };
}

/** `/v1/items/{id}` → /^\/v1\/items\/[^/]+\/?$/ (a forward resource's `{path}` takes the rest of the URL). */
function pathPattern(path: string): RegExp {
  const normalized = path.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, '{$1}');
  const parts = normalized.split(/(\{[^}]+\})/).map((part) => {
    if (part === '{path}') return '.+';
    if (/^\{[^}]+\}$/.test(part)) return '[^/]+';
    return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  });
  const body = parts.join('').replace(/\/+$/, '');
  return new RegExp(`^${body.startsWith('/') ? body : `/${body}`}/?$`);
}

function offered(methods: string[]): string[] {
  const all = methods.includes('ALL') ? ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] : methods;
  return [...new Set(all.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])))];
}

/** Adds fields to a reply's headers; `Vary` values are joined, not replaced. */
function mergeHeaders(target: Record<string, string>, fields: Record<string, string>): void {
  for (const name in fields) {
    const value = fields[name]!;
    if (name === 'vary' && target.vary) {
      const present = new Set(target.vary.split(',').map((v) => v.trim().toLowerCase()));
      const extra = value.split(',').map((v) => v.trim()).filter((v) => !present.has(v.toLowerCase()));
      if (extra.length > 0) target.vary = `${target.vary}, ${extra.join(', ')}`;
    } else target[name] = value;
  }
}

/** REST: one server span per request, named by method and declared route. */
export const restTracingStage: Stage = (next) => (exchange) => {
  if (!tracingActive()) return next(exchange);
  const header = (name: string) => exchange.get(name);
  const route = exchange.route;
  const span = route
    ? startRestSpan(exchange.method, route, exchange.path, header, { adapter: exchange.adapter ?? '', operation: exchange.operation ?? '', clientAddress: exchange.incoming.socket?.remoteAddress })
    : startServerSpan(exchange.method, header, () => ({ 'http.request.method': exchange.method, 'url.path': exchange.path, 'url.scheme': 'http' }));
  exchange.trace = span?.context;
  // An unsampled span records nothing and its end does nothing: the request runs as if untraced (its context still propagates).
  if (!span?.span.isRecording()) return next(exchange);
  return finish(span, exchange, next(exchange), route !== undefined);
};

/**
 * MCP over HTTP: one server span per POST, named by the JSON-RPC method (and tool). It starts
 * when the surface has read the message (`exchange.traceMessage`), because its parent may be
 * the request's `params._meta.traceparent` rather than the HTTP header; its start time is still
 * the request's arrival. A POST refused before any message is read gets its span at the end.
 */
export const mcpTracingStage: Stage = (next) => (exchange) => {
  if (!tracingActive()) return next(exchange);
  let span: ServerSpan | undefined;
  let begun = false;
  const begin = (params?: Record<string, unknown>) => {
    if (begun) return;
    begun = true;
    span = startMcpSpan('mcp', params, (name) => exchange.get(name), { clientAddress: exchange.incoming.socket?.remoteAddress, startTime: performance.timeOrigin + exchange.started });
    exchange.trace = span?.context;
  };
  exchange.traceMessage = begin;
  // A sampled span gets its attributes and end; an unsampled one records nothing (as REST's).
  const recorded = () => {
    begin();
    return span?.span.isRecording() ? span : undefined;
  };
  const work = next(exchange);
  // Settled either way: the span (if recorded) ends with the reply or the failure `work` already holds.
  const settle = () => {
    const server = recorded();
    return server ? finish(server, exchange, work, false) : work;
  };
  return work.then(settle, settle);
};

/**
 * Ends a sampled server span once the reply is known, with one attribute write
 * each: `named` says the span already holds the adapter and operation (a REST
 * route knows them when the span starts; MCP learns them from the message).
 */
async function finish(server: ServerSpan, exchange: Exchange, work: Promise<Reply>, named: boolean): Promise<Reply> {
  try {
    const reply = await work;
    const attributes: Attributes = {};
    const rpc = exchange.rpc;
    if (exchange.surface === 'mcp' && rpc) {
      server.span.updateName(exchange.operation && rpc.method === 'tools/call' ? `${rpc.method} ${exchange.operation}` : rpc.method);
      attributes['mcp.method.name'] = rpc.method;
      if (rpc.id !== undefined) attributes['jsonrpc.request.id'] = String(rpc.id);
      if (rpc.protocolVersion) attributes['mcp.protocol.version'] = rpc.protocolVersion;
      if (rpc.method === 'tools/call' && exchange.operation) {
        attributes['gen_ai.tool.name'] = exchange.operation;
        attributes['gen_ai.operation.name'] = 'execute_tool';
      }
    }
    if (!named) {
      if (exchange.adapter) attributes['capability.adapter'] = exchange.adapter;
      if (exchange.operation) attributes['capability.operation'] = exchange.operation;
    }
    attributes['runtime.request_id'] = exchange.requestId;
    // An MCP tool failure is a 200 carrying isError: the tool's own status says it failed.
    const toolFailed = exchange.surface === 'mcp' && exchange.status !== undefined && exchange.status >= 400;
    endServerSpan(server, { status: reply.status, errorType: toolFailed ? 'tool_error' : undefined, attributes });
    return reply;
  } catch (error) {
    endServerSpan(server, { error, attributes: { 'runtime.request_id': exchange.requestId } });
    throw error;
  }
}

/** stdio tool calls (no HTTP request, so no edge span): a server span per call when tracing is on. */
export function callTracingStage(): CallStage | undefined {
  return (next) => async (call) => {
    if (!tracingActive() || call.trace) return next(call); // an HTTP request's edge span already covers it
    const span = startServerSpan(`tools/call ${call.operation}`, () => undefined, () => ({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': call.operation,
      'gen_ai.operation.name': 'execute_tool',
      'capability.adapter': call.adapter,
      'runtime.request_id': call.requestId,
    }));
    try {
      call.trace = span?.context;
      const result = await next(call);
      endServerSpan(span, { errorType: result.status >= 400 ? 'tool_error' : undefined });
      return result;
    } catch (error) {
      endServerSpan(span, { error });
      throw error;
    }
  };
}
