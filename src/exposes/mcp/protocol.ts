/**
 * The MCP protocol core: a plain JSON-RPC dispatcher over a registry. It is
 * transport-neutral (HTTP and stdio both feed it) and keeps no per-client
 * state, so a request costs a method switch, one argument validation and the
 * invocation itself.
 *
 * It is dual-era on one endpoint (src/exposes/mcp/README.md):
 * - legacy (2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05): `initialize`
 *   negotiates a version, later requests carry none;
 * - modern (2026-07-28): every request carries `_meta` with
 *   `io.modelcontextprotocol/protocolVersion` and `…/clientCapabilities`;
 *   `server/discover` replaces `initialize`; results carry `resultType`, the
 *   server's identity in `_meta`, and cache hints (`ttlMs`, `cacheScope`).
 *
 * Tool failures the model should read become `isError` results; protocol
 * failures (unknown tool, malformed request) become JSON-RPC errors.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { extname, sep } from 'node:path';
import { asRuntimeError } from '../../engine/errors.js';
import type { InvocationResult } from '../../engine/invocation.js';
import type { Redactor } from '../../engine/redact.js';
import type { Logger } from '../../http/logger.js';
import { isObject } from '../../util/is-object.js';
import { compose } from '../pipeline/stage.js';
import { invokeTarget, type CallHandler, type CallStage } from '../pipeline/call.js';
import { ErrorCodes, JsonRpcError, errorResponse, type JsonRpcId, type JsonRpcResponse } from './jsonrpc.js';
import type { McpRegistry, PromptEntry, ResourceDescriptor, ResourceEntry, ToolEntry } from './registry.js';

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

const LOG_LEVELS = new Set(['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']);

export type ListKind = 'tools' | 'resources' | 'prompts';

export interface McpProtocolOptions {
  redactor: Redactor;
  logger: Logger;
  /** Items per page of the list methods. */
  pageSize: number;
  /** Largest text of an error result (upstream bodies are trimmed to it). */
  maxErrorText: number;
  /** Call stages around each tool call and dynamic resource read (rate limit, response cache…), outermost first. */
  callStages?: readonly CallStage[];
  /** 2026-07-28 `ttlMs` of list results and static resources (default 60 s: lists change only on reload). */
  listTtlMs?: number;
  /** Largest file a static resource or file prompt serves (default 8 MiB). */
  maxResourceBytes?: number;
}

export interface RequestContext {
  requestId: string;
  signal?: AbortSignal;
  /** Which transport carries the request (capabilities differ: only stdio can push list_changed). */
  transport?: 'http' | 'stdio';
  /** HTTP: the `MCP-Protocol-Version` header, when sent. */
  headerVersion?: string;
  /** Set by `handle`: the HTTP status the transport should answer with when it is not 200. */
  status?: number;
  /** Set by `handle`: the era the request was served in. */
  era?: 'legacy' | 'modern';
  /** Who is calling (HTTP: from the pipeline's auth stage), for per-caller call stages. */
  caller?: string;
  /** Set by `handle` for `tools/call`: what the transport's observation records. */
  call?: ToolCallOutcome;
}

/** How one tool call ended, for metrics and the request log (the tool's own status, not the HTTP one). */
export interface ToolCallOutcome {
  adapter: string;
  operation: string;
  status: number;
  upstream?: { status: number; durationMs: number };
  error?: string;
}

type Era = 'legacy' | 'modern';
type Params = Record<string, unknown>;
type Result = Record<string, unknown>;

const TEXT_DECODER = new TextDecoder();
const NO_PARAMS: Params = Object.freeze({}) as Params;

export class McpProtocol {
  private readonly listeners = new Set<(kinds: ListKind[]) => void>();
  private resultMeta: Record<string, unknown>;
  private readonly invoke: CallHandler;

  constructor(
    private registry: McpRegistry,
    private readonly options: McpProtocolOptions,
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
    if (typeof id !== 'string' && typeof id !== 'number') {
      context.status = 400;
      return errorResponse(null, new JsonRpcError(ErrorCodes.InvalidRequest, 'Invalid request: `id` must be a string or a number.'));
    }
    try {
      const raw = message.params;
      if (raw !== undefined && !isObject(raw)) throw invalid('`params` must be an object.');
      const params = (raw as Params | undefined) ?? NO_PARAMS;
      const meta = params._meta;
      const version = isObject(meta) ? meta[META_PROTOCOL_VERSION] : undefined;
      let result: Result;
      if (version !== undefined) {
        context.era = 'modern';
        checkModernMeta(version, meta as Params);
        result = await this.dispatch(method, params, context, 'modern');
        result.resultType = 'complete';
        result._meta = this.resultMeta;
      } else {
        if (method === 'server/discover' || (context.headerVersion !== undefined && MODERN_SET.has(context.headerVersion))) {
          throw new JsonRpcError(
            ErrorCodes.InvalidParams,
            `A ${MODERN_VERSION} request needs \`params._meta\` with \`${META_PROTOCOL_VERSION}\` and \`${META_CLIENT_CAPABILITIES}\`.`,
            undefined,
            400,
          );
        }
        context.era = 'legacy';
        result = await this.dispatch(method, params, context, 'legacy');
      }
      return { jsonrpc: '2.0', id, result };
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

  private async dispatch(method: string, params: Params, context: RequestContext, era: Era): Promise<Result> {
    const registry = this.registry;
    switch (method) {
      case 'tools/list':
        return this.list(era, 'tools', registry.listings.tools, params.cursor);
      case 'tools/call':
        return this.callTool(registry, params, context);
      case 'resources/list':
        return this.list(era, 'resources', await this.resourceList(registry), params.cursor);
      case 'resources/templates/list':
        return this.list(era, 'resourceTemplates', registry.listings.templates, params.cursor);
      case 'resources/read':
        return this.readResource(registry, params, context, era);
      case 'prompts/list':
        return this.list(era, 'prompts', registry.listings.prompts, params.cursor);
      case 'prompts/get':
        return this.getPrompt(registry, params);
      case 'completion/complete':
        if (!isObject(params.ref) || !isObject(params.argument)) throw invalid('completion/complete needs `ref` and `argument`.');
        return { completion: { values: [], total: 0, hasMore: false } };
    }
    if (era === 'modern') {
      if (method === 'server/discover') {
        return { supportedVersions: SUPPORTED_VERSIONS, capabilities: this.capabilities('modern', context), ...instructions(registry), ttlMs: this.ttl, cacheScope: 'public' };
      }
      // Removed in 2026-07-28 (initialize, ping, logging/setLevel, resources/subscribe) or never served.
      throw new JsonRpcError(ErrorCodes.MethodNotFound, `Method not found: ${method}`, undefined, 404);
    }
    switch (method) {
      case 'initialize':
        return this.initialize(registry, params, context);
      case 'ping':
        return {};
      case 'logging/setLevel':
        if (typeof params.level !== 'string' || !LOG_LEVELS.has(params.level)) throw invalid(`Invalid log level: ${String(params.level)}.`);
        return {};
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        // Accepted and kept by nobody: this server's resources never announce updates (the capability says so).
        if (typeof params.uri !== 'string') throw invalid(`${method} needs a \`uri\`.`);
        return {};
      default:
        throw new JsonRpcError(ErrorCodes.MethodNotFound, `Method not found: ${method}`);
    }
  }

  private initialize(registry: McpRegistry, params: Params, context: RequestContext): Result {
    const requested = typeof params.protocolVersion === 'string' ? params.protocolVersion : undefined;
    // Version negotiation: echo a version we speak, else offer our latest (the client decides).
    const protocolVersion = requested && LEGACY_SET.has(requested) ? requested : LATEST_LEGACY;
    const info = registry.serverInfo;
    return {
      protocolVersion,
      capabilities: this.capabilities('legacy', context),
      serverInfo: { name: info.name, version: info.version },
      ...(info.instructions ? { instructions: info.instructions } : {}),
    };
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

  private get ttl(): number {
    return this.options.listTtlMs ?? 60_000;
  }

  private list(era: Era, key: string, items: readonly unknown[], cursor: unknown): Result {
    let offset = 0;
    if (cursor !== undefined) {
      offset = decodeCursor(cursor);
      if (offset < 0 || offset > items.length) throw invalid('Invalid cursor.');
    }
    const size = this.options.pageSize;
    const end = offset + size;
    const result: Result = { [key]: offset === 0 && items.length <= size ? items : items.slice(offset, end) };
    if (end < items.length) result.nextCursor = encodeCursor(end);
    if (era === 'modern') {
      result.ttlMs = this.ttl;
      result.cacheScope = 'public';
    }
    return result;
  }

  // ---------------------------------------------------------------- tools

  private async callTool(registry: McpRegistry, params: Params, context: RequestContext): Promise<Result> {
    const name = params.name;
    if (typeof name !== 'string') throw invalid('tools/call needs a tool `name`.');
    const entry = registry.tool(name);
    if (!entry) throw invalid(`Unknown tool: ${name}`);
    const args = params.arguments ?? {};
    if (!isObject(args)) throw invalid('`arguments` must be an object.');
    let status = 200;
    let upstream: InvocationResult['upstream'];
    let outcome: Result;
    let error: string | undefined;
    if (!entry.validate(args)) {
      // Since 2025-11-25 invalid arguments are a tool error the model can read and correct.
      status = 400;
      error = describeValidation(entry);
      outcome = toolError(`Invalid arguments for tool ${name}: ${error}.`);
    } else {
      try {
        const result = await this.invoke({
          surface: 'mcp',
          adapter: entry.adapter,
          operation: name,
          caller: context.caller,
          requestId: context.requestId,
          target: entry.compiled,
          input: { kind: 'mcp', arguments: args },
          signal: context.signal,
        });
        upstream = result.upstream;
        status = result.status;
        outcome = this.toolResult(entry, result);
        if (outcome.isError === true) error = 'tool error';
      } catch (thrown) {
        const failure = asRuntimeError(thrown);
        status = failure.status;
        error = failure.message;
        outcome = toolError(this.options.redactor.redact(trimText(`${failure.title}: ${failure.message}`, this.options.maxErrorText)));
      }
    }
    context.call = { adapter: entry.adapter, operation: name, status, upstream, error };
    return outcome;
  }

  private toolResult(entry: ToolEntry, result: InvocationResult): Result {
    const redactor = this.options.redactor;
    if (result.status >= 400) {
      const body = result.raw ? trimText(TEXT_DECODER.decode(result.raw.body).trim(), this.options.maxErrorText) : '';
      const operation = result.upstream?.operation ?? entry.name;
      return toolError(redactor.redact(`The upstream call ${operation} failed with HTTP ${result.status}.${body ? ` Response body: ${body}` : ''}`));
    }
    let value: unknown;
    let text: string;
    if (result.hasValue) {
      value = result.value;
      text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
    } else if (result.raw && result.raw.body.length > 0 && !isTextual(result.raw.contentType)) {
      return binaryResult(entry, result.raw.body, mediaType(result.raw.contentType) ?? 'application/octet-stream');
    } else {
      text = result.raw ? TEXT_DECODER.decode(result.raw.body) : '';
      value = parseJson(text);
      if (value === undefined && text.length === 0) value = entry.validateOutput ? {} : undefined;
    }
    text = redactor.redact(text);
    const structured = value === undefined ? undefined : isObject(value) ? value : { [entry.wrapKey]: value };
    if (entry.validateOutput && (structured === undefined || !entry.validateOutput(structured))) {
      // A declared output schema is a promise (clients validate it): a result that breaks it is reported, not passed off.
      const why = structured === undefined ? 'the answer is not JSON' : describeErrors(entry.validateOutput.errors);
      this.options.logger.warn({ tool: entry.name, file: entry.file, problem: why }, 'tool result does not match its output schema');
      return toolError(`The result of ${entry.name} does not match its declared outputs (${why}). Result: ${trimText(text, this.options.maxErrorText)}`);
    }
    const output: Result = { content: [{ type: 'text', text }], isError: false };
    if (structured !== undefined) output.structuredContent = redactor.redactValue(structured);
    return output;
  }

  // ---------------------------------------------------------------- resources

  /** Fixed resources plus one entry per file of each static folder resource. */
  private async resourceList(registry: McpRegistry): Promise<readonly ResourceDescriptor[]> {
    const fixed = registry.listings.resources;
    const folders = registry.resources.filter((r) => r.path && !r.template);
    if (folders.length === 0) return fixed;
    const out: ResourceDescriptor[] = [];
    for (const descriptor of fixed) {
      const entry = folders.find((f) => f.resource.uri === descriptor.uri);
      if (!entry) {
        out.push(descriptor);
        continue;
      }
      const info = await stat(entry.path!).catch(() => undefined);
      if (!info) continue;
      if (info.isFile()) {
        out.push({ ...descriptor, mimeType: descriptor.mimeType ?? guessMime(entry.path!), size: info.size });
        continue;
      }
      if (!info.isDirectory()) continue;
      const base = entry.resource.uri.replace(/\/+$/, '');
      for (const file of await listFiles(entry.path!)) {
        out.push({
          uri: `${base}/${file.relative}`,
          name: file.relative,
          ...(descriptor.title ? { title: descriptor.title } : {}),
          ...(descriptor.description ? { description: descriptor.description } : {}),
          mimeType: entry.resource.mimeType ?? guessMime(file.relative),
          size: file.size,
        });
      }
    }
    return out;
  }

  private async readResource(registry: McpRegistry, params: Params, context: RequestContext, era: Era): Promise<Result> {
    const uri = params.uri;
    if (typeof uri !== 'string') throw invalid('resources/read needs a `uri`.');
    for (const entry of registry.resources) {
      const { resource } = entry;
      let variables: Record<string, string> | undefined;
      let relative = '';
      if (entry.template) {
        variables = entry.template.match(uri);
        if (!variables) continue;
        relative = entry.template.names.map((n) => variables![n]).join('/');
      } else if (resource.uri === uri) {
        variables = {};
      } else if (entry.path && uri.startsWith(`${resource.uri.replace(/\/+$/, '')}/`)) {
        variables = {};
        relative = uri.slice(resource.uri.replace(/\/+$/, '').length + 1);
      } else {
        continue;
      }
      let contents: Result | undefined;
      if (entry.compiled) contents = await this.readDynamic(entry, uri, variables, context);
      else if (resource.text !== undefined && relative === '') contents = { uri, mimeType: resource.mimeType ?? 'text/plain', text: resource.text };
      else if (entry.path) contents = await this.readStatic(entry, uri, relative);
      if (!contents) continue;
      const result: Result = { contents: [contents] };
      if (era === 'modern') {
        result.ttlMs = entry.compiled ? 0 : this.ttl;
        result.cacheScope = entry.compiled ? 'private' : 'public';
      }
      return result;
    }
    // 2025: -32002 Resource not found; 2026-07-28 replaced it with -32602.
    throw new JsonRpcError(era === 'modern' ? ErrorCodes.InvalidParams : ErrorCodes.ResourceNotFound, `Resource not found: ${uri}`, { uri });
  }

  private async readDynamic(entry: ResourceEntry, uri: string, variables: Record<string, string>, context: RequestContext): Promise<Result> {
    const redactor = this.options.redactor;
    let result: InvocationResult;
    try {
      result = await this.invoke({
        surface: 'mcp',
        adapter: entry.adapter,
        operation: entry.resource.name,
        caller: context.caller,
        requestId: context.requestId,
        target: entry.compiled!,
        input: { kind: 'mcp', arguments: variables },
        signal: context.signal,
      });
    } catch (thrown) {
      const failure = asRuntimeError(thrown);
      throw new JsonRpcError(ErrorCodes.InternalError, redactor.redact(`Reading ${uri} failed: ${failure.title}: ${failure.message}`));
    }
    if (result.status >= 400) {
      const body = result.raw ? trimText(TEXT_DECODER.decode(result.raw.body).trim(), 512) : '';
      throw new JsonRpcError(ErrorCodes.InternalError, redactor.redact(`Reading ${uri} failed: the upstream answered HTTP ${result.status}.${body ? ` ${body}` : ''}`));
    }
    if (result.hasValue) {
      const text = typeof result.value === 'string' ? result.value : JSON.stringify(result.value ?? null);
      return { uri, mimeType: entry.resource.mimeType ?? (typeof result.value === 'string' ? 'text/plain' : 'application/json'), text: redactor.redact(text) };
    }
    const body = result.raw?.body ?? Buffer.alloc(0);
    const mimeType = entry.resource.mimeType ?? mediaType(result.raw?.contentType) ?? 'text/plain';
    if (!isTextual(mimeType)) return { uri, mimeType, blob: body.toString('base64') };
    return { uri, mimeType, text: redactor.redact(TEXT_DECODER.decode(body)) };
  }

  /** A file of a `file:///` location, never outside it: no hidden, `.` or `..` segments, symlinks resolved. */
  private async readStatic(entry: ResourceEntry, uri: string, relative: string): Promise<Result | undefined> {
    const file = await containedFile(entry.path!, relative);
    if (!file) return undefined;
    if (file.size > this.maxResourceBytes) {
      throw new JsonRpcError(ErrorCodes.InternalError, `The resource ${uri} is larger than ${this.maxResourceBytes} bytes.`);
    }
    const body = await readFile(file.path);
    const mimeType = entry.resource.mimeType ?? guessMime(file.path);
    if (!isTextual(mimeType)) return { uri, mimeType, blob: body.toString('base64') };
    return { uri, mimeType, text: this.options.redactor.redact(TEXT_DECODER.decode(body)) };
  }

  private get maxResourceBytes(): number {
    return this.options.maxResourceBytes ?? 8 * 1024 * 1024;
  }

  // ---------------------------------------------------------------- prompts

  private async getPrompt(registry: McpRegistry, params: Params): Promise<Result> {
    const name = params.name;
    if (typeof name !== 'string') throw invalid('prompts/get needs a prompt `name`.');
    const entry = registry.prompt(name);
    if (!entry) throw invalid(`Unknown prompt: ${name}`);
    const given = params.arguments ?? {};
    if (!isObject(given)) throw invalid('`arguments` must be an object of strings.');
    const declared = new Map<string, string>();
    for (const a of entry.prompt.arguments) {
      const value = given[a.name];
      if (value === undefined || value === null || value === '') {
        if (a.required) throw invalid(`Missing required argument \`${a.name}\` for prompt ${name}.`);
        declared.set(a.name, '');
      } else {
        declared.set(a.name, typeof value === 'string' ? value : JSON.stringify(value));
      }
    }
    const messages = entry.path
      ? [{ role: 'user', content: await this.readPromptFile(entry) }]
      : entry.prompt.messages.map((m) => ({ role: m.role, content: m.content }));
    return {
      ...(entry.prompt.description ? { description: entry.prompt.description } : {}),
      // One pass, literal values: an argument is never re-read as a template (no injection through arguments).
      messages: messages.map((m) => ({ role: m.role, content: { type: 'text', text: substitute(m.content, declared) } })),
    };
  }

  private async readPromptFile(entry: PromptEntry): Promise<string> {
    try {
      const info = await stat(entry.path!);
      if (!info.isFile() || info.size > this.maxResourceBytes) throw new Error('not a readable file');
      return await readFile(entry.path!, 'utf8');
    } catch {
      throw new JsonRpcError(ErrorCodes.InternalError, `The prompt ${entry.prompt.name} cannot be read from its location.`);
    }
  }

  private reportWarnings(registry: McpRegistry): void {
    for (const warning of registry.warnings) this.options.logger.warn({ registry: registry.info.name }, warning);
  }
}

// ------------------------------------------------------------------ helpers

function checkModernMeta(version: unknown, meta: Params): void {
  if (typeof version !== 'string') throw new JsonRpcError(ErrorCodes.InvalidParams, `\`_meta["${META_PROTOCOL_VERSION}"]\` must be a string.`, undefined, 400);
  if (!MODERN_SET.has(version)) {
    throw new JsonRpcError(ErrorCodes.UnsupportedProtocolVersion, 'Unsupported protocol version', { supported: SUPPORTED_VERSIONS, requested: version }, 400);
  }
  if (!isObject(meta[META_CLIENT_CAPABILITIES])) {
    throw new JsonRpcError(ErrorCodes.InvalidParams, `\`_meta["${META_CLIENT_CAPABILITIES}"]\` is required (an object; \`{}\` when the client has none).`, undefined, 400);
  }
}

function serverMeta(registry: McpRegistry): Record<string, unknown> {
  return { [META_SERVER_INFO]: { name: registry.info.name, version: registry.info.version } };
}

function instructions(registry: McpRegistry): Result {
  const text = registry.serverInfo.instructions;
  return text ? { instructions: text } : {};
}

function invalid(message: string): JsonRpcError {
  return new JsonRpcError(ErrorCodes.InvalidParams, message);
}

function toolError(text: string): Result {
  return { content: [{ type: 'text', text }], isError: true };
}

function binaryResult(entry: ToolEntry, body: Buffer, mimeType: string): Result {
  const data = body.toString('base64');
  if (mimeType.startsWith('image/')) return { content: [{ type: 'image', data, mimeType }], isError: false };
  if (mimeType.startsWith('audio/')) return { content: [{ type: 'audio', data, mimeType }], isError: false };
  return { content: [{ type: 'resource', resource: { uri: `urn:capability-runtime:result:${entry.name}`, mimeType, blob: data } }], isError: false };
}

function describeValidation(entry: ToolEntry): string {
  return (entry.validate.errors ?? [])
    .map((e) => {
      const where = e.instancePath ? `\`${e.instancePath.slice(1).replace(/\//g, '.')}\`` : 'arguments';
      if (e.keyword === 'required') return `missing required argument \`${String(e.params.missingProperty)}\``;
      if (e.keyword === 'additionalProperties') return `unknown argument \`${String(e.params.additionalProperty)}\``;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

function describeErrors(errors: { instancePath: string; message?: string }[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'result'} ${e.message ?? 'is invalid'}`).join('; ');
}

function substitute(template: string, values: Map<string, string>): string {
  if (values.size === 0 || !template.includes('{{')) return template;
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (all, key: string) => values.get(key) ?? all);
}

function trimText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function idOf(message: unknown): JsonRpcId | null {
  const id = isObject(message) ? message.id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
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

function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type || undefined;
}

/** Media types whose bytes are text (served as `text`, not base64 `blob`). */
export function isTextual(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  if (type === undefined) return true;
  return (
    type.startsWith('text/') ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    type.endsWith('+yaml') ||
    /^application\/(json|xml|yaml|x-yaml|javascript|ecmascript|x-www-form-urlencoded|graphql|sql|toml|x-ndjson|ld\+json)$/.test(type)
  );
}

const MIME_BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.xml': 'application/xml',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.js': 'text/javascript',
  '.ts': 'text/plain',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.zip': 'application/zip',
};

export function guessMime(path: string): string {
  return MIME_BY_EXTENSION[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

function safeSegment(segment: string): boolean {
  // eslint-disable-next-line no-control-regex
  return segment !== '' && !segment.startsWith('.') && !/[\\\u0000-\u001f]/.test(segment);
}

/** The regular file `relative` names under `base` (or `base` itself when it is a file and `relative` is empty). */
async function containedFile(base: string, relative: string): Promise<{ path: string; size: number } | undefined> {
  try {
    const root = await realpath(base);
    const rootInfo = await stat(root);
    if (rootInfo.isFile()) return relative === '' ? { path: root, size: rootInfo.size } : undefined;
    if (!rootInfo.isDirectory() || relative === '') return undefined;
    const segments = relative.split('/');
    if (!segments.every(safeSegment)) return undefined;
    const target = await realpath(`${root}${sep}${segments.join(sep)}`);
    if (!target.startsWith(root + sep)) return undefined; // a symlink pointing out of the folder
    const info = await stat(target);
    return info.isFile() ? { path: target, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

const MAX_LISTED_FILES = 1000;

/** Regular files under a folder (recursive, sorted, hidden entries skipped, at most 1000). */
async function listFiles(root: string): Promise<{ relative: string; size: number }[]> {
  const out: { relative: string; size: number }[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= MAX_LISTED_FILES || !safeSegment(e.name)) continue;
      const path = `${dir}${sep}${e.name}`;
      if (e.isDirectory()) await walk(path, `${prefix}${e.name}/`);
      else if (e.isFile()) out.push({ relative: `${prefix}${e.name}`, size: (await stat(path).catch(() => undefined))?.size ?? 0 });
    }
  };
  await walk(root, '');
  return out;
}
