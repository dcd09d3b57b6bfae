/**
 * Server spans: one per REST request and one per MCP request (a tool call is
 * named `tools/call <tool>`). The parent comes from the caller's W3C
 * `traceparent` (HTTP header, or an MCP request's `params._meta`). The
 * span's context travels with the request explicitly (`Exchange.trace` →
 * `Call.trace` → the engine's call context), so upstream calls and token
 * mints become its children (src/engine/tracing.ts). No async context
 * manager is registered: on Node 20 its AsyncLocalStorage hooks every
 * promise of the process, and cost far more than the spans.
 *
 * `tracingActive()` is false until src/policies/tracing.ts starts the SDK:
 * the request path checks it first and does nothing else when tracing is off.
 *
 * Attributes (OpenTelemetry HTTP and MCP semantic conventions, plus ours):
 * REST `http.request.method`, `http.route`, `url.path`, `url.scheme`,
 * `client.address`, `http.response.status_code`, `error.type`; MCP
 * `mcp.method.name`, `gen_ai.tool.name`, `gen_ai.operation.name`,
 * `jsonrpc.request.id`, `mcp.protocol.version`; both `capability.adapter`,
 * `capability.operation`, `runtime.request_id`. Never a header value, a
 * query string, a body or tool arguments (they can hold secrets).
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Attributes, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';
import { errorType, tracer } from '../engine/tracing.js';

let active = false;

/** Set by startTracing/shutdown. */
export function markTracingActive(on: boolean): void {
  active = on;
}

export function tracingActive(): boolean {
  return active;
}

export type HeaderGetter = (name: string) => string | null | undefined;

const getter: TextMapGetter<HeaderGetter> = {
  keys: () => ['traceparent', 'tracestate'],
  get: (carrier, key) => carrier(key) ?? undefined,
};

export interface ServerSpan {
  span: Span;
  /** The span's context: the parent handed to the request's upstream calls and token mints. */
  context: Context;
  /** The trace id (request ids fall back to it, so logs and traces correlate). */
  traceId: string;
}

/**
 * Starts a server span whose parent is the caller's `traceparent`; undefined when tracing is off.
 * `attributes` are built only when the span is recorded (an unsampled request pays for ids, not attributes).
 */
export function startServerSpan(name: string, header: HeaderGetter, attributes: () => Attributes, startTime?: number): ServerSpan | undefined {
  if (!active) return undefined;
  const parent = propagation.extract(ROOT_CONTEXT, header, getter);
  const span = tracer.startSpan(name, startTime === undefined ? { kind: SpanKind.SERVER } : { kind: SpanKind.SERVER, startTime }, parent);
  if (span.isRecording()) span.setAttributes(attributes());
  return { span, context: trace.setSpan(parent, span), traceId: span.spanContext().traceId };
}

/** A REST request span: `GET /v1/items/{id}`. */
export function startRestSpan(method: string, route: string, path: string, header: HeaderGetter, extra: { adapter: string; operation: string; clientAddress?: string }): ServerSpan | undefined {
  if (!active) return undefined;
  return startServerSpan(`${method} ${route}`, header, () => {
    const built: Attributes = { 'http.request.method': method, 'http.route': route, 'url.path': path, 'url.scheme': 'http' };
    if (extra.clientAddress) built['client.address'] = extra.clientAddress;
    built['capability.adapter'] = extra.adapter;
    built['capability.operation'] = extra.operation;
    return built;
  });
}

/**
 * An MCP request span: `tools/call get-balance`, `tools/list`, … The parent is
 * `params._meta.traceparent` when the client put one there, else the HTTP header.
 */
export function startMcpSpan(
  method: string,
  params: Record<string, unknown> | undefined,
  header: HeaderGetter,
  extra: { requestId?: string | number; protocolVersion?: string; clientAddress?: string; startTime?: number },
): ServerSpan | undefined {
  if (!active) return undefined;
  const tool = method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined;
  const meta = params && typeof params._meta === 'object' && params._meta !== null ? (params._meta as Record<string, unknown>) : undefined;
  const fromMeta: HeaderGetter | undefined = typeof meta?.traceparent === 'string' ? (name) => (typeof meta[name] === 'string' ? (meta[name] as string) : undefined) : undefined;
  const attributes = (): Attributes => {
    const built: Attributes = { 'mcp.method.name': method };
    if (tool) {
      built['gen_ai.tool.name'] = tool;
      built['gen_ai.operation.name'] = 'execute_tool';
    }
    if (extra.requestId !== undefined) built['jsonrpc.request.id'] = String(extra.requestId);
    if (extra.protocolVersion) built['mcp.protocol.version'] = extra.protocolVersion;
    if (extra.clientAddress) built['client.address'] = extra.clientAddress;
    return built;
  };
  return startServerSpan(tool ? `${method} ${tool}` : method, fromMeta ?? header, attributes, extra.startTime);
}

/** Ends a server span: only 5xx (REST) or a failed call (MCP) marks it as an error. */
export function endServerSpan(server: ServerSpan | undefined, outcome: { status?: number; error?: unknown; errorType?: string; attributes?: Attributes }): void {
  if (!server) return;
  const { span } = server;
  if (!span.isRecording()) return span.end();
  if (outcome.attributes) span.setAttributes(outcome.attributes);
  if (outcome.status !== undefined) span.setAttribute('http.response.status_code', outcome.status);
  const type = outcome.errorType ?? (outcome.error !== undefined ? errorType(outcome.error) : outcome.status !== undefined && outcome.status >= 500 ? String(outcome.status) : undefined);
  if (type) {
    span.setAttribute('error.type', type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: type });
  }
  span.end();
}
