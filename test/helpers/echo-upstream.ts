/**
 * A recording upstream for wire-level tests: every request is journaled with
 * its exact method, URL, headers and body bytes, and answered by a handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
}

export interface EchoUpstream {
  url: string;
  requests: RecordedRequest[];
  last(): RecordedRequest;
  close(): Promise<void>;
}

export async function startEchoUpstream(handler: (req: RecordedRequest) => Reply | Promise<Reply> = () => ({ body: { ok: true } })): Promise<EchoUpstream> {
  const requests: RecordedRequest[] = [];
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://upstream');
    const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
    requests.push(recorded);
    const reply = await handler(recorded);
    const isJson = reply.body !== undefined && typeof reply.body === 'object' && !Buffer.isBuffer(reply.body);
    const payload = reply.body === undefined ? '' : isJson ? JSON.stringify(reply.body) : reply.body;
    res.writeHead(reply.status ?? 200, { ...(isJson ? { 'content-type': 'application/json' } : {}), ...reply.headers });
    res.end(payload);
  };
  // A throwing handler answers 500 with its message instead of leaving the request hanging
  // and the test process with an unhandled rejection.
  const server: Server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`echo upstream handler failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    last: () => requests[requests.length - 1]!,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
