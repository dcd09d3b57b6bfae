/**
 * The HTTP client for upstream calls: one undici Pool per origin, kept alive
 * and shared by every capability that calls that origin. It turns transport
 * failures into typed errors (502 unreachable, 504 timeout) and bounds the
 * size of what it reads.
 */
import { Pool, type Dispatcher, errors as undiciErrors } from 'undici';
import { UpstreamError, UpstreamTimeoutError } from '../errors.js';
import { endClientSpan, startClientSpan } from '../tracing.js';

export interface UpstreamRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  durationMs: number;
}

export interface UpstreamClientOptions {
  /** Upstream timeout, ms (waiting for the answer headers, and between body chunks). Default 30 s. */
  timeoutMs?: number;
  /** Largest upstream body we read, bytes. Default 16 MiB. */
  maxResponseBytes?: number;
  /** Sockets per origin. */
  connections?: number;
}

export class UpstreamClient {
  private readonly pools = new Map<string, Pool>();
  readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly connections: number;

  constructor(options: UpstreamClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
    this.connections = options.connections ?? 128;
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.connections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        connectTimeout: Math.min(this.timeoutMs, 10_000),
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async send(request: UpstreamRequest, signal?: AbortSignal): Promise<UpstreamResponse> {
    // Tracing (a no-op unless a request span is active): a client span, and its traceparent upstream.
    const span = startClientSpan(request.method, request.url, request.headers);
    if (!span) return this.sendUntraced(request, signal);
    try {
      const response = await this.sendUntraced(request, signal);
      endClientSpan(span, response.status);
      return response;
    } catch (error) {
      endClientSpan(span, undefined, error);
      throw error;
    }
  }

  private async sendUntraced(request: UpstreamRequest, signal?: AbortSignal): Promise<UpstreamResponse> {
    const started = performance.now();
    const origin = request.url.origin;
    // The pool's headers/body timeouts bound the call; no per-request AbortSignal (measurably costly on the hot path).
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool(origin).request({
        method: request.method as Dispatcher.HttpMethod,
        path: request.url.pathname + request.url.search,
        headers: request.headers,
        body: request.body as Dispatcher.DispatchOptions['body'],
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw this.transportError(error, origin);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > this.maxResponseBytes) {
          response.body.destroy();
          throw new UpstreamError(`The upstream ${origin} answered with more than ${this.maxResponseBytes} bytes.`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw this.transportError(error, origin);
    }
    return {
      status: response.statusCode,
      headers: response.headers as Record<string, string | string[] | undefined>,
      body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      durationMs: performance.now() - started,
    };
  }

  private transportError(error: unknown, origin: string): Error {
    const code = (error as { code?: string })?.code ?? '';
    if (
      error instanceof undiciErrors.HeadersTimeoutError ||
      error instanceof undiciErrors.BodyTimeoutError ||
      error instanceof undiciErrors.ConnectTimeoutError ||
      code === 'UND_ERR_CONNECT_TIMEOUT'
    ) {
      return new UpstreamTimeoutError(`The upstream ${origin} did not answer within ${this.timeoutMs} ms.`, { upstream: origin });
    }
    if ((error as Error)?.name === 'AbortError') {
      return new UpstreamError(`The call to ${origin} was cancelled.`, { upstream: origin });
    }
    const reason = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'connection reset' : code === 'ENOTFOUND' ? 'host not found' : code || 'transport error';
    return new UpstreamError(`The upstream ${origin} could not be reached (${reason}).`, { upstream: origin }, { cause: error });
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => undefined)));
    this.pools.clear();
  }
}
