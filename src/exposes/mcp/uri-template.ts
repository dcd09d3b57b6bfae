/**
 * Resource URI templates (the RFC 6570 subset resources need): `{name}` matches
 * one path segment (no `/`, `?` or `#`), `{+name}` matches the rest of a path
 * (slashes allowed). Values are percent-decoded. A URI without placeholders is
 * not a template.
 */
export interface UriTemplate {
  names: string[];
  /** Variables of a matching URI, or undefined. */
  match(uri: string): Record<string, string> | undefined;
}

const PLACEHOLDER = /\{([+]?)([A-Za-z0-9_.-]+)\}/g;

export function isUriTemplate(uri: string): boolean {
  return /\{[^}]*\}/.test(uri);
}

/** Compiles a template; undefined for a plain URI. Throws on a malformed template. */
export function compileUriTemplate(uri: string): UriTemplate | undefined {
  if (!isUriTemplate(uri)) return undefined;
  const names: string[] = [];
  let pattern = '';
  let last = 0;
  for (const m of uri.matchAll(PLACEHOLDER)) {
    pattern += escape(uri.slice(last, m.index));
    if (names.includes(m[2]!)) throw new Error(`the URI template \`${uri}\` uses \`{${m[2]}}\` twice.`);
    names.push(m[2]!);
    pattern += m[1] === '+' ? '([^?#]+)' : '([^/?#]+)';
    last = m.index! + m[0].length;
  }
  const rest = uri.slice(last);
  if (/[{}]/.test(rest) || /[{}]/.test(uri.slice(0, last).replace(PLACEHOLDER, ''))) {
    throw new Error(`the URI template \`${uri}\` has a malformed placeholder (use \`{name}\` or \`{+name}\`).`);
  }
  pattern += escape(rest);
  const regex = new RegExp(`^${pattern}$`);
  return {
    names,
    match(candidate: string) {
      const found = regex.exec(candidate);
      if (!found) return undefined;
      const out: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) {
        let value: string;
        try {
          value = decodeURIComponent(found[i + 1]!);
        } catch {
          return undefined;
        }
        out[names[i]!] = value;
      }
      return out;
    },
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
