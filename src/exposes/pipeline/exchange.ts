/**
 * One request on its way through the pipeline: the Node request, the request
 * id, and what stages learn about it (which adapter and operation it reached,
 * who the caller is, its body, how it ended) — so a later stage, and the
 * observation wrapped around them all, can read it without re-parsing.
 */
import type { IncomingMessage } from 'node:http';
import { headerOf, type HeaderSource } from '../../http/headers.js';
import { requestIdFrom } from '../../http/request-id.js';
import type { TraceParent } from '../../engine/tracing.js';

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export type Surface = 'rest' | 'mcp' | 'control';

export class Exchange implements HeaderSource {
  readonly started = performance.now();
  readonly requestId: string;
  /** Adapter namespace of the matched route or called tool (a bounded label: never caller input). */
  adapter?: string;
  /** Operation label (`adapter.operation` on REST, the tool name on MCP); unset until known. */
  operation?: string;
  /** Who is calling, for per-caller policies: a digest of the verified inbound credential, else `addr:<client address>`. */
  caller?: string;
  /** The matched REST route as declared (`/v1/items/{id}`), for the server span's name. */
  route?: string;
  /** The server span's context (tracing on only), handed to the calls the request makes so their spans are its children. */
  trace?: TraceParent;
  /**
   * MCP: set by the tracing stage; the surface calls it with the message's params once the
   * JSON-RPC message is read, so `params._meta.traceparent` can parent the server span.
   */
  traceMessage?: (params: Record<string, unknown> | undefined) => void;
  /** MCP: the JSON-RPC request once read, for the server span's name (src/policies/stages.ts). */
  rpc?: { method: string; id?: string | number; protocolVersion?: string };
  /** Path parameters of the matched REST route (decoded). */
  params: Record<string, string> = NO_PARAMS;
  /** The request body, once read by the body stage. */
  body?: Buffer;
  /** The status observation records when it is not the HTTP status (an MCP tool's own outcome). */
  status?: number;
  /** The upstream call behind the answer, when there was one. */
  upstream?: { status: number; durationMs: number };
  /** Why the request failed (already free of secrets: messages never carry resolved values). */
  error?: string;
  private parsedQuery?: URLSearchParams;

  constructor(
    readonly surface: Surface,
    readonly incoming: IncomingMessage,
  ) {
    this.requestId = requestIdFrom(this);
  }

  get method(): string {
    return this.incoming.method ?? 'GET';
  }

  /** Path and query as sent (origin form). */
  get target(): string {
    return this.incoming.url ?? '/';
  }

  get path(): string {
    const target = this.target;
    const q = target.indexOf('?');
    return q < 0 ? target : target.slice(0, q);
  }

  get query(): URLSearchParams {
    if (this.parsedQuery === undefined) {
      const target = this.target;
      const q = target.indexOf('?');
      this.parsedQuery = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
    }
    return this.parsedQuery;
  }

  /** A request header by lower-case name (repeated values joined), null when absent. */
  get(name: string): string | null {
    return headerOf(this.incoming, name);
  }

  /** The caller for per-caller policies: the verified credential's digest, else the client address. */
  get callerId(): string {
    return this.caller ?? `addr:${this.incoming.socket?.remoteAddress ?? 'unknown'}`;
  }
}
