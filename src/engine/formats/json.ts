import { FormatError, reason } from './errors.js';

/** `json`: plain JSON.parse (hot path). Empty / whitespace-only body → null. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (text.trim() === '') return null;
    throw new FormatError('json', `upstream body is not valid JSON: ${reason(err)}`, { cause: err });
  }
}
