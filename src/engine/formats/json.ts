import { FormatError, reason } from './errors.js';

/** `json`: plain JSON.parse (hot path). Empty / whitespace-only body → null. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
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
