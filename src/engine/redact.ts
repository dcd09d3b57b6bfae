/**
 * One redaction helper used everywhere text leaves the process (logs, problem
 * documents, tool errors). It knows every secret value resolved from binds and
 * token providers and replaces each occurrence with a fixed marker.
 */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not redacted by substring (they would mangle ordinary text). */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) return;
    this.secrets.add(value);
    // Encoded forms reach the wire too (query strings, form bodies, basic auth).
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.secrets.add(encoded);
    this.pattern = undefined;
  }

  /** Forgets a secret that can no longer be used (an expired token), so the set does not grow forever. */
  remove(value: string | undefined): void {
    if (value === undefined || !this.secrets.delete(value)) return;
    this.secrets.delete(encodeURIComponent(value));
    this.pattern = undefined;
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0 || text.length === 0 || !this.containsSecret(text)) return text;
    this.pattern ??= new RegExp(
      [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, REDACTED);
  }

  /** `includes` per secret is far cheaper than running the alternation regex over clean text (the common case). */
  private containsSecret(text: string): boolean {
    for (const secret of this.secrets) if (text.includes(secret)) return true;
    return false;
  }

  /** Redacts a byte payload; returns the same buffer when it holds no secret (the common case, no copy). */
  redactBuffer(body: Buffer): Buffer {
    if (this.secrets.size === 0 || body.length === 0) return body;
    for (const secret of this.secrets) {
      if (body.includes(secret)) return Buffer.from(this.redact(body.toString('utf8')));
    }
    return body;
  }

  /** Deep-redacts strings inside a JSON-like value. */
  redactValue<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    return walk(value, (s) => this.redact(s)) as T;
  }
}

function walk(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, fn));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, fn);
    return out;
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
