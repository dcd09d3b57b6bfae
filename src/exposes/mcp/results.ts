/**
 * Small result and error builders shared by the method handlers.
 */
import { ErrorCodes, JsonRpcError } from './jsonrpc.js';
import type { Redactor } from '../../engine/redact.js';
import type { Result } from './types.js';

export const TEXT_DECODER = new TextDecoder();

export function invalid(message: string): JsonRpcError {
  return new JsonRpcError(ErrorCodes.InvalidParams, message);
}

export function toolError(text: string): Result {
  return { content: [{ type: 'text', text }], isError: true };
}

/** Redacts, then trims: trimming first could cut a secret in two and leave its prefix readable (issue 11 item 4). */
export function trimText(text: string, max: number, redactor: Redactor): string {
  return redactor.clip(text, max, (omitted) => `… (${omitted} more characters)`);
}

/**
 * A result already serialised to JSON (a cached `tools/list` page): the
 * transports splice it into the response instead of stringifying it again.
 */
export class SerializedResult {
  constructor(readonly json: string) {}
}

/** One JSON-RPC response as text, splicing a pre-serialised result in as it is. */
export function serializeResponse(response: { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: unknown }): string {
  const result = response.result;
  if (result instanceof SerializedResult) return `{"jsonrpc":"2.0","id":${JSON.stringify(response.id)},"result":${result.json}}`;
  return JSON.stringify(response);
}
