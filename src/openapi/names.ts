/** Names the capability file needs, made from OpenAPI names: identifiers, tool names, bind variables. */

export type JsonTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

/** MCP clients (and several model APIs) refuse longer tool names. */
export const MAX_TOOL_NAME = 64;

/** `fetchAccountsV2` → `fetch-accounts-v2`; `GET /a/{b}` parts → `a-b`. */
export function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}

/** An identifier (`^[A-Za-z0-9-]+$`): other characters become `-`. */
export function identifier(text: string, fallback: string): string {
  const id = text.replace(/[^A-Za-z0-9-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
  return id === '' ? fallback : id;
}

/** `lean-data` → `LEAN_DATA` (a bind variable prefix). */
export function envName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
  return /^[A-Z]/.test(name) ? name : `API_${name}`;
}

/** Hands out unique names: a repeated name gets `-2`, `-3`…, always within `max` characters. */
export class UniqueNames {
  private readonly used = new Set<string>();
  constructor(private readonly max = Infinity) {}

  take(wanted: string): string {
    let base = fit(wanted, this.max);
    let name = base;
    for (let i = 2; this.used.has(name.toLowerCase()); i++) {
      const suffix = `-${i}`;
      base = fit(wanted, this.max - suffix.length);
      name = `${base}${suffix}`;
    }
    this.used.add(name.toLowerCase());
    return name;
  }
}

function fit(name: string, max: number): string {
  return name.length <= max ? name : name.slice(0, max).replace(/-+$/, '');
}
