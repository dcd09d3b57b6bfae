/**
 * One HTTP listener (host:port). The request handler it runs can be swapped
 * atomically (hot reload): requests already inside the old handler finish
 * there, new ones see the new handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { DirectHandler } from '../http/direct.js';

/** `env` carries the Node `incoming`/`outgoing` objects, for handlers that read them directly. */
export type FetchHandler = (request: Request, env?: unknown) => Response | Promise<Response>;

/** A fetch handler, and optionally a direct path tried first (src/http/direct.ts). */
export interface ListenerHandler {
  fetch: FetchHandler;
  direct?: DirectHandler;
}

function asListenerHandler(handler: FetchHandler | ListenerHandler): ListenerHandler {
  return typeof handler === 'function' ? { fetch: handler } : handler;
}

export interface ListenerOptions {
  /**
   * Open connections accepted at once (default DEFAULT_MAX_CONNECTIONS). Beyond
   * it a new connection is closed as soon as it is accepted: a flood of idle
   * connections cannot exhaust the process's file descriptors or memory.
   */
  maxConnections?: number;
  /** Told about each connection closed for being over the limit (for a log line or a metric). */
  onDrop?: () => void;
}

export const DEFAULT_MAX_CONNECTIONS = 1024;

export class HttpListener {
  private handler: ListenerHandler;
  private readonly server: Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private closing = false;
  /** Connections closed on arrival because `maxConnections` were open. */
  dropped = 0;

  constructor(
    readonly kind: 'rest' | 'mcp' | 'control',
    readonly host: string,
    private readonly requestedPort: number,
    handler: FetchHandler | ListenerHandler,
    options: ListenerOptions = {},
  ) {
    this.handler = asListenerHandler(handler);
    // Default options on purpose: @hono/node-server then uses its lightweight Request/Response,
    // which write string and buffer bodies straight to the socket (no web streams).
    const listener = getRequestListener((request, env) => this.handler.fetch(request, env));
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.inFlight++;
      // Draining: answer what arrives on an open connection, then close that connection.
      if (this.closing) res.setHeader('connection', 'close');
      res.once('close', () => {
        this.inFlight--;
        if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
      // Read once per request: a swap between the two calls must not split one request across generations.
      const handler = this.handler;
      if (handler.direct?.(req, res)) return;
      void listener(req, res);
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.server.requestTimeout = 120_000;
    this.server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.server.on('drop', () => {
      this.dropped++;
      options.onDrop?.();
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  swap(handler: FetchHandler | ListenerHandler): void {
    this.handler = asListenerHandler(handler);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.requestedPort, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? this.requestedPort;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}`;
  }

  /** Bound and accepting connections. */
  get listening(): boolean {
    return this.server.listening && !this.closing;
  }

  get activeRequests(): number {
    return this.inFlight;
  }

  /** Stops accepting, lets in-flight requests finish (up to `drainMs`), then closes every socket. */
  async close(drainMs = 10_000): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections?.();
    if (this.inFlight > 0) {
      await Promise.race([new Promise<void>((resolve) => this.idleWaiters.push(resolve)), new Promise((resolve) => setTimeout(resolve, drainMs).unref())]);
    }
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
