/**
 * One redaction helper used everywhere text leaves the process (logs, problem
 * documents, tool results, passthrough bodies). It knows every secret value
 * resolved from binds and token providers and replaces each occurrence with a
 * fixed marker.
 *
 * A secret reaches the outside in whatever encoding the runtime itself gave it
 * on the way out (a form body, a query string, a JSON string, an XML body, a
 * log line that escapes it again, a Basic credential an upstream echoes), so
 * every such form is registered with the value, not only the raw text.
 *
 * The set is bounded by the operator's secrets: only values resolved from
 * binds, token providers and the environment are added — never a value derived
 * from caller input (see `auth.ts`: a Basic credential built from a caller's
 * username is covered by the base64 forms of its secret part instead).
 */
import { sparqlEscape, xmlEscape } from './escapes.js';

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not redacted by substring (they would mangle ordinary text). */
const MIN_SECRET_LENGTH = 4;

/** Base64 fragments shorter than this are not redacted (too likely to occur by chance). */
const MIN_BASE64_FRAGMENT = 6;

/** JSON escaping is applied this many times at most: a JSON body echoed inside JSON, then written to a log line. */
const JSON_ESCAPE_DEPTH = 3;

export interface AddOptions {
  /**
   * Also register the base64 fragments that encode only this value's bytes, at
   * every alignment: the value then stays hidden inside a Basic credential
   * (`base64(user:password)`) whatever the other part is.
   */
  base64?: boolean;
}

export class Redactor {
  /** Each registered value → the forms it contributed. */
  private readonly values = new Map<string, { forms: string[]; base64: boolean }>();
  /** Each form → how many registered values produce it (values may share a form). */
  private readonly forms = new Map<string, number>();
  private pattern: RegExp | undefined;
  private longest = 0;

  add(value: string | undefined, options: AddOptions = {}): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
    const known = this.values.get(value);
    if (known && (known.base64 || !options.base64)) return;
    const forms = new Set(encodedForms(value));
    if (options.base64) for (const fragment of base64Fragments(value)) forms.add(fragment);
    const entry = known ?? { forms: [], base64: false };
    for (const form of forms) {
      if (entry.forms.includes(form)) continue;
      entry.forms.push(form);
      this.forms.set(form, (this.forms.get(form) ?? 0) + 1);
      if (form.length > this.longest) this.longest = form.length;
    }
    entry.base64 ||= options.base64 === true;
    this.values.set(value, entry);
    this.pattern = undefined;
  }

  /** Stops redacting a value (an expired token): its forms go unless another registered value produces them too. */
  forget(value: string): void {
    const entry = this.values.get(value);
    if (!entry) return;
    this.values.delete(value);
    for (const form of entry.forms) {
      const count = (this.forms.get(form) ?? 1) - 1;
      if (count <= 0) this.forms.delete(form);
      else this.forms.set(form, count);
    }
    this.longest = 0;
    for (const form of this.forms.keys()) if (form.length > this.longest) this.longest = form.length;
    this.pattern = undefined;
  }

  /** Same as `forget`; tolerates `undefined` (a token that was never minted). */
  remove(value: string | undefined): void {
    if (value !== undefined) this.forget(value);
  }

  /** Number of distinct forms redacted (bounded by the operator's secrets, whatever the traffic). */
  get size(): number {
    return this.forms.size;
  }

  redact(text: string): string {
    if (this.forms.size === 0 || text.length === 0 || !this.containsSecret(text)) return text;
    this.pattern ??= new RegExp(
      [...this.forms.keys()]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, REDACTED);
  }

  /**
   * Redacts, then trims to `max` characters: trimming first could cut a secret
   * in two and leave its prefix readable. Only a bounded window is scanned (a
   * secret overlapping the kept part ends within `max + longest form`), so a
   * huge body costs no more than a short one. `more` renders the suffix of a
   * trimmed text from the number of characters left out (default `…`).
   */
  clip(text: string, max: number, more: (omitted: number) => string = () => '…'): string {
    const window = text.length > max + this.longest ? text.slice(0, max + this.longest) : text;
    const redacted = this.redact(window);
    if (window.length === text.length && redacted.length <= max) return redacted;
    let cut = Math.min(max, redacted.length);
    // Never split the marker itself: keep it whole when the cut lands inside one.
    const marker = redacted.lastIndexOf(REDACTED, cut);
    if (marker >= 0 && marker < cut && marker + REDACTED.length > cut) cut = marker + REDACTED.length;
    const omitted = text.length - window.length + (redacted.length - cut);
    return omitted > 0 ? redacted.slice(0, cut) + more(omitted) : redacted.slice(0, cut);
  }

  /** `includes` per form is far cheaper than running the alternation regex over clean text (the common case). */
  private containsSecret(text: string): boolean {
    for (const form of this.forms.keys()) if (text.includes(form)) return true;
    return false;
  }

  /** Redacts a byte payload; returns the same buffer when it holds no secret (the common case, no copy). */
  redactBuffer(body: Buffer): Buffer {
    if (this.forms.size === 0 || body.length === 0) return body;
    for (const form of this.forms.keys()) {
      if (body.includes(form)) return Buffer.from(this.redact(body.toString('utf8')));
    }
    return body;
  }

  /** Deep-redacts strings inside a JSON-like value. */
  redactValue<T>(value: T): T {
    if (this.forms.size === 0) return value;
    return walk(value, (s) => this.redact(s)) as T;
  }
}

/**
 * Every text form the runtime itself can give a value on its way out: raw
 * (headers, text bodies), percent-encoded for a path segment or cookie, form
 * encoded the two ways the runtime writes forms (`URLSearchParams`: `+` and
 * `%21`/`%28`…; templates: `encodeURIComponent` with `+`), escaped inside a
 * JSON string (repeatedly: a JSON body echoed in JSON, then logged), and
 * escaped for XML and SPARQL bodies.
 */
export function encodedForms(value: string): string[] {
  const forms = new Set<string>([value]);
  const uri = encodeURIComponent(value);
  forms.add(uri);
  forms.add(uri.replace(/%20/g, '+'));
  forms.add(new URLSearchParams([['', value]]).toString().slice(1));
  let json = value;
  for (let depth = 0; depth < JSON_ESCAPE_DEPTH; depth++) {
    json = JSON.stringify(json).slice(1, -1);
    forms.add(json);
  }
  // XML and SPARQL bodies can be echoed inside JSON too (the URL forms have nothing JSON escapes).
  for (let text of [xmlEscape(value), sparqlEscape(value)]) {
    forms.add(text);
    for (let depth = 0; depth < JSON_ESCAPE_DEPTH; depth++) forms.add((text = JSON.stringify(text).slice(1, -1)));
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * The base64 characters that depend only on `value`'s bytes, for each of the
 * three alignments it can have inside a longer base64 text: with and without
 * the final padded group (which only matches when the value ends the encoded
 * text, as a password ends `user:password`). Characters mixing the value's
 * bytes with its neighbours' are left out, so the fragments match whatever
 * surrounds the value.
 */
export function base64Fragments(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out = new Set<string>();
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Characters 0..3 of the first group: with a 1-byte shift the first 2 carry prefix bits, with 2 bytes the first 3.
    const start = shift === 0 ? 0 : shift === 1 ? 2 : 3;
    const total = shift + bytes.length;
    const complete = Math.floor(total / 3) * 4; // characters of the complete 3-byte groups
    // A trailing partial group's first 1 (one byte) or 2 (two bytes) characters still depend only on the value.
    const inner = encoded.slice(start, complete + [0, 1, 2][total % 3]!);
    const withTail = encoded.slice(start); // with `=` padding: the value ends the encoded text
    for (const fragment of [withTail, inner]) if (fragment.replace(/=+$/, '').length >= MIN_BASE64_FRAGMENT) out.add(fragment);
  }
  return [...out];
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
