/**
 * Spans of outbound work (upstream HTTP calls, token mints), through
 * `@opentelemetry/api` only. The parent is handed over explicitly (a
 * `TraceParent` carried by the request's call context), never read from an
 * async context manager: on Node 20 an AsyncLocalStorage puts a hook on every
 * promise of the process, which cost more than the spans themselves, even
 * for unsampled requests. Without a parent (tracing off, or work outside any
 * request) every helper returns at its first check.
 *
 * Attributes follow the OpenTelemetry HTTP semantic conventions, and carry
 * no secret: `url.full` is the origin and path only (queries can hold API
 * keys), and no header value is ever recorded.
 */
import { SpanKind, SpanStatusCode, TraceFlags, propagation, trace, type Attributes, type Context, type Span, type SpanOptions } from '@opentelemetry/api';
import { RUNTIME_VERSION } from '../version.js';

export const tracer = trace.getTracer('capability-runtime', RUNTIME_VERSION);

/** Span ids for children of unsampled spans (see childSpan); set by startTracing, with the ids its provider uses. */
let unsampledIds: { generateSpanId(): string } | undefined;

/**
 * Lets children of unsampled spans skip the SDK (src/policies/tracing.ts calls
 * it with its provider's id generator; undefined turns that off again). Only
 * valid with a sampler that never samples the child of a local unsampled span:
 * true of every sampler `OTEL_TRACES_SAMPLER` can name (the parent-based ones
 * say so; `traceidratio` decides on the trace id, the same for the child;
 * `always_on` leaves no unsampled parent; `always_off` none sampled).
 */
export function useUnsampledChildIds(ids: { generateSpanId(): string } | undefined): void {
  unsampledIds = ids;
}

/**
 * A child span of `parent`. When the parent is a local span that is not
 * sampled, the child cannot be either (above): it is built here as a
 * non-recording span with the parent's trace id and flags and a fresh span id,
 * which is all that propagation needs, instead of going through the SDK's
 * sampler, self-metrics and debug logging on every unsampled request.
 */
function childSpan(parent: Context, name: string, options: SpanOptions): Span {
  const parentSpan = unsampledIds && trace.getSpan(parent);
  if (parentSpan && !parentSpan.isRecording()) {
    const of = parentSpan.spanContext();
    if (!of.isRemote && (of.traceFlags & TraceFlags.SAMPLED) === 0 && trace.isSpanContextValid(of)) {
      return trace.wrapSpanContext({ traceId: of.traceId, spanId: unsampledIds!.generateSpanId(), traceFlags: of.traceFlags, traceState: of.traceState });
    }
  }
  return tracer.startSpan(name, options, parent);
}

/** The context of the span that upstream work belongs to (a request's server span, or a token mint). */
export type TraceParent = Context;

/**
 * A client span for one upstream HTTP request, child of `parent`, and its W3C
 * `traceparent` (+ `tracestate`) written into `headers` (an unsampled trace
 * sends flag 00, so the upstream can keep the trace id). Undefined without a
 * parent (tracing off, or work outside any request).
 */
export function startClientSpan(parent: TraceParent | undefined, method: string, url: URL, headers: Record<string, string>, attributes?: Attributes): Span | undefined {
  if (!parent) return undefined;
  const span = childSpan(parent, method, { kind: SpanKind.CLIENT });
  // Attributes are built only for a span that is recorded (set after the start: our samplers do not read them).
  if (span.isRecording()) {
    span.setAttribute('http.request.method', method);
    span.setAttribute('server.address', url.hostname);
    span.setAttribute('server.port', Number(url.port) || (url.protocol === 'https:' ? 443 : 80));
    span.setAttribute('url.full', `${url.origin}${url.pathname}`);
    if (attributes) span.setAttributes(attributes);
  }
  propagation.inject(trace.setSpan(parent, span), headers);
  return span;
}

/** Ends a client span with the answer's status (≥ 400 is an error for a client) or the failure. */
export function endClientSpan(span: Span | undefined, status: number | undefined, error?: unknown): void {
  if (!span) return;
  if (!span.isRecording()) return span.end();
  if (status !== undefined) {
    span.setAttribute('http.response.status_code', status);
    if (status >= 400) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  } else if (error !== undefined) {
    span.setAttribute('error.type', errorType(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(error) });
  }
  span.end();
}

/**
 * Runs `work` inside an internal span (a token mint), child of `parent`; the
 * span's context is handed to `work` so the HTTP calls it makes are its
 * children. Runs it bare (with no parent) when there is no parent.
 */
export async function inSpan<T>(parent: TraceParent | undefined, name: string, attributes: Attributes, work: (trace: TraceParent | undefined) => Promise<T>): Promise<T> {
  if (!parent) return work(undefined);
  const span = childSpan(parent, name, { kind: SpanKind.INTERNAL, attributes });
  try {
    return await work(trace.setSpan(parent, span));
  } catch (error) {
    span.setAttribute('error.type', errorType(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** The error's class name: never its message (messages may quote upstream text). */
export function errorType(error: unknown): string {
  return error instanceof Error ? error.name || 'Error' : 'Error';
}
