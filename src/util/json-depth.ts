/**
 * JSON nesting depth. `JSON.parse` itself copes with 30,000 nested arrays, but
 * everything after it that walks the value recursively (schema validation,
 * redaction, mapping, serialisation) overflows the stack: a 500 with no useful
 * cause. Input is therefore refused at the door when it nests too deep.
 */

/** Deeper than any real payload (real APIs stay under ~20 levels), far below what overflows the stack. */
export const MAX_JSON_DEPTH = 128;

/** Whether valid JSON text nests objects/arrays deeper than `max` levels. Linear, no recursion. */
export function jsonDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  // Nesting deeper than `max` needs more than `max` opening brackets. Counting them with the
  // native indexOf is ~10× faster than the scan below, and real answers (a 20 KB catalogue
  // has ~100 objects) almost never hold that many, so most texts are cleared here.
  if (fewerOpeningsThan(text, max + 1)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Whether `text` holds fewer than `limit` `{`/`[` characters (inside strings too: an upper bound of the depth). */
function fewerOpeningsThan(text: string, limit: number): boolean {
  let count = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++count >= limit) return false;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++count >= limit) return false;
  return true;
}
