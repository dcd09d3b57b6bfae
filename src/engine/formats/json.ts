import { FormatError, reason } from './errors.js';
import { jsonDepthExceeds } from '../../util/json-depth.js';

/** Upstream answers may nest deeper than requests (generated schemas, trees), still far from overflowing the stack. */
const MAX_UPSTREAM_JSON_DEPTH = 512;

/** `json`: plain JSON.parse (hot path). Empty / whitespace-only body → null. */
export function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    // Deeper values overflow the stack of every later walk (mapping, redaction): unreadable, not a crash.
    if (jsonDepthExceeds(text, MAX_UPSTREAM_JSON_DEPTH)) throw new FormatError('json', `upstream body nests deeper than ${MAX_UPSTREAM_JSON_DEPTH} levels`);
    return value;
  } catch (err) {
    if (err instanceof FormatError) throw err;
    if (text.trim() === '') return null;
    throw new FormatError('json', `upstream body is not valid JSON: ${withoutExcerpt(reason(err))}`, { cause: err });
  }
}

/**
 * V8 quotes a few characters of the text around a syntax error (`"…{"a": xTOPSEC"… is not valid JSON`):
 * a secret cut there could not be recognised by the redactor, so the excerpt is dropped (positions stay).
 */
function withoutExcerpt(message: string): string {
  return message.replace(/,\s*(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)?\s+is not valid JSON$/, ' (not valid JSON)');
}
