/**
 * MCP Streamable HTTP transport, stateless and JSON-only: each POST carries one
 * JSON-RPC message and gets one JSON answer (202 for notifications). No session
 * is issued (an `Mcp-Session-Id` sent by a client is ignored), so GET (server
 * stream) and DELETE (end session) get 405 — as both the 2025 stateless profile
 * and 2026-07-28 require. Served at `/mcp`, and at `/` for clients configured
 * with the bare origin.
 *
 * Checks, in order: Origin/Host (403), Content-Type (415), Accept (406), body
 * size (413), JSON (400 -32700), batches (400), then the version rules:
 * - a 2026-07-28 request (`_meta` protocol version) must mirror it in
 *   `MCP-Protocol-Version`, its method in `Mcp-Method` and, for tools/call,
 *   resources/read and prompts/get, its name or URI in `Mcp-Name`
 *   (400 + -32020 HeaderMismatch);
 * - an `MCP-Protocol-Version` this server does not speak: 400 + -32022 with
 *   the supported versions.
 */
import { Hono, type Context } from 'hono';
import { requestIdFrom } from '../../server/request-id.js';
import { ErrorCodes, JsonRpcError, errorResponse, type JsonRpcId } from './jsonrpc.js';
import { UnauthorizedError, type InboundAuth } from '../auth/inbound.js';
import { InsufficientScopeError } from '../auth/oauth2.js';
import { asRuntimeError } from '../../engine/errors.js';
import type { IncomingMessage } from 'node:http';
import { readIncoming, readWebBody } from '../../server/body-reader.js';
import { checkOrigin, type OriginPolicy, type HeaderSource } from './origin-guard.js';
import { META_PROTOCOL_VERSION, SUPPORTED_VERSIONS, type McpProtocol, type RequestContext } from './protocol.js';

export interface McpHttpOptions {
  origin: OriginPolicy;
  maxBodyBytes: number;
  /** Inbound authentication shared by every MCP adapter of the listener. */
  auth?: InboundAuth;
  /** RFC 9728 protected-resource metadata, served without a token (oauth2 adapters). */
  protectedResource?: { path: string; document: Record<string, unknown> };
}

const KNOWN_VERSIONS = new Set(SUPPORTED_VERSIONS);
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
/** Methods whose `Mcp-Name` header mirrors `params.name` / `params.uri` (2026-07-28). */
const NAMED: Record<string, 'name' | 'uri'> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

export function buildMcpApp(protocol: () => McpProtocol, options: McpHttpOptions): Hono {
  const app = new Hono();
  const handler = (c: Context) => handlePost(c, protocol(), options);
  const metadata = options.protectedResource;
  if (metadata) app.get(metadata.path, (c) => c.json(metadata.document));
  const notAllowed = (c: Context) => {
    const rejected = checkOrigin(c.req.raw.headers, options.origin);
    if (rejected) return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `Forbidden: ${rejected}`), 403);
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `${c.req.method} is not supported: this MCP server is stateless and answers POST only.`), 405, { allow: 'POST' });
  };
  for (const path of ['/mcp', '/']) {
    app.post(path, handler);
    app.on(['GET', 'DELETE', 'PUT', 'PATCH'], path, notAllowed);
  }
  app.notFound((c) => rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `No MCP endpoint at ${c.req.path}; use /mcp.`), 404));
  return app;
}

function rpcFailure(error: JsonRpcError, status: number, headers: Record<string, string> = {}, id: JsonRpcId | null = null): Response {
  return new Response(JSON.stringify(errorResponse(id, error)), { status, headers: { ...JSON_HEADERS, ...headers } });
}

async function handlePost(c: Context, protocol: McpProtocol, options: McpHttpOptions): Promise<Response> {
  // Read the Node request directly when we have it (no web Request, stream or AbortSignal per call).
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const headers: HeaderSource = incoming ? nodeHeaderSource(incoming) : c.req.raw.headers;
  const rejected = checkOrigin(headers, options.origin);
  if (rejected) return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `Forbidden: ${rejected}`), 403);
  if (options.auth) {
    try {
      await options.auth.verify((name) => headers.get(name), new URL(c.req.url).searchParams);
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, 'Unauthorized: missing or invalid credentials.'), 401, { 'www-authenticate': error.challenge });
      }
      if (error instanceof InsufficientScopeError) {
        return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, 'Forbidden: the access token lacks a required scope.'), 403, { 'www-authenticate': error.challenge });
      }
      const failure = asRuntimeError(error);
      return rpcFailure(new JsonRpcError(ErrorCodes.InternalError, failure.message), failure.status);
    }
  }

  const contentType = headers.get('content-type');
  if (contentType === null || mediaType(contentType) !== 'application/json') {
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, 'Content-Type must be application/json.'), 415);
  }
  const accept = headers.get('accept');
  if (accept !== null && !acceptsJson(accept)) {
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, 'Not acceptable: this server answers application/json (send `Accept: application/json, text/event-stream`).'), 406);
  }
  const declared = Number(headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > options.maxBodyBytes) return tooLarge(options.maxBodyBytes);
  const text = incoming ? await readNodeBody(incoming, options.maxBodyBytes) : await readBody(c.req.raw, options.maxBodyBytes);
  if (text === undefined) return tooLarge(options.maxBodyBytes);
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return rpcFailure(new JsonRpcError(ErrorCodes.ParseError, 'Parse error: the body is not valid JSON.'), 400);
  }
  if (Array.isArray(message)) {
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, 'JSON-RPC batches are not supported (removed in MCP 2025-06-18): send one message per POST.'), 400);
  }

  const headerVersion = headers.get('mcp-protocol-version') ?? undefined;
  const isRequest = isObject(message) && typeof message.method === 'string' && message.id !== undefined;
  if (isRequest) {
    const failure = checkHeaders(message as Record<string, unknown>, headers, headerVersion);
    if (failure) return rpcFailure(failure, 400, {}, idOf(message));
  }

  const requestId = requestIdFrom(headers);
  const context: RequestContext = { requestId, transport: 'http', headerVersion };
  const response = await protocol.handle(message, context);
  if (response === undefined) return new Response(null, { status: 202 });
  return new Response(JSON.stringify(response), { status: context.status ?? 200, headers: { ...JSON_HEADERS, 'x-request-id': requestId } });
}

/**
 * Header rules of a request. A 2026-07-28 request mirrors its version, method
 * and name in headers; a header version this server does not know is refused
 * with the list of versions it does. Legacy requests need no other header.
 */
function checkHeaders(message: Record<string, unknown>, headers: HeaderSource, headerVersion: string | undefined): JsonRpcError | undefined {
  const params = isObject(message.params) ? message.params : undefined;
  const meta = params && isObject(params._meta) ? params._meta : undefined;
  const bodyVersion = meta?.[META_PROTOCOL_VERSION];
  if (bodyVersion === undefined) {
    if (headerVersion !== undefined && !KNOWN_VERSIONS.has(headerVersion)) {
      return new JsonRpcError(ErrorCodes.UnsupportedProtocolVersion, 'Unsupported protocol version', { supported: SUPPORTED_VERSIONS, requested: headerVersion }, 400);
    }
    return undefined;
  }
  if (headerVersion === undefined) return mismatch('the MCP-Protocol-Version header is missing');
  if (headerVersion !== bodyVersion) return mismatch(`MCP-Protocol-Version header value '${headerVersion}' does not match body value '${String(bodyVersion)}'`);
  const method = message.method as string;
  const methodHeader = headers.get('mcp-method');
  if (methodHeader === null) return mismatch('the Mcp-Method header is missing');
  if (methodHeader !== method) return mismatch(`Mcp-Method header value '${methodHeader}' does not match body value '${method}'`);
  const field = NAMED[method];
  if (field) {
    const raw = headers.get('mcp-name');
    if (raw === null) return mismatch('the Mcp-Name header is missing');
    const name = decodeHeaderValue(raw);
    if (name === undefined) return mismatch('the Mcp-Name header is not valid (malformed =?base64?…?= value)');
    const body = params?.[field];
    if (name !== body) return mismatch(`Mcp-Name header value '${raw}' does not match body value '${String(body)}'`);
  }
  return undefined;
}

function mismatch(detail: string): JsonRpcError {
  return new JsonRpcError(ErrorCodes.HeaderMismatch, `Header mismatch: ${detail}`, undefined, 400);
}

/** `=?base64?…?=` sentinel values (non-ASCII names and URIs) are decoded; others are taken as they are. */
export function decodeHeaderValue(raw: string): string | undefined {
  if (!raw.startsWith('=?base64?') || !raw.endsWith('?=') || raw.length < 11) return raw;
  const encoded = raw.slice(9, -2);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** The body as text, or undefined past `limit` bytes (reading stops there: a chunked body cannot grow memory unbounded). */
async function readBody(request: Request, limit: number): Promise<string | undefined> {
  return (await readWebBody(request, limit))?.toString('utf8');
}

async function readNodeBody(incoming: IncomingMessage, limit: number): Promise<string | undefined> {
  return (await readIncoming(incoming, limit))?.toString('utf8');
}

function nodeHeaderSource(incoming: IncomingMessage): HeaderSource {
  return {
    get(name) {
      const value = incoming.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function tooLarge(limit: number): Response {
  return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `Request body larger than ${limit} bytes.`), 413);
}

function mediaType(value: string): string | undefined {
  return value.split(';')[0]?.trim().toLowerCase();
}

function acceptsJson(accept: string): boolean {
  for (const part of accept.split(',')) {
    const type = mediaType(part);
    if (type === 'application/json' || type === 'application/*' || type === '*/*' || type === '') return true;
  }
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function idOf(message: unknown): JsonRpcId | null {
  const id = isObject(message) ? message.id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
