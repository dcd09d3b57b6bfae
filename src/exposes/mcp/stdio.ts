/**
 * MCP over stdio: newline-delimited JSON-RPC on `input`, answers on `output`,
 * nothing else ever written to `output` (logs go to the logger, which must
 * write to stderr). Requests run concurrently and answer as they finish;
 * `notifications/cancelled` aborts an in-flight request (no answer is sent
 * for it). A legacy client that ran `initialize` gets
 * `notifications/{tools,resources,prompts}/list_changed` when a reload changes
 * what it can list. The session ends when `input` ends: in-flight requests are
 * answered, then `closed` resolves.
 */
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../http/logger.js';
import type { RequestObserver } from '../../http/observer.js';
import { isObject } from '../../util/is-object.js';
import { ErrorCodes, JsonRpcError, errorResponse, idOf, type JsonRpcId, type JsonRpcResponse } from './jsonrpc.js';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../../util/json-depth.js';
import { serializeResponse, type ListKind, type McpProtocol, type RequestContext } from './protocol.js';

export interface StdioServer {
  /** Stops reading, aborts in-flight requests, and resolves when they are settled. Leaves the streams open. */
  close(): Promise<void>;
  /** Resolves when the session is over: `input` ended (and in-flight requests were answered) or `close()` ran. */
  readonly closed: Promise<void>;
  /** Sends `notifications/<kind>/list_changed` to an initialized legacy client (also done automatically on registry swaps). */
  notifyListChanged(kinds: ListKind[]): void;
}

export interface StdioOptions {
  /** Longest accepted line, in bytes (default 4 MiB); a longer message is answered with an error and skipped. */
  maxMessageBytes?: number;
  /** Receives each answered tool call (metrics and the request log). */
  observe?: RequestObserver;
}

let sequence = 0;

export function serveStdio(
  protocol: McpProtocol | (() => McpProtocol),
  input: Readable,
  output: Writable,
  logger: Logger,
  options: StdioOptions = {},
): StdioServer {
  const current = typeof protocol === 'function' ? protocol : () => protocol;
  const maxBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
  const inFlight = new Map<JsonRpcId, AbortController>();
  const pending = new Set<Promise<void>>();
  const session = `stdio-${process.pid}-${++sequence}`;
  let counter = 0;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let discarding = false;
  let initialized = false;
  let stopped = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  let outputBroken = false;
  const write = (message: unknown): void => {
    if (outputBroken) return;
    let line: string;
    try {
      line = serializeResponse(message as Parameters<typeof serializeResponse>[0]);
    } catch (error) {
      logger.error({ err: error }, 'mcp stdio: cannot serialise a message');
      return;
    }
    // JSON.stringify never emits raw newlines (they are escaped inside strings), so one message is one line.
    output.write(`${line}\n`);
  };

  const dispatch = (text: string): void => {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      write(errorResponse(null, new JsonRpcError(ErrorCodes.ParseError, 'Parse error: the line is not valid JSON.')));
      return;
    }
    if (jsonDepthExceeds(text)) {
      write(errorResponse(idOf(message), new JsonRpcError(ErrorCodes.InvalidRequest, `Invalid request: the message nests deeper than ${MAX_JSON_DEPTH} levels.`)));
      return;
    }
    if (Array.isArray(message)) {
      write(errorResponse(null, new JsonRpcError(ErrorCodes.InvalidRequest, 'JSON-RPC batches are not supported: send one message per line.')));
      return;
    }
    const record = isObject(message) ? message : undefined;
    const method = record?.method;
    const id = record?.id;
    if (method === 'notifications/cancelled' && id === undefined) {
      const target = isObject(record!.params) ? record!.params.requestId : undefined;
      if (typeof target === 'string' || typeof target === 'number') inFlight.get(target)?.abort(new Error('cancelled by the client'));
      return;
    }
    const controller = new AbortController();
    const requestId = typeof id === 'string' || typeof id === 'number' ? id : undefined;
    if (requestId !== undefined && typeof method === 'string') {
      if (inFlight.has(requestId)) {
        write(errorResponse(requestId, new JsonRpcError(ErrorCodes.InvalidRequest, `Request id ${JSON.stringify(requestId)} is already in use by a request in flight.`)));
        return;
      }
      inFlight.set(requestId, controller);
    }
    const context: RequestContext = { requestId: `${session}-${++counter}`, signal: controller.signal, transport: 'stdio' };
    const started = performance.now();
    const task = current()
      .handle(message, context)
      .then((response: JsonRpcResponse | undefined) => {
        const call = context.call;
        if (call && options.observe) {
          options.observe({
            surface: 'mcp',
            adapter: call.adapter,
            operation: call.operation,
            status: call.status,
            durationMs: performance.now() - started,
            upstreamStatus: call.upstream?.status,
            upstreamMs: call.upstream?.durationMs,
            requestId: context.requestId,
            error: call.error,
          });
        }
        if (requestId !== undefined && inFlight.get(requestId) === controller) inFlight.delete(requestId);
        // A cancelled request gets no answer (the client has stopped waiting for it).
        if (response === undefined || controller.signal.aborted) return;
        if (method === 'initialize' && response.result !== undefined) initialized = true;
        write(response);
      })
      .catch((error: unknown) => {
        if (requestId !== undefined) inFlight.delete(requestId);
        logger.error({ err: error }, 'mcp stdio: request failed');
        if (requestId !== undefined && !controller.signal.aborted) write(errorResponse(requestId, new JsonRpcError(ErrorCodes.InternalError, 'Internal error.')));
      })
      .finally(() => pending.delete(task));
    pending.add(task);
  };

  const onLine = (line: Buffer): void => {
    const text = line.toString('utf8').trim();
    if (text !== '') dispatch(text);
  };

  const onData = (chunk: Buffer | string): void => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let newline = data.indexOf(0x0a);
    while (newline !== -1) {
      const head = data.subarray(0, newline);
      if (discarding) {
        discarding = false;
      } else if (bufferedBytes + head.length > maxBytes) {
        tooLong();
      } else {
        onLine(buffered.length === 0 ? head : Buffer.concat([...buffered, head]));
      }
      buffered = [];
      bufferedBytes = 0;
      data = data.subarray(newline + 1);
      newline = data.indexOf(0x0a);
    }
    if (data.length === 0 || discarding) return;
    if (bufferedBytes + data.length > maxBytes) {
      tooLong();
      buffered = [];
      bufferedBytes = 0;
      discarding = true;
      return;
    }
    buffered.push(Buffer.from(data));
    bufferedBytes += data.length;
  };

  const tooLong = (): void => {
    write(errorResponse(null, new JsonRpcError(ErrorCodes.InvalidRequest, `Message larger than ${maxBytes} bytes: skipped.`)));
  };

  const settle = async (): Promise<void> => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  const finish = async (): Promise<void> => {
    if (stopped) return;
    if (bufferedBytes > 0 && !discarding) onLine(Buffer.concat(buffered)); // a last message without its newline
    buffered = [];
    bufferedBytes = 0;
    await settle();
    shutdown();
  };

  const onEnd = (): void => {
    void finish();
  };
  const onOutputError = (error: Error): void => {
    logger.warn({ err: error }, 'mcp stdio: output closed');
    outputBroken = true;
    for (const controller of inFlight.values()) controller.abort(error);
    shutdown();
  };

  const notify = (kinds: ListKind[]): void => {
    // Legacy sessions only: a 2026-07-28 client gets change notifications through subscriptions/listen, not here.
    if (!initialized || stopped) return;
    for (const kind of kinds) write({ jsonrpc: '2.0', method: `notifications/${kind}/list_changed` });
  };
  // The runtime keeps one protocol per server across reloads and swaps its registry: follow that protocol.
  const unsubscribe = current().onListChanged(notify);

  function shutdown(): void {
    if (stopped) return;
    stopped = true;
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('close', onEnd);
    output.off('error', onOutputError);
    unsubscribe();
    resolveClosed();
  }

  input.on('data', onData);
  input.once('end', onEnd);
  input.once('close', onEnd);
  output.on('error', onOutputError);

  return {
    closed,
    notifyListChanged: notify,
    async close() {
      if (stopped) return;
      input.off('data', onData);
      for (const controller of inFlight.values()) controller.abort(new Error('server shutting down'));
      await settle();
      shutdown();
    },
  };
}
