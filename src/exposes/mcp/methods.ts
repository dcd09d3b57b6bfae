/**
 * The method table: which JSON-RPC method is served in which era, and by
 * which handler. Methods served in both eras come first; 2026-07-28 removed
 * `initialize`, `ping`, `logging/setLevel` and `resources/(un)subscribe`, and
 * added `server/discover`.
 */
import { isObject } from '../../util/is-object.js';
import { dressModern, negotiateLegacy, serverMeta, SUPPORTED_VERSIONS } from './eras.js';
import { ErrorCodes, JsonRpcError } from './jsonrpc.js';
import { getPrompt } from './prompts.js';
import { readResource, resourceList } from './resources.js';
import { invalid, SerializedResult } from './results.js';
import type { McpRegistry } from './registry.js';
import { callTool } from './tools.js';
import type { Era, MethodCall, Result } from './types.js';

export interface MethodHandler {
  /** Eras the method exists in. */
  eras: readonly Era[];
  run(call: MethodCall): Result | Promise<Result>;
}

const BOTH: readonly Era[] = ['legacy', 'modern'];
const LEGACY: readonly Era[] = ['legacy'];
const MODERN: readonly Era[] = ['modern'];
const LOG_LEVELS = new Set(['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']);

export const METHODS: ReadonlyMap<string, MethodHandler> = new Map<string, MethodHandler>([
  ['tools/list', { eras: BOTH, run: (c) => cachedList(c, 'tools', c.registry.listings.tools) }],
  ['tools/call', { eras: BOTH, run: callTool }],
  ['resources/list', { eras: BOTH, run: async (c) => list(c, 'resources', await resourceList(c.registry)) }],
  ['resources/templates/list', { eras: BOTH, run: (c) => list(c, 'resourceTemplates', c.registry.listings.templates) }],
  ['resources/read', { eras: BOTH, run: readResource }],
  ['prompts/list', { eras: BOTH, run: (c) => list(c, 'prompts', c.registry.listings.prompts) }],
  ['prompts/get', { eras: BOTH, run: getPrompt }],
  [
    'completion/complete',
    {
      eras: BOTH,
      run: ({ params }) => {
        if (!isObject(params.ref) || !isObject(params.argument)) throw invalid('completion/complete needs `ref` and `argument`.');
        return { completion: { values: [], total: 0, hasMore: false } };
      },
    },
  ],
  ['server/discover', { eras: MODERN, run: discover }],
  ['initialize', { eras: LEGACY, run: initialize }],
  ['ping', { eras: LEGACY, run: () => ({}) }],
  [
    'logging/setLevel',
    {
      eras: LEGACY,
      run: ({ params }) => {
        if (typeof params.level !== 'string' || !LOG_LEVELS.has(params.level)) throw invalid(`Invalid log level: ${String(params.level)}.`);
        return {};
      },
    },
  ],
  ['resources/subscribe', { eras: LEGACY, run: subscribe('resources/subscribe') }],
  ['resources/unsubscribe', { eras: LEGACY, run: subscribe('resources/unsubscribe') }],
]);

/** Runs a method, or refuses it: a method unknown in its era is -32601 (404 on a modern request). */
export function dispatch(method: string, call: MethodCall): Result | Promise<Result> {
  const handler = METHODS.get(method);
  if (handler && handler.eras.includes(call.era)) return handler.run(call);
  throw new JsonRpcError(ErrorCodes.MethodNotFound, `Method not found: ${method}`, undefined, call.era === 'modern' ? 404 : 200);
}

function initialize({ registry, params, context, server }: MethodCall): Result {
  const info = registry.serverInfo;
  return {
    protocolVersion: negotiateLegacy(params.protocolVersion),
    capabilities: server.capabilities('legacy', context),
    serverInfo: { name: info.name, version: info.version },
    ...(info.instructions ? { instructions: info.instructions } : {}),
  };
}

function discover({ registry, context, server }: MethodCall): Result {
  const text = registry.serverInfo.instructions;
  return { supportedVersions: SUPPORTED_VERSIONS, capabilities: server.capabilities('modern', context), ...(text ? { instructions: text } : {}), ttlMs: server.ttl, cacheScope: 'public' };
}

/** Accepted and kept by nobody: this server's resources never announce updates (the capability says so). */
function subscribe(method: string) {
  return ({ params }: MethodCall): Result => {
    if (typeof params.uri !== 'string') throw invalid(`${method} needs a \`uri\`.`);
    return {};
  };
}

/**
 * Serialised pages per registry (one registry per generation: a reload builds a
 * new one, so the cache never serves a stale list and is collected with it).
 * Keyed by era and offset — only valid cursors get here, so it stays bounded.
 */
const SERIALIZED_LISTS = new WeakMap<McpRegistry, Map<string, SerializedResult>>();

/** A list page served from its cached serialisation (big, hot and identical for every caller: `tools/list`). */
function cachedList(call: MethodCall, key: string, items: readonly unknown[]): Result {
  const offset = call.params.cursor === undefined ? 0 : decodeCursor(call.params.cursor);
  const cacheKey = `${call.era}:${key}:${offset}:${call.server.options.pageSize}`;
  let byPage = SERIALIZED_LISTS.get(call.registry);
  const hit = byPage?.get(cacheKey);
  if (hit) return hit as unknown as Result;
  const result = list(call, key, items); // throws on an invalid cursor: nothing cached
  if (call.era === 'modern') dressModern(result, serverMeta(call.registry));
  const serialized = new SerializedResult(JSON.stringify(result));
  if (!byPage) {
    byPage = new Map();
    SERIALIZED_LISTS.set(call.registry, byPage);
  }
  byPage.set(cacheKey, serialized);
  return serialized as unknown as Result;
}

/** One page of a list; modern lists carry cache hints (lists change only on reload). */
function list({ era, params, server }: MethodCall, key: string, items: readonly unknown[]): Result {
  let offset = 0;
  const cursor = params.cursor;
  if (cursor !== undefined) {
    offset = decodeCursor(cursor);
    if (offset < 0 || offset > items.length) throw invalid('Invalid cursor.');
  }
  const size = server.options.pageSize;
  const end = offset + size;
  const result: Result = { [key]: offset === 0 && items.length <= size ? items : items.slice(offset, end) };
  if (end < items.length) result.nextCursor = encodeCursor(end);
  if (era === 'modern') {
    result.ttlMs = server.ttl;
    result.cacheScope = 'public';
  }
  return result;
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeCursor(cursor: unknown): number {
  if (typeof cursor !== 'string') return -1;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    return typeof parsed.o === 'number' && Number.isInteger(parsed.o) ? parsed.o : -1;
  } catch {
    return -1;
  }
}
