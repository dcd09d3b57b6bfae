/**
 * Small result and error builders shared by the method handlers.
 */
import { ErrorCodes, JsonRpcError } from './jsonrpc.js';
import type { Result } from './types.js';

export const TEXT_DECODER = new TextDecoder();

export function invalid(message: string): JsonRpcError {
  return new JsonRpcError(ErrorCodes.InvalidParams, message);
}

export function toolError(text: string): Result {
  return { content: [{ type: 'text', text }], isError: true };
}

export function trimText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
