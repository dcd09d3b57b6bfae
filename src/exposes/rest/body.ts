/**
 * Reads and parses an inbound REST body within a size limit. JSON stays JSON,
 * form-encoded stays a FormBody (so it can be forwarded form-encoded), text
 * stays text, anything else stays bytes.
 */
import type { IncomingMessage } from 'node:http';
import { InputError, PayloadTooLargeError } from '../../engine/errors.js';
import { readIncoming, readWebBody } from '../../server/body-reader.js';
import { FormBody } from '../../engine/input.js';

export interface ParsedBody {
  body: unknown;
  raw?: Buffer;
  contentType?: string;
}

export async function readRequestBody(request: Request, limit: number): Promise<ParsedBody> {
  const contentType = request.headers.get('content-type') ?? undefined;
  const raw = await readWebBody(request, limit);
  if (raw === undefined) throw tooLarge(limit);
  if (raw.length === 0) return { body: undefined, contentType };
  return { body: parseByType(raw, contentType), raw, contentType };
}

/**
 * The same from the Node request itself (the hot path: no web streams). On an
 * oversized body we stop reading and answer 413 at once; the connection is not
 * reused for what is left of it.
 */
export async function readNodeBody(incoming: IncomingMessage, limit: number): Promise<ParsedBody> {
  const contentType = incoming.headers['content-type'];
  const raw = await readIncoming(incoming, limit);
  if (raw === undefined) throw tooLarge(limit);
  if (raw.length === 0) return { body: undefined, contentType };
  return { body: parseByType(raw, contentType), raw, contentType };
}

function parseByType(raw: Buffer, contentType: string | undefined): unknown {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json') || type === '') {
    const text = raw.toString('utf8');
    try {
      return JSON.parse(text);
    } catch {
      if (type === '') return text;
      throw new InputError('The request body is not valid JSON.');
    }
  }
  if (type === 'application/x-www-form-urlencoded') return new FormBody(new URLSearchParams(raw.toString('utf8')));
  if (type.startsWith('text/') || type === 'application/xml') return raw.toString('utf8');
  return raw;
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The request body is larger than the ${limit}-byte limit.`, { limit });
}
