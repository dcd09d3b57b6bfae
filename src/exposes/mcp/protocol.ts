/**
 * The MCP protocol core: a plain JSON-RPC dispatcher over a registry. It is
 * transport-neutral (HTTP and stdio both feed it) and holds no per-client
 * state, which keeps per-request cost to a method switch and one validation.
 * Tool failures the model should read become `isError` results; protocol
 * failures (unknown tool, malformed request) become JSON-RPC errors.
 */
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { asRuntimeError } from '../../engine/errors.js';
import type { InvocationResult } from '../../engine/invocation.js';
import type { Redactor } from '../../engine/redact.js';
import type { Logger } from '../../server/logger.js';
import type { RequestObserver } from '../rest/app.js';
import { ErrorCodes, JsonRpcError, errorResponse, type JsonRpcRequest, type JsonRpcResponse } from './jsonrpc.js';
import type { McpRegistry, ToolEntry } from './registry.js';

export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;
export const MODERN_VERSION = '2026-07-28';
export const LATEST_LEGACY = LEGACY_VERSIONS[0];

export interface McpProtocolOptions {
  redactor: Redactor;
  logger: Logger;
  /** Tools per `tools/list` page. */
  pageSize: number;
  /** Largest text of an error result (upstream bodies are trimmed to it). */
  maxErrorText: number;
  observe?: RequestObserver;
}

export interface RequestContext {
  requestId: string;
  signal?: AbortSignal;
}

const TEXT_DECODER = new TextDecoder();

export class McpProtocol {
  constructor(
    private registry: McpRegistry,
    private readonly options: McpProtocolOptions,
  ) {}

  /** Swaps the served tools/resources/prompts (hot reload); in-flight calls keep the old entries. */
  setRegistry(registry: McpRegistry): void {
    this.registry = registry;
  }

  get current(): McpRegistry {
    return this.registry;
  }

  /** Handles one message. Returns undefined for notifications and responses (nothing to send back). */
  async handle(message: unknown, context: RequestContext): Promise<JsonRpcResponse | undefined> {
    if (!isObject(message) || message.jsonrpc !== '2.0') {
      return errorResponse(idOf(message), new JsonRpcError(ErrorCodes.InvalidRequest, 'Invalid JSON-RPC 2.0 message.'));
    }
    if (typeof message.method !== 'string') {
      // A response from the client (we never send requests) or garbage: nothing to answer.
      return 'result' in message || 'error' in message ? undefined : errorResponse(idOf(message), new JsonRpcError(ErrorCodes.InvalidRequest, 'Missing method.'));
    }
    const request = message as unknown as JsonRpcRequest;
    const isNotification = request.id === undefined || request.id === null;
    if (isNotification) return undefined;
    const id = request.id!;
    if (request.params !== undefined && !isObject(request.params)) {
      return errorResponse(id, new JsonRpcError(ErrorCodes.InvalidParams, '`params` must be an object.'));
    }
    try {
      const result = await this.dispatch(request.method, request.params ?? {}, context);
      return { jsonrpc: '2.0', id, result };
    } catch (error) {
      if (error instanceof JsonRpcError) return errorResponse(id, error);
      const failure = asRuntimeError(error);
      this.options.logger.error({ err: failure, method: request.method }, 'mcp request failed');
      return errorResponse(id, new JsonRpcError(ErrorCodes.InternalError, this.options.redactor.redact(failure.message)));
    }
  }

  private async dispatch(method: string, params: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    switch (method) {
      case 'initialize':
        return this.initialize(params);
      case 'ping':
        return {};
      case 'tools/list':
        return this.page('tools', this.registry.tools.map((t) => t.descriptor), params.cursor);
      case 'tools/call':
        return this.callTool(params, context);
      case 'resources/list':
        return this.page(
          'resources',
          this.registry.resources.filter((r) => !isTemplate(r.resource.uri)).map((r) => resourceDescriptor(r.resource)),
          params.cursor,
        );
      case 'resources/templates/list':
        return this.page(
          'resourceTemplates',
          this.registry.resources.filter((r) => isTemplate(r.resource.uri)).map((r) => ({ ...resourceDescriptor(r.resource), uriTemplate: r.resource.uri, uri: undefined })),
          params.cursor,
        );
      case 'resources/read':
        return this.readResource(params, context);
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        return {};
      case 'prompts/list':
        return this.page(
          'prompts',
          this.registry.prompts.map(({ prompt }) => ({
            name: prompt.name,
            ...(prompt.label ? { title: prompt.label } : {}),
            ...(prompt.description ? { description: prompt.description } : {}),
            arguments: prompt.arguments.map((a) => ({ name: a.name, ...(a.description ? { description: a.description } : {}), required: a.required })),
          })),
          params.cursor,
        );
      case 'prompts/get':
        return this.getPrompt(params);
      case 'logging/setLevel':
        return {};
      case 'completion/complete':
        return { completion: { values: [], total: 0, hasMore: false } };
      default:
        throw new JsonRpcError(ErrorCodes.MethodNotFound, `Method not found: ${method}`);
    }
  }

  private initialize(params: Record<string, unknown>): unknown {
    const requested = typeof params.protocolVersion === 'string' ? params.protocolVersion : undefined;
    const protocolVersion = requested && (LEGACY_VERSIONS as readonly string[]).includes(requested) ? requested : LATEST_LEGACY;
    const info = this.registry.serverInfo;
    return {
      protocolVersion,
      capabilities: this.capabilities(),
      serverInfo: { name: info.name, version: info.version },
      ...(info.instructions ? { instructions: info.instructions } : {}),
    };
  }

  capabilities(): Record<string, unknown> {
    return {
      tools: { listChanged: true },
      resources: { subscribe: false, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    };
  }

  private page(key: string, items: unknown[], cursor: unknown): Record<string, unknown> {
    let offset = 0;
    if (cursor !== undefined) {
      offset = decodeCursor(cursor);
      if (offset < 0 || offset > items.length) throw new JsonRpcError(ErrorCodes.InvalidParams, 'Invalid cursor.');
    }
    const size = this.options.pageSize;
    const slice = items.slice(offset, offset + size);
    const next = offset + size < items.length ? encodeCursor(offset + size) : undefined;
    return { [key]: slice, ...(next ? { nextCursor: next } : {}) };
  }

  private async callTool(params: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    const name = params.name;
    if (typeof name !== 'string') throw new JsonRpcError(ErrorCodes.InvalidParams, 'tools/call needs a tool `name`.');
    const entry = this.registry.tool(name);
    if (!entry) throw new JsonRpcError(ErrorCodes.InvalidParams, `Unknown tool: ${name}`);
    const args = params.arguments ?? {};
    if (!isObject(args)) throw new JsonRpcError(ErrorCodes.InvalidParams, '`arguments` must be an object.');
    const started = performance.now();
    let status = 200;
    let upstream: InvocationResult['upstream'];
    let outcome: unknown;
    let error: string | undefined;
    if (!entry.validate(args)) {
      status = 400;
      error = describeValidation(entry);
      outcome = toolError(`Invalid arguments for tool ${name}: ${error}`);
    } else {
      try {
        const result = await entry.compiled.invoke({ kind: 'mcp', arguments: args }, context);
        upstream = result.upstream;
        status = result.status;
        outcome = this.toolResult(entry, result);
      } catch (thrown) {
        const failure = asRuntimeError(thrown);
        status = failure.status;
        error = failure.message;
        outcome = toolError(this.options.redactor.redact(`${failure.title}: ${failure.message}`));
      }
    }
    this.options.observe?.({
      surface: 'mcp',
      adapter: entry.adapter,
      operation: name,
      status,
      durationMs: performance.now() - started,
      upstreamStatus: upstream?.status,
      upstreamMs: upstream?.durationMs,
      requestId: context.requestId,
      error,
    });
    return outcome;
  }

  private toolResult(entry: ToolEntry, result: InvocationResult): unknown {
    const redactor = this.options.redactor;
    if (result.status >= 400) {
      const body = result.raw ? trimText(TEXT_DECODER.decode(result.raw.body), this.options.maxErrorText) : '';
      const operation = result.upstream?.operation ?? entry.name;
      return toolError(redactor.redact(`The upstream call ${operation} failed with HTTP ${result.status}.${body ? ` Response body: ${body}` : ''}`));
    }
    let value: unknown;
    let text: string;
    if (result.hasValue) {
      value = result.value;
      text = JSON.stringify(value ?? null);
    } else {
      text = result.raw ? TEXT_DECODER.decode(result.raw.body) : '';
      value = parseJson(text);
    }
    text = redactor.redact(text);
    const structured = value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value) ? value : value === undefined ? undefined : { result: value };
    const output: Record<string, unknown> = { content: [{ type: 'text', text }], isError: false };
    if (structured !== undefined && (!entry.validateOutput || entry.validateOutput(structured))) output.structuredContent = redactor.redactValue(structured);
    return output;
  }

  private async readResource(params: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    const uri = params.uri;
    if (typeof uri !== 'string') throw new JsonRpcError(ErrorCodes.InvalidParams, 'resources/read needs a `uri`.');
    for (const entry of this.registry.resources) {
      const { resource } = entry;
      const variables = matchUri(resource.uri, uri);
      if (!variables) continue;
      const mimeType = resource.mimeType ?? 'text/plain';
      if (resource.text !== undefined) return { contents: [{ uri, mimeType, text: resource.text }] };
      if (entry.compiled) {
        const result = await entry.compiled.invoke({ kind: 'mcp', arguments: variables }, context);
        if (result.status >= 400) throw new JsonRpcError(ErrorCodes.InternalError, `The upstream answered HTTP ${result.status} for ${uri}.`);
        const text = result.hasValue ? JSON.stringify(result.value) : result.raw ? TEXT_DECODER.decode(result.raw.body) : '';
        return { contents: [{ uri, mimeType: resource.mimeType ?? (result.hasValue ? 'application/json' : (result.raw?.contentType ?? mimeType)), text: this.options.redactor.redact(text) }] };
      }
      if (resource.location?.startsWith('file:')) {
        const text = await readContained(resource.location, resource, variables);
        if (text !== undefined) return { contents: [{ uri, mimeType, text }] };
      }
    }
    throw new JsonRpcError(ErrorCodes.ResourceNotFound, `Resource not found: ${uri}`, { uri });
  }

  private getPrompt(params: Record<string, unknown>): unknown {
    const name = params.name;
    const found = this.registry.prompts.find((p) => p.prompt.name === name);
    if (!found) throw new JsonRpcError(ErrorCodes.InvalidParams, `Unknown prompt: ${String(name)}`);
    const args = isObject(params.arguments) ? (params.arguments as Record<string, unknown>) : {};
    for (const a of found.prompt.arguments) {
      if (a.required && (args[a.name] === undefined || args[a.name] === '')) throw new JsonRpcError(ErrorCodes.InvalidParams, `Missing required argument \`${a.name}\` for prompt ${found.prompt.name}.`);
    }
    return {
      ...(found.prompt.description ? { description: found.prompt.description } : {}),
      messages: found.prompt.messages.map((m) => ({
        role: m.role,
        content: { type: 'text', text: m.content.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (all, key: string) => (args[key] === undefined ? all : String(args[key]))) },
      })),
    };
  }
}

function toolError(text: string): unknown {
  return { content: [{ type: 'text', text }], isError: true };
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

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function idOf(message: unknown): string | number | null {
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

function isTemplate(uri: string): boolean {
  return /\{[^}]+\}/.test(uri);
}

function resourceDescriptor(r: { name: string; uri: string; label?: string; description?: string; mimeType?: string }) {
  return {
    uri: r.uri,
    name: r.name,
    ...(r.label ? { title: r.label } : {}),
    ...(r.description ? { description: r.description } : {}),
    ...(r.mimeType ? { mimeType: r.mimeType } : {}),
  };
}

/** Matches a concrete URI against a (possibly templated) resource URI; variables match one segment. */
function matchUri(template: string, uri: string): Record<string, string> | undefined {
  if (!isTemplate(template)) return template === uri ? {} : undefined;
  const names: string[] = [];
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return '([^/?#]+)';
    })
    .join('');
  const match = new RegExp(`^${pattern}$`).exec(uri);
  if (!match) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
}

/** Reads a file under a `file://` resource location without ever leaving that folder. */
async function readContained(location: string, resource: { uri: string }, variables: Record<string, string>): Promise<string | undefined> {
  const base = resolve(location.replace(/^file:\/\//, ''));
  const relative = Object.values(variables).join('/');
  const target = resolve(base, relative);
  if (target !== base && !target.startsWith(base + sep)) return undefined;
  try {
    return await readFile(target, 'utf8');
  } catch {
    return undefined;
  }
}
