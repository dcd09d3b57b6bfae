/**
 * Path matching with Spring-like precedence: among patterns that match the path
 * and the method, the one with a literal segment earliest wins over a path
 * parameter (§2.9: `/consents/v1` beats `/consents/{id}`). If patterns match
 * the path but none allows the method → 405. Trailing slashes are ignored.
 */
export interface CompiledRoute<T> {
  method: string;
  pattern: string;
  segments: { literal: string | null; param: string | null }[];
  def: T;
}

export type MatchResult<T> =
  | { kind: 'match'; route: CompiledRoute<T>; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

export function normalizePath(path: string): string {
  let p = path.replace(/\/{2,}/g, '/');
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

export class Router<T extends { method: string; path: string }> {
  private readonly byLength = new Map<number, CompiledRoute<T>[]>();

  constructor(defs: readonly T[]) {
    for (const def of defs) {
      const segs = normalizePath(def.path).split('/').slice(1);
      const compiled: CompiledRoute<T> = {
        method: def.method,
        pattern: def.path,
        segments: segs.map((s) => {
          const m = /^\{(\w+)\}$/.exec(s);
          return m ? { literal: null, param: m[1]! } : { literal: s, param: null };
        }),
        def,
      };
      const list = this.byLength.get(segs.length) ?? [];
      list.push(compiled);
      this.byLength.set(segs.length, list);
    }
    for (const list of this.byLength.values()) list.sort(compareSpecificity);
  }

  get size(): number {
    let n = 0;
    for (const l of this.byLength.values()) n += l.length;
    return n;
  }

  match(method: string, rawPath: string): MatchResult<T> {
    const segs = normalizePath(rawPath).split('/').slice(1);
    const candidates = this.byLength.get(segs.length);
    if (!candidates) return { kind: 'not-found' };
    const allow = new Set<string>();
    for (const route of candidates) {
      const params = matchSegments(route, segs);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { kind: 'match', route, params };
      allow.add(route.method);
    }
    return allow.size ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' };
  }
}

function matchSegments<T>(route: CompiledRoute<T>, segs: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const spec = route.segments[i]!;
    const seg = segs[i]!;
    if (spec.literal !== null) {
      if (spec.literal !== seg) return null;
    } else {
      if (seg === '') return null;
      try {
        params[spec.param!] = decodeURIComponent(seg);
      } catch {
        params[spec.param!] = seg;
      }
    }
  }
  return params;
}

function compareSpecificity<T>(a: CompiledRoute<T>, b: CompiledRoute<T>): number {
  for (let i = 0; i < a.segments.length; i++) {
    const la = a.segments[i]!.literal !== null;
    const lb = b.segments[i]!.literal !== null;
    if (la !== lb) return la ? -1 : 1;
  }
  return 0;
}
