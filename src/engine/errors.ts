/**
 * The runtime's error taxonomy. Each error knows how it is rendered on every
 * surface: an HTTP status + RFC 9457 problem document for REST, and either a
 * JSON-RPC error or a readable tool error for MCP. Messages must never carry
 * secret values: callers build them from names, never from resolved binds.
 */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

export abstract class RuntimeError extends Error {
  /** HTTP status used when the error reaches a REST caller. */
  abstract readonly status: number;
  /** Short, stable problem title. */
  abstract readonly title: string;
  /** Problem `type` slug; rendered as `https://capability-runtime.dev/problems/<slug>`. */
  abstract readonly slug: string;
  /** Extra members for the problem document (never secrets). */
  readonly extensions: Record<string, unknown>;

  constructor(message: string, extensions: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.extensions = extensions;
  }

  /** HTTP response headers the error needs wherever it is rendered (`Allow`, `WWW-Authenticate`, `Retry-After`…). */
  responseHeaders(): Record<string, string> | undefined {
    return undefined;
  }

  toProblem(): ProblemDocument {
    return {
      type: `https://capability-runtime.dev/problems/${this.slug}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...this.extensions,
    };
  }
}

/** The caller sent something we cannot use (missing or ill-typed input). */
export class InputError extends RuntimeError {
  readonly status = 400;
  readonly title = 'Bad request';
  readonly slug = 'bad-request';
}

export class NotFoundError extends RuntimeError {
  readonly status = 404;
  readonly title = 'Not found';
  readonly slug = 'not-found';
}

export class MethodNotAllowedError extends RuntimeError {
  readonly status = 405;
  readonly title = 'Method not allowed';
  readonly slug = 'method-not-allowed';
  constructor(
    message: string,
    readonly allow: string[],
  ) {
    super(message);
  }

  override responseHeaders(): Record<string, string> {
    return { allow: this.allow.join(', ') };
  }
}

export class PayloadTooLargeError extends RuntimeError {
  readonly status = 413;
  readonly title = 'Payload too large';
  readonly slug = 'payload-too-large';
}

export class UnsupportedMediaTypeError extends RuntimeError {
  readonly status = 415;
  readonly title = 'Unsupported media type';
  readonly slug = 'unsupported-media-type';
}

/** Operator configuration is incomplete (e.g. a bind variable with no value). */
export class ConfigError extends RuntimeError {
  readonly status = 503;
  readonly title = 'Capability not configured';
  readonly slug = 'not-configured';
}

/** The upstream could not be reached, or answered with something we cannot read. */
export class UpstreamError extends RuntimeError {
  readonly status = 502;
  readonly title = 'Bad gateway';
  readonly slug = 'upstream-unavailable';
}

/**
 * The upstream answered an error with a body the runtime cannot relay as it is
 * (an HTML error page from a CDN or proxy where JSON was expected, plain text…).
 * A 4xx keeps its status (the caller's request was refused); anything else is
 * a 502 Bad gateway. The problem names the upstream status and operation.
 */
export class UpstreamResponseError extends RuntimeError {
  readonly status: number;
  readonly title: string;
  readonly slug = 'upstream-error';
  constructor(message: string, upstreamStatus: number, extensions: Record<string, unknown> = {}) {
    super(message, { ...extensions, upstreamStatus });
    this.status = upstreamStatus >= 400 && upstreamStatus < 500 ? upstreamStatus : 502;
    this.title = this.status === 502 ? 'Bad gateway' : 'Upstream refused the request';
  }
}

export class UpstreamTimeoutError extends RuntimeError {
  readonly status = 504;
  readonly title = 'Gateway timeout';
  readonly slug = 'upstream-timeout';
}

/** A defect in a capability that only shows at request time (should be caught by lint). */
export class EngineError extends RuntimeError {
  readonly status = 500;
  readonly title = 'Capability error';
  readonly slug = 'capability-error';
}

export class InternalError extends RuntimeError {
  readonly status = 500;
  readonly title = 'Internal error';
  readonly slug = 'internal-error';
}

/** Wraps anything thrown into a RuntimeError, never exposing internals to callers. */
export function asRuntimeError(error: unknown): RuntimeError {
  if (error instanceof RuntimeError) return error;
  return new InternalError('The runtime failed while handling this request.', {}, { cause: error });
}

/**
 * The runtime refuses to call the upstream right now — its circuit is open,
 * or too many calls already wait for it — and says when to come back
 * (`Retry-After`, seconds). No upstream request was sent.
 */
export class UpstreamUnavailableError extends RuntimeError {
  readonly status = 503;
  readonly title = 'Service unavailable';
  readonly slug: string;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    slug: 'circuit-open' | 'upstream-overloaded',
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { ...extensions, retryAfterSeconds });
    this.slug = slug;
  }

  override responseHeaders(): Record<string, string> {
    return { 'retry-after': String(this.retryAfterSeconds) };
  }
}
