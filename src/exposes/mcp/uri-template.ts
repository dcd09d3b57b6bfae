/**
 * Resource URI templates (the RFC 6570 subset resources need): `{name}` matches
 * one path segment (no `/`, `?` or `#`), `{+name}` matches the rest of a path
 * (slashes allowed). Values are percent-decoded. A URI without placeholders is
 * not a template.
 *
 * Matching runs in time linear in the URI's length (times the number of
 * placeholders), never with a backtracking regex: `x://{a}-{b}-{c}.txt` against
 * a long crafted URI blocked the event loop for seconds that way. URIs longer
 * than MAX_RESOURCE_URI_LENGTH never match.
 */
export interface UriTemplate {
  names: string[];
  /** Variables of a matching URI, or undefined. */
  match(uri: string): Record<string, string> | undefined;
}

/** Longer URIs are refused outright (no resource URI in practice comes near). */
export const MAX_RESOURCE_URI_LENGTH = 4096;

const PLACEHOLDER = /\{([+]?)([A-Za-z0-9_.-]+)\}/g;

type Token = { literal: string } | { name: string; slashes: boolean };

export function isUriTemplate(uri: string): boolean {
  return /\{[^}]*\}/.test(uri);
}

/** Compiles a template; undefined for a plain URI. Throws on a malformed template. */
export function compileUriTemplate(uri: string): UriTemplate | undefined {
  if (!isUriTemplate(uri)) return undefined;
  const names: string[] = [];
  const tokens: Token[] = [];
  let last = 0;
  for (const m of uri.matchAll(PLACEHOLDER)) {
    if (m.index! > last) tokens.push({ literal: uri.slice(last, m.index) });
    if (names.includes(m[2]!)) throw new Error(`the URI template \`${uri}\` uses \`{${m[2]}}\` twice.`);
    names.push(m[2]!);
    tokens.push({ name: m[2]!, slashes: m[1] === '+' });
    last = m.index! + m[0].length;
  }
  const rest = uri.slice(last);
  if (/[{}]/.test(rest) || /[{}]/.test(uri.slice(0, last).replace(PLACEHOLDER, ''))) {
    throw new Error(`the URI template \`${uri}\` has a malformed placeholder (use \`{name}\` or \`{+name}\`).`);
  }
  if (rest !== '') tokens.push({ literal: rest });
  return {
    names,
    match(candidate: string) {
      if (candidate.length > MAX_RESOURCE_URI_LENGTH) return undefined;
      const spans = matchTokens(tokens, candidate);
      if (!spans) return undefined;
      const out: Record<string, string> = {};
      for (const [name, [start, end]] of spans) {
        try {
          out[name] = decodeURIComponent(candidate.slice(start, end));
        } catch {
          return undefined;
        }
      }
      return out;
    },
  };
}

/** Whether a variable may hold the character: never `?` or `#`, and `/` only in `{+name}`. */
function allowed(code: number, slashes: boolean): boolean {
  return code !== 0x3f && code !== 0x23 && (slashes || code !== 0x2f);
}

/**
 * Forward pass: the set of positions reachable after each token (a literal
 * moves each position by its length; a variable reaches every later position
 * up to its first forbidden character — one sweep, since those runs are
 * intervals). Backward pass: pick each variable's span, the latest start that
 * works (earlier variables take as much as they can, as a greedy regex would).
 */
function matchTokens(tokens: readonly Token[], text: string): Map<string, [number, number]> | undefined {
  const n = text.length;
  const reach: Uint8Array[] = [];
  let current = new Uint8Array(n + 1);
  current[0] = 1;
  for (const token of tokens) {
    const next = new Uint8Array(n + 1);
    let any = false;
    if ('literal' in token) {
      const len = token.literal.length;
      for (let p = 0; p + len <= n; p++) {
        if (current[p] && text.startsWith(token.literal, p)) {
          next[p + len] = 1;
          any = true;
        }
      }
    } else {
      // `open`: a start seen since the last forbidden character, so every position after it is reachable.
      let open = false;
      for (let p = 0; p < n; p++) {
        if (!allowed(text.charCodeAt(p), token.slashes)) {
          open = false;
          continue;
        }
        if (current[p]) open = true;
        if (open) {
          next[p + 1] = 1;
          any = true;
        }
      }
    }
    if (!any) return undefined;
    reach.push(current);
    current = next;
  }
  if (!current[n]) return undefined;
  const spans = new Map<string, [number, number]>();
  let end = n;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i]!;
    const before = reach[i]!;
    if ('literal' in token) {
      end -= token.literal.length;
      continue;
    }
    let start = end - 1;
    while (start >= 0 && !before[start]) {
      if (!allowed(text.charCodeAt(start), token.slashes)) return undefined; // cannot happen: `end` was reached
      start--;
    }
    if (start < 0 || !allowed(text.charCodeAt(start), token.slashes)) return undefined;
    spans.set(token.name, [start, end]);
    end = start;
  }
  return spans;
}
