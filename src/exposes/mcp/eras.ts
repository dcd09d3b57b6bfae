/**
 * Protocol eras on one endpoint (README): legacy (2025-11-25 and older,
 * `initialize` negotiates) and modern (2026-07-28, every request carries its
 * version and client capabilities in `_meta`). Which era a request is in, what
 * a modern request must carry, and how a modern result is dressed.
 */
import { isObject } from '../../util/is-object.js';
import { ErrorCodes, JsonRpcError } from './jsonrpc.js';
import type { McpRegistry } from './registry.js';
import type { Era, Params, RequestContext, Result } from './types.js';

export const MODERN_VERSION = '2026-07-28';
export const MODERN_VERSIONS: readonly string[] = [MODERN_VERSION];
export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
export const LATEST_LEGACY = LEGACY_VERSIONS[0];
/** Every version this server speaks, newest first (sent in `server/discover` and -32022 errors). */
export const SUPPORTED_VERSIONS: readonly string[] = [...MODERN_VERSIONS, ...LEGACY_VERSIONS];
const MODERN_SET = new Set(MODERN_VERSIONS);
const LEGACY_SET = new Set<string>(LEGACY_VERSIONS);

export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';

/**
 * The era of a request: modern when `_meta` names a version (which must be one
 * we speak, with client capabilities), legacy otherwise — except that a
 * legacy-shaped `server/discover`, or a modern `MCP-Protocol-Version` header
 * without `_meta`, is a malformed modern request.
 */
export function eraOf(method: string, params: Params, context: RequestContext): Era {
  const meta = params._meta;
  const version = isObject(meta) ? meta[META_PROTOCOL_VERSION] : undefined;
  if (version !== undefined) {
    checkModernMeta(version, meta as Params);
    return 'modern';
  }
  if (method === 'server/discover' || (context.headerVersion !== undefined && MODERN_SET.has(context.headerVersion))) {
    throw new JsonRpcError(
      ErrorCodes.InvalidParams,
      `A ${MODERN_VERSION} request needs \`params._meta\` with \`${META_PROTOCOL_VERSION}\` and \`${META_CLIENT_CAPABILITIES}\`.`,
      undefined,
      400,
    );
  }
  return 'legacy';
}

/** The version `initialize` answers: the requested one when we speak it, else our latest (the client decides). */
export function negotiateLegacy(requested: unknown): string {
  return typeof requested === 'string' && LEGACY_SET.has(requested) ? requested : LATEST_LEGACY;
}

/** A modern result carries `resultType` and the server's identity. */
export function dressModern(result: Result, serverMeta: Record<string, unknown>): Result {
  result.resultType = 'complete';
  result._meta = serverMeta;
  return result;
}

function checkModernMeta(version: unknown, meta: Params): void {
  if (typeof version !== 'string') throw new JsonRpcError(ErrorCodes.InvalidParams, `\`_meta["${META_PROTOCOL_VERSION}"]\` must be a string.`, undefined, 400);
  if (!MODERN_SET.has(version)) {
    throw new JsonRpcError(ErrorCodes.UnsupportedProtocolVersion, 'Unsupported protocol version', { supported: SUPPORTED_VERSIONS, requested: version }, 400);
  }
  if (!isObject(meta[META_CLIENT_CAPABILITIES])) {
    throw new JsonRpcError(ErrorCodes.InvalidParams, `\`_meta["${META_CLIENT_CAPABILITIES}"]\` is required (an object; \`{}\` when the client has none).`, undefined, 400);
  }
}

export function serverMeta(registry: McpRegistry): Record<string, unknown> {
  return { [META_SERVER_INFO]: { name: registry.info.name, version: registry.info.version } };
}
