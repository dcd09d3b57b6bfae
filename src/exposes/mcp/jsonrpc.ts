/** JSON-RPC 2.0 shapes and the error codes MCP uses. */
export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id?: JsonRpcId | null;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** 2025-era resource-not-found. */
  ResourceNotFound: -32002,
  /** 2026-07-28: header/body mismatch. */
  HeaderMismatch: -32020,
  MissingRequiredClientCapability: -32021,
  UnsupportedProtocolVersion: -32022,
} as const;

/** A protocol-level failure: rendered as a JSON-RPC error (never prefixed). */
export class JsonRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    /** HTTP status when this error ends an HTTP exchange. */
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

export function errorResponse(id: JsonRpcId | null, error: JsonRpcError): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: { code: error.code, message: error.message, ...(error.data !== undefined ? { data: error.data } : {}) } };
}

/** Longest string id answered; longer ones are refused rather than echoed back. */
export const MAX_ID_LENGTH = 1024;

/**
 * Whether an `id` can be answered faithfully. A number the client sent must come
 * back as the same number: a 5000-digit id parses to Infinity (serialised as
 * `null`), and integers beyond 2^53 or huge exponents lose their digits — the
 * client could not match the answer, so such ids are refused as invalid.
 */
export function isValidId(id: unknown): id is JsonRpcId {
  if (typeof id === 'string') return id.length <= MAX_ID_LENGTH;
  return typeof id === 'number' && Number.isFinite(id) && Math.abs(id) <= Number.MAX_SAFE_INTEGER;
}

/** The id of a message when it is valid, else null (for error answers). */
export function idOf(message: unknown): JsonRpcId | null {
  const id = message !== null && typeof message === 'object' && !Array.isArray(message) ? (message as { id?: unknown }).id : undefined;
  return isValidId(id) ? id : null;
}
