/**
 * MCP Streamable HTTP transport, stateless and JSON-only: each POST carries one
 * JSON-RPC message and gets one JSON answer (202 for notifications). No session
 * is issued (an `Mcp-Session-Id` sent by a client is ignored), so GET (server
 * stream) and DELETE (end session) get 405 — as both the 2025 stateless profile
 * and 2026-07-28 require. Served at `/mcp`, and at `/` for clients configured
 * with the bare origin.
 *
 * Checks, in order: Origin/Host (403), method (405), inbound auth (401/403),
 * Content-Type (415), Accept (406), body size (413), JSON (400 -32700), batches
 * (400), then the version rules:
 * - a 2026-07-28 request (`_meta` protocol version) must mirror it in
 *   `MCP-Protocol-Version`, its method in `Mcp-Method` and, for tools/call,
 *   resources/read and prompts/get, its name or URI in `Mcp-Name`
 *   (400 + -32020 HeaderMismatch);
 * - an `MCP-Protocol-Version` this server does not speak: 400 + -32022 with
 *   the supported versions.
 *
 * The shared stages (observation, error boundary, guard, auth, body limit)
 * come from src/exposes/pipeline; this file supplies MCP's own parsing (media
 * types, JSON-RPC, header rules) and renders every refusal as a JSON-RPC error.
 */
import { Hono, type Context } from 'hono';
import { ErrorCodes, JsonRpcError, errorResponse, idOf, type JsonRpcId } from './jsonrpc.js';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../../util/json-depth.js';
import { UnauthorizedError, type InboundAuth } from '../auth/inbound.js';
import { InsufficientScopeError } from '../auth/oauth2.js';
import { asRuntimeError, MethodNotAllowedError, PayloadTooLargeError } from '../../engine/errors.js';
import type { HeaderSource } from '../../http/headers.js';
import type { RequestObserver } from '../../http/observer.js';
import { nodeBindings, sendReply, writeReply, type Reply } from '../../http/reply.js';
import type { DirectHandler } from '../../http/direct.js';
import { isObject } from '../../util/is-object.js';
import { callerWantsFresh } from '../../engine/upstream/cache.js';
import { Exchange } from '../pipeline/exchange.js';
import { compose, type Handler, type Stage } from '../pipeline/stage.js';
import { observe } from '../pipeline/observe.js';
import { renderErrors } from '../pipeline/render-errors.js';
import { guard, ForbiddenOriginError, type OriginPolicy } from '../pipeline/guard.js';
import { authenticate } from '../pipeline/authenticate.js';
import { readBody } from '../pipeline/read-body.js';
import { META_PROTOCOL_VERSION, SUPPORTED_VERSIONS, serializeResponse, type McpProtocol, type RequestContext } from './protocol.js';

export interface McpHttpOptions {
  origin: OriginPolicy;
  maxBodyBytes: number;
  /** Inbound authentication shared by every MCP adapter of the listener. */
  auth?: InboundAuth;
  /** RFC 9728 protected-resource metadata, served without a token (oauth2 adapters). */
  protectedResource?: { path: string; document: Record<string, unknown> };
  observe?: RequestObserver;
  /** Request stages run after the guard, before authentication (tracing, limits on the endpoint…), outermost first. */
  requestStages?: readonly Stage[];
  /** Stages outside everything, observation and error rendering included (tracing): they see every reply. */
  edgeStages?: readonly Stage[];
}

const KNOWN_VERSIONS = new Set(SUPPORTED_VERSIONS);
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
/** Methods whose `Mcp-Name` header mirrors `params.name` / `params.uri` (2026-07-28). */
const NAMED: Record<string, 'name' | 'uri'> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

/** An MCP listener's handlers: the hono app (every request), and the direct path for the endpoint (src/http/direct.ts). */
export interface McpApp {
  app: Hono;
  direct: DirectHandler;
}

/** A Host the URL parser keeps as sent (anything else takes hono's path, which checks it). */
const PLAIN_HOST = /^[a-z0-9.-]+(?::\d{1,5})?$/;

export function buildMcpApp(protocol: () => McpProtocol, options: McpHttpOptions): McpApp {
  const app = new Hono();
  const endpoint = mcpPipeline(protocol, options);
  // The direct path: a POST to the endpoint (every tool call) runs the same pipeline without a web
  // Request or hono Context; anything else (GET/DELETE refusals, metadata, unknown paths) takes the app.
  const direct: DirectHandler = (incoming, outgoing) => {
    const target = incoming.url;
    const host = incoming.headers.host;
    if (incoming.method !== 'POST' || (target !== '/mcp' && target !== '/') || host === undefined || !PLAIN_HOST.test(host)) return false;
    endpoint(new Exchange('mcp', incoming)).then(
      (reply) => writeReply(outgoing, reply),
      (error: unknown) => {
        if (!outgoing.headersSent) writeReply(outgoing, renderRpcError(error));
        else outgoing.destroy();
      },
    );
    return true;
  };
  const handler = async (c: Context) => {
    const bindings = nodeBindings(c.env, 'MCP');
    return sendReply(bindings, await endpoint(new Exchange('mcp', bindings.incoming)));
  };
  const metadata = options.protectedResource;
  if (metadata) app.get(metadata.path, (c) => c.json(metadata.document));
  for (const path of ['/mcp', '/']) app.on(['POST', 'GET', 'DELETE', 'PUT', 'PATCH'], path, handler);
  // Unknown paths are observed too (bounded labels, never the raw path).
  const notFound = compose([observe('mcp', options.observe)], (exchange) =>
    Promise.resolve(rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `No MCP endpoint at ${exchange.path}; use /mcp.`), 404)),
  );
  app.notFound(async (c) => {
    const bindings = nodeBindings(c.env, 'MCP');
    const exchange = new Exchange('mcp', bindings.incoming);
    exchange.adapter = '(none)';
    exchange.operation = '(unmatched)';
    return sendReply(bindings, await notFound(exchange));
  });
  return { app, direct };
}

/** The MCP endpoint: shared stages around MCP's own checks and the protocol. */
function mcpPipeline(protocol: () => McpProtocol, options: McpHttpOptions): Handler {
  const stages: Stage[] = [
    ...(options.edgeStages ?? []),
    observe('mcp', options.observe),
    renderErrors(renderRpcError),
    guard(options.origin),
    postOnly,
    ...(options.requestStages ?? []),
    authenticate(options.auth),
    negotiate,
    readBody(options.maxBodyBytes),
  ];
  return compose(stages, (exchange) => answer(exchange, protocol()));
}

/** GET (server stream) and DELETE (end session) need sessions, which this stateless server never issues. */
const postOnly: Stage = (next) => (exchange) => {
  if (exchange.method === 'POST') return next(exchange);
  return Promise.reject(new MethodNotAllowedError(`${exchange.method} is not supported: this MCP server is stateless and answers POST only.`, ['POST']));
};

/** Media types: a JSON body, and an `Accept` that takes JSON. */
const negotiate: Stage = (next) => (exchange) => {
  const contentType = exchange.get('content-type');
  if (contentType === null || mediaType(contentType) !== 'application/json') {
    return Promise.reject(new JsonRpcError(ErrorCodes.InvalidRequest, 'Content-Type must be application/json.', undefined, 415));
  }
  const accept = exchange.get('accept');
  if (accept !== null && !acceptsJson(accept)) {
    return Promise.reject(
      new JsonRpcError(ErrorCodes.InvalidRequest, 'Not acceptable: this server answers application/json (send `Accept: application/json, text/event-stream`).', undefined, 406),
    );
  }
  return next(exchange);
};

/** Parses the one JSON-RPC message, checks the header rules, and lets the protocol answer it. */
async function answer(exchange: Exchange, protocol: McpProtocol): Promise<Reply> {
  let message: unknown;
  const text = exchange.body!.toString('utf8');
  try {
    message = JSON.parse(text);
  } catch {
    return rpcFailure(new JsonRpcError(ErrorCodes.ParseError, 'Parse error: the body is not valid JSON.'), 400);
  }
  if (jsonDepthExceeds(text)) return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `Invalid request: the message nests deeper than ${MAX_JSON_DEPTH} levels.`), 400, {}, idOf(message));
  if (Array.isArray(message)) {
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, 'JSON-RPC batches are not supported (removed in MCP 2025-06-18): send one message per POST.'), 400);
  }

  const headerVersion = exchange.get('mcp-protocol-version') ?? undefined;
  // The server span starts now that its parent may be read from `params._meta.traceparent`.
  exchange.traceMessage?.(isObject(message) && isObject(message.params) ? message.params : undefined);
  const isRequest = isObject(message) && typeof message.method === 'string' && message.id !== undefined;
  if (isRequest) {
    const m = message as Record<string, unknown>;
    exchange.rpc = { method: m.method as string, id: idOf(message) ?? undefined, protocolVersion: headerVersion };
    const failure = checkHeaders(message as Record<string, unknown>, exchange, headerVersion);
    if (failure) return rpcFailure(failure, 400, {}, idOf(message));
  }

  const requestId = exchange.requestId;
  const context: RequestContext = { requestId, transport: 'http', headerVersion, caller: exchange.callerId, trace: exchange.trace };
  // `Cache-Control: no-cache` on the POST asks the tool call for a fresh upstream answer, as on REST.
  if (callerWantsFresh(exchange.get('cache-control') ?? undefined, exchange.get('pragma') ?? undefined)) context.fresh = true;
  const response = await protocol.handle(message, context);
  const call = context.call;
  if (call) {
    exchange.adapter = call.adapter;
    exchange.operation = call.operation;
    exchange.status = call.status;
    exchange.upstream = call.upstream;
    exchange.error = call.error;
  }
  if (response === undefined) return { status: 202, headers: {}, body: null };
  return { status: context.status ?? 200, headers: { ...JSON_HEADERS, 'x-request-id': requestId }, body: serializeResponse(response) };
}

/** Every refusal of the shared stages, as the JSON-RPC error an MCP client expects. */
function renderRpcError(error: unknown): Reply {
  if (error instanceof JsonRpcError) return rpcFailure(error, error.httpStatus);
  if (error instanceof ForbiddenOriginError) return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `Forbidden: ${error.reason}`), 403);
  if (error instanceof MethodNotAllowedError) return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, error.message), 405, error.responseHeaders());
  if (error instanceof UnauthorizedError) {
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, 'Unauthorized: missing or invalid credentials.'), 401, error.responseHeaders());
  }
  if (error instanceof InsufficientScopeError) {
    return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, 'Forbidden: the access token lacks a required scope.'), 403, error.responseHeaders());
  }
  if (error instanceof PayloadTooLargeError) return rpcFailure(new JsonRpcError(ErrorCodes.InvalidRequest, `Request body larger than ${String(error.extensions.limit)} bytes.`), 413);
  const failure = asRuntimeError(error);
  return rpcFailure(new JsonRpcError(ErrorCodes.InternalError, failure.message), failure.status, failure.responseHeaders());
}

function rpcFailure(error: JsonRpcError, status: number, headers: Record<string, string> = {}, id: JsonRpcId | null = null): Reply {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(errorResponse(id, error)) };
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


