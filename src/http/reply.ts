/**
 * A reply as the pipeline produces it: status, headers and a body that is
 * already bytes or text. Plain data rather than a web `Response`, so the edge
 * can write it to the Node response directly (no stream, no Headers object).
 */
import type { ServerResponse } from 'node:http';

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
 * Writes a reply straight to the Node response in one corked burst: status
 * line, headers and body leave in one socket write.
 */
export function writeReply(res: ServerResponse, r: Reply): void {
  const body = r.body;
  const headers = r.headers;
  if (body !== null && headers['content-length'] === undefined) {
    headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  }
  res.cork();
  res.writeHead(r.status, headers);
  if (body === null) res.end();
  else res.end(body);
  process.nextTick(uncork, res);
}

function uncork(res: ServerResponse): void {
  res.uncork();
}
