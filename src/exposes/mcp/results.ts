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
