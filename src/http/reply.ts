/**
 * A reply as the pipeline produces it: status, headers and a body that is
 * already bytes or text. Plain data rather than a web `Response`, so the edge
 * can write it to the Node response directly (no stream, no Headers object).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** null: no body (204, 304, HEAD-like answers, 202 for MCP notifications). */
  body: string | Buffer | null;
}

export function reply(status: number, headers: Record<string, string>, body: string | Buffer | null): Reply {
  return { status, headers, body };
}

/** The reply as a web Response (for a hono handler). */
export function toResponse(r: Reply): Response {
  return new Response(r.body, { status: r.status, headers: r.headers });
}

/**
 * Writes a reply straight to the Node response. `end(body)` with the headers
 * not yet sent leaves in one socket write (Node prepends the header block to
 * the first chunk), so no cork/uncork is needed around it.
 */
export function writeReply(res: ServerResponse, r: Reply): void {
  const body = r.body;
  const headers = r.headers;
  if (body !== null && headers['content-length'] === undefined) {
    headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  }
  res.writeHead(r.status, headers);
  if (body === null) res.end();
  else res.end(body);
}

/** The Node request and response @hono/node-server hands a handler in `c.env`. */
export interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

export function nodeBindings(env: unknown, surface: string): NodeBindings {
  const bindings = env as Partial<NodeBindings> | undefined;
  if (bindings?.incoming === undefined || bindings.outgoing === undefined) throw new Error(`The ${surface} surface is served by a Node listener (no Node request here).`);
  return bindings as NodeBindings;
}

/**
 * Writes the reply to the Node response itself and tells @hono/node-server so:
 * the hot path skips building a web Response and converting it back.
 */
export function sendReply(bindings: NodeBindings, r: Reply): Response {
  writeReply(bindings.outgoing, r);
  return RESPONSE_ALREADY_SENT;
}
