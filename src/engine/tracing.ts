/**
 * Spans of outbound work (upstream HTTP calls, token mints), through
 * `@opentelemetry/api` only. Without a registered SDK there is no active
 * span (the API's context is always the empty root), so every helper returns
 * at its first check: tracing off costs one property read per call.
 *
 * Attributes follow the OpenTelemetry HTTP semantic conventions, and carry
 * no secret: `url.full` is the origin and path only (queries can hold API
 * keys), and no header value is ever recorded.
 */
import { SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Span } from '@opentelemetry/api';
import { RUNTIME_VERSION } from '../version.js';

export const tracer = trace.getTracer('capability-runtime', RUNTIME_VERSION);

/**
 * A client span for one upstream HTTP request, child of the active span, and
 * its W3C `traceparent` (+ `tracestate`) written into `headers`. Undefined
 * when no span is active (tracing off, or work outside any request).
 */
export function startClientSpan(method: string, url: URL, headers: Record<string, string>, attributes?: Attributes): Span | undefined {
  const parent = trace.getActiveSpan();
  if (!parent) return undefined;
  const span = tracer.startSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'server.address': url.hostname,
      'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      'url.full': `${url.origin}${url.pathname}`,
      ...attributes,
    },
  });
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return span;
}

/** Ends a client span with the answer's status (≥ 400 is an error for a client) or the failure. */
export function endClientSpan(span: Span | undefined, status: number | undefined, error?: unknown): void {
  if (!span) return;
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
 * Runs `work` inside an internal span (a token mint) when a span is active,
 * so the HTTP calls it makes are its children; runs it bare otherwise.
 */
export async function inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  if (!trace.getActiveSpan()) return work();
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.setAttribute('error.type', errorType(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The error's class name: never its message (messages may quote upstream text). */
export function errorType(error: unknown): string {
  return error instanceof Error ? error.name || 'Error' : 'Error';
}
