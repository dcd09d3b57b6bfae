/**
 * Header access shared by every stage: lower-case names, repeated headers
 * joined with `, ` (as fetch's Headers would), null when absent.
 */
import type { IncomingMessage } from 'node:http';

export interface HeaderSource {
  get(name: string): string | null;
}

/** One header of a Node request. */
export function headerOf(incoming: IncomingMessage, name: string): string | null {
  const value = incoming.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

/** Every header of a Node request as a plain record (REST inputs read headers by name). */
export function headerRecord(incoming: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = incoming.headers;
  for (const key in raw) {
    const value = raw[key];
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
