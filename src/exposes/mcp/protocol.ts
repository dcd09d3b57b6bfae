/**
 * The MCP protocol core: a plain JSON-RPC dispatcher over a registry. It is
 * transport-neutral (HTTP and stdio both feed it) and keeps no per-client
 * state, so a request costs a table lookup, one argument validation and the
 * invocation itself.
 *
 * The work is split by concern: eras.ts (which protocol era a request is in,
 * legacy vs 2026-07-28), methods.ts (the method table), tools.ts, resources.ts
 * and prompts.ts (the handlers), types.ts (shared shapes).
 *
 * Tool failures the model should read become `isError` results; protocol
 * failures (unknown tool, malformed request) become JSON-RPC errors.
 */
import { asRuntimeError } from '../../engine/errors.js';
import { isObject } from '../../util/is-object.js';
import { compose } from '../pipeline/stage.js';
import { invokeTarget, type CallHandler } from '../pipeline/call.js';
import { dressModern, eraOf, serverMeta } from './eras.js';
import { ErrorCodes, JsonRpcError, MAX_ID_LENGTH, errorResponse, idOf, isValidId, type JsonRpcResponse } from './jsonrpc.js';
import { dispatch } from './methods.js';
import type { McpRegistry } from './registry.js';
import { invalid, SerializedResult } from './results.js';
export { SerializedResult, serializeResponse } from './results.js';
import type { Era, ListKind, McpProtocolOptions, Params, ProtocolServices, RequestContext, Result } from './types.js';

export { META_PROTOCOL_VERSION, META_CLIENT_CAPABILITIES, META_SERVER_INFO, MODERN_VERSION, SUPPORTED_VERSIONS, LEGACY_VERSIONS } from './eras.js';
export { guessMime, isTextual } from './resources.js';
export type { ListKind, McpProtocolOptions, RequestContext, ToolCallOutcome } from './types.js';

const NO_PARAMS: Params = Object.freeze({}) as Params;

export class McpProtocol implements ProtocolServices {
  private readonly listeners = new Set<(kinds: ListKind[]) => void>();
  private resultMeta: Record<string, unknown>;
  readonly invoke: CallHandler;

  constructor(
    private registry: McpRegistry,
    readonly options: McpProtocolOptions,
  ) {
    this.invoke = compose(options.callStages ?? [], invokeTarget);
    this.resultMeta = serverMeta(registry);
    this.reportWarnings(registry);
  }

  /** Swaps the served tools/resources/prompts (hot reload); in-flight calls keep the old entries. */
  setRegistry(registry: McpRegistry): void {
    const before = this.registry;
    if (before === registry) return;
    this.registry = registry;
    this.resultMeta = serverMeta(registry);
    this.reportWarnings(registry);
    if (this.listeners.size === 0) return;
    const changed = (['tools', 'resources', 'prompts'] as const).filter((kind) => before.fingerprint(kind) !== registry.fingerprint(kind));
    if (changed.length > 0) for (const listener of this.listeners) listener(changed);
  }

  get current(): McpRegistry {
    return this.registry;
  }

  /** Called with the kinds of lists that changed on each registry swap (stdio sends `notifications/*\/list_changed`). */
  onListChanged(listener: (kinds: ListKind[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Handles one message. Returns undefined for notifications and responses
   * (nothing to send back). Sets `context.status` when the transport should not
   * answer 200 (HTTP), and `context.era`.
   */
  async handle(message: unknown, context: RequestContext): Promise<JsonRpcResponse | undefined> {
    if (!isObject(message) || message.jsonrpc !== '2.0') {
      context.status = 400;
      return errorResponse(idOf(message), new JsonRpcError(ErrorCodes.InvalidRequest, 'Invalid JSON-RPC 2.0 message: `jsonrpc` must be "2.0".'));
    }
    const method = message.method;
    if (typeof method !== 'string') {
      // A response from the client (this server sends no requests) needs no answer.
      if ('result' in message || 'error' in message) return undefined;
      context.status = 400;
      return errorResponse(idOf(message), new JsonRpcError(ErrorCodes.InvalidRequest, 'Invalid JSON-RPC 2.0 message: `method` is missing.'));
    }
    const id = message.id;
    if (id === undefined) return undefined; // a notification: nothing to answer
    if (!isValidId(id)) {
      context.status = 400;
      return errorResponse(null, new JsonRpcError(ErrorCodes.InvalidRequest, `Invalid request: \`id\` must be a string (at most ${MAX_ID_LENGTH} characters) or a finite number within ±2^53.`));
    }
    try {
      const raw = message.params;
      if (raw !== undefined && !isObject(raw)) throw invalid('`params` must be an object.');
      const params = (raw as Params | undefined) ?? NO_PARAMS;
      const era = eraOf(method, params, context);
      context.era = era;
      const registry = this.registry;
      const result = await dispatch(method, { registry, params, context, era, server: this });
      // A cached page (SerializedResult) was dressed when it was cached.
      return { jsonrpc: '2.0', id, result: era === 'modern' && !(result instanceof SerializedResult) ? dressModern(result, this.resultMeta) : result };
    } catch (error) {
      if (error instanceof JsonRpcError) {
        if (error.httpStatus !== 200) context.status = error.httpStatus;
        return errorResponse(id, error);
      }
      const failure = asRuntimeError(error);
      this.options.logger.error({ err: failure, method }, 'mcp request failed');
      return errorResponse(id, new JsonRpcError(ErrorCodes.InternalError, this.options.redactor.redact(failure.message)));
    }
  }

  /**
   * What this server offers. `listChanged` is promised only where it can be
   * kept: a stdio session can push notifications, stateless HTTP cannot (2026
   * clients re-list when `ttlMs` expires).
   */
  capabilities(era: Era, context: Pick<RequestContext, 'transport'> = {}): Result {
    const registry = this.registry;
    const push = era === 'legacy' && context.transport === 'stdio' ? { listChanged: true } : {};
    const hasResources = registry.resources.length > 0;
    const hasPrompts = registry.prompts.length > 0;
    return {
      tools: push,
      ...(hasResources ? { resources: push } : {}),
      ...(hasPrompts ? { prompts: push } : {}),
      ...(era === 'legacy' ? { logging: {} } : {}),
      completions: {},
    };
  }

  get ttl(): number {
    return this.options.listTtlMs ?? 60_000;
  }

  get maxResourceBytes(): number {
    return this.options.maxResourceBytes ?? 8 * 1024 * 1024;
  }

  private reportWarnings(registry: McpRegistry): void {
    for (const warning of registry.warnings) this.options.logger.warn({ registry: registry.info.name }, warning);
  }
}


