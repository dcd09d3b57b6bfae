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
import { SpanKind, SpanStatusCode, propagation, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { RUNTIME_VERSION } from '../version.js';

export const tracer = trace.getTracer('capability-runtime', RUNTIME_VERSION);

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
  const span = tracer.startSpan(method, { kind: SpanKind.CLIENT }, parent);
  // Attributes are built only for a span that is recorded (set after the start: our samplers do not read them).
  if (span.isRecording()) {
    span.setAttributes({
      'http.request.method': method,
      'server.address': url.hostname,
      'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      'url.full': `${url.origin}${url.pathname}`,
      ...attributes,
    });
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
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
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
