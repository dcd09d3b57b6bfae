/**
 * Parses an inbound REST body (already read within the size limit by the
 * pipeline's body stage). JSON stays JSON, form-encoded stays a FormBody (so
 * it can be forwarded form-encoded), text stays text, anything else stays bytes.
 */
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../../util/json-depth.js';
import { InputError } from '../../engine/errors.js';
import { FormBody } from '../../engine/input.js';

export interface ParsedBody {
  body: unknown;
  raw?: Buffer;
  contentType?: string;
}

export function parseRequestBody(raw: Buffer | undefined, contentType: string | undefined): ParsedBody {
  if (raw === undefined || raw.length === 0) return { body: undefined, contentType };
  return { body: parseByType(raw, contentType), raw, contentType };
}

function parseByType(raw: Buffer, contentType: string | undefined): unknown {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json') || type === '') {
    const text = raw.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (type === '') return text;
      throw new InputError('The request body is not valid JSON.');
    }
    if (jsonDepthExceeds(text)) throw new InputError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
    return parsed;
  }
  if (type === 'application/x-www-form-urlencoded') return new FormBody(new URLSearchParams(raw.toString('utf8')));
  if (type.startsWith('text/') || type === 'application/xml') return raw.toString('utf8');
  return raw;
}
