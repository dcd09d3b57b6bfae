/**
 * How a value is escaped inside an XML or SPARQL request body. One definition on
 * purpose: the body encoders write values this way, and the redactor looks for
 * secrets in exactly these forms, so the two must never drift apart.
 */

/** Escapes text for XML character data and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Escapes text for a SPARQL string literal (`"…"` or `'…'`). */
export function sparqlEscape(text: string): string {
  return text.replace(/[\\"'\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
}
