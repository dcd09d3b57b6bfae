/**
 * Shapes shared by the MCP protocol files: what a transport hands in with a
 * message, what a method handler receives, and the protocol's options.
 */
import type { Redactor } from '../../engine/redact.js';
import type { TraceParent } from '../../engine/tracing.js';
import type { Logger } from '../../http/logger.js';
import type { CallHandler, CallStage } from '../pipeline/call.js';
import type { McpRegistry } from './registry.js';

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
  /** HTTP: the request's server span (tracing on only). */
  trace?: TraceParent;
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
  /** HTTP: the caller asked for a fresh answer (`Cache-Control: no-cache`): tool calls bypass the response cache. */
  fresh?: boolean;
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

export type Era = 'legacy' | 'modern';
export type Params = Record<string, unknown>;
export type Result = Record<string, unknown>;

/** What the protocol offers its method handlers. */
export interface ProtocolServices {
  readonly options: McpProtocolOptions;
  /** The call pipeline around every invocation (tools, dynamic resources). */
  readonly invoke: CallHandler;
  /** 2026-07-28 `ttlMs` of lists and static resources. */
  readonly ttl: number;
  readonly maxResourceBytes: number;
  capabilities(era: Era, context?: Pick<RequestContext, 'transport'>): Result;
}

/** One method call as a handler sees it: the registry of this request (in-flight calls keep theirs across reloads). */
export interface MethodCall {
  registry: McpRegistry;
  params: Params;
  context: RequestContext;
  era: Era;
  server: ProtocolServices;
}
