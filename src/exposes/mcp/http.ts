/**
 * MCP Streamable HTTP transport, stateless and JSON-only: each POST carries one
 * JSON-RPC message and gets one JSON answer (or 202 for notifications). No
 * sessions are issued, so GET (server stream) and DELETE (end session) get 405.
 * Served at `/mcp`, and at `/` for clients configured with the bare origin.
 */
import { Hono, type Context } from 'hono';
import { requestIdFrom } from '../../server/request-id.js';
import { ErrorCodes, JsonRpcError, errorResponse } from './jsonrpc.js';
import { checkOrigin, type OriginPolicy } from './origin-guard.js';
import { LEGACY_VERSIONS, MODERN_VERSION, type McpProtocol } from './protocol.js';

export interface McpHttpOptions {
  origin: OriginPolicy;
  maxBodyBytes: number;
}

const SUPPORTED_HEADER_VERSIONS = new Set<string>([...LEGACY_VERSIONS, '2024-11-05', MODERN_VERSION]);
const JSON_HEADERS = { 'content-type': 'application/json' };

export function buildMcpApp(protocol: () => McpProtocol, options: McpHttpOptions): Hono {
  const app = new Hono();
  const handler = (c: Context) => handlePost(c, protocol(), options);
  const notAllowed = (c: Context) =>
    c.json({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.InvalidRequest, message: `${c.req.method} is not supported: this server is stateless and answers POST only.` } }, 405, { allow: 'POST' });
  for (const path of ['/mcp', '/']) {
    app.post(path, handler);
    app.on(['GET', 'DELETE', 'PUT', 'PATCH'], path, notAllowed);
  }
  app.notFound((c) => c.json({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.InvalidRequest, message: `No MCP endpoint at ${c.req.path}; use /mcp.` } }, 404));
  return app;
}

function rpcFailure(error: JsonRpcError, status: number): Response {
  return new Response(JSON.stringify(errorResponse(null, error)), { status, headers: JSON_HEADERS });
}

async function handlePost(c: Context, protocol: McpProtocol, options: McpHttpOptions): Promise<Response> {
  const headers = c.req.raw.headers;
  const rejected = checkOrigin(headers, options.origin);
  if (rejected) return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `Forbidden: ${rejected}`), 403);

  const contentType = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') {
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, 'Content-Type must be application/json.'), 415);
  }
  const version = headers.get('mcp-protocol-version');
  if (version !== null && !SUPPORTED_HEADER_VERSIONS.has(version)) {
    return rpcFailure(
      new JsonRpcError(ErrorCodes.InvalidRequest, `Unsupported MCP-Protocol-Version: ${version}.`, { supported: [...LEGACY_VERSIONS, MODERN_VERSION] }),
      400,
    );
  }
  const declared = Number(headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > options.maxBodyBytes) {
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `Request body larger than ${options.maxBodyBytes} bytes.`), 413);
  }
  const text = await c.req.text();
  if (Buffer.byteLength(text) > options.maxBodyBytes) {
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `Request body larger than ${options.maxBodyBytes} bytes.`), 413);
  }
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return rpcFailure(new JsonRpcError(ErrorCodes.ParseError, 'Parse error: the body is not valid JSON.'), 400);
  }
  if (Array.isArray(message)) {
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, 'JSON-RPC batches are not supported (removed in MCP 2025-06-18).'), 400);
  }
  const requestId = requestIdFrom(headers);
  const response = await protocol.handle(message, { requestId, signal: c.req.raw.signal });
  if (response === undefined) return new Response(null, { status: 202 });
  return new Response(JSON.stringify(response), { status: 200, headers: { ...JSON_HEADERS, 'x-request-id': requestId } });
}
