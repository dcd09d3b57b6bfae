/**
 * The inner pipeline: around one invocation of a labelled operation (a REST
 * route, an MCP tool or dynamic resource). Stages that need to know which
 * operation runs and for whom — rate limits, the response cache — wrap this
 * one, not the request: on MCP the operation is known only once the JSON-RPC
 * message is read, and stdio has no HTTP request at all.
 *
 * A call stage short-circuits by throwing a typed RuntimeError (e.g. 429 with
 * `Retry-After`): REST renders it as problem+json with its headers, MCP
 * `tools/call` as an `isError` result the model can read.
 */
import type { CallerInput } from '../../engine/input.js';
import type { InvocationContext, InvocationResult } from '../../engine/invocation.js';
import type { TraceParent } from '../../engine/tracing.js';

export interface Invocable {
  invoke(input: CallerInput, context?: InvocationContext): Promise<InvocationResult>;
}

export interface Call {
  surface: 'rest' | 'mcp';
  /** Adapter namespace. */
  adapter: string;
  /** Operation label: `adapter.operation` (REST) or the tool / resource name (MCP). */
  operation: string;
  /** Digest of the verified inbound credential, else `addr:<client address>`; undefined on stdio. */
  caller?: string;
  requestId: string;
  target: Invocable;
  input: CallerInput;
  signal?: AbortSignal;
  /** The request's server span (tracing on only): what the call does upstream is its child. */
  trace?: TraceParent;
  /**
   * Response fields a call stage asks the surface to send with the answer (the rate limit's
   * `RateLimit-*` on an allowed call). REST adds them to its reply; MCP has no per-call HTTP
   * answer (a POST may be stdio, or carry a notification), so it leaves them out.
   */
  replyHeaders?: Record<string, string>;
}

export type CallHandler = (call: Call) => Promise<InvocationResult>;
export type CallStage = (next: CallHandler) => CallHandler;

/** The last handler: the invocation itself. */
export const invokeTarget: CallHandler = (call) => call.target.invoke(call.input, { requestId: call.requestId, signal: call.signal, trace: call.trace });
