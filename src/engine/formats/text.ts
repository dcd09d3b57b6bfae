/** Shared helpers: decode a body to text, honouring a Content-Type charset. */

const UTF8 = /^utf-?8$/i;

/** Extract `charset=` from a Content-Type header value (lower-cased, unquoted), if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType);
  return m?.[2]?.toLowerCase();
}

/**
 * Decode a body to a string. Strings pass through. Buffers are decoded as UTF-8 unless the
 * Content-Type names another charset that the runtime knows (unknown labels fall back to UTF-8).
 * A leading byte-order mark is dropped.
 */
export function toText(body: Buffer | string, charset?: string): string {
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else if (!charset || UTF8.test(charset)) {
    text = body.toString('utf8');
  } else {
    text = decodeWith(body, charset);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function decodeWith(body: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return body.toString('utf8');
  }
}

/**
 * Assign an own, enumerable data property — also for the key `__proto__`, which a plain
 * assignment would turn into a prototype change (keys come from untrusted upstream bodies).
 */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}
