/**
 * JSONPath, compiled once per expression at load. Simple paths (`$`, `$.`,
 * `$.a.b`, `$.a[0]`, `$['a b']`) are walked directly — the hot path of every
 * mapped response; anything else goes to jsonpath-plus with script evaluation
 * disabled. Definite paths yield one value (undefined when absent); indefinite
 * ones (wildcards, recursive descent, filters, unions, slices) yield an array.
 */
import { JSONPath } from 'jsonpath-plus';

export interface CompiledPath {
  source: string;
  definite: boolean;
  evaluate(root: unknown): unknown;
}

const cache = new Map<string, CompiledPath>();

export function compileJsonPath(source: string): CompiledPath {
  const cached = cache.get(source);
  if (cached) return cached;
  const compiled = build(source.trim());
  cache.set(source, compiled);
  return compiled;
}

function build(source: string): CompiledPath {
  if (source === '$' || source === '$.' || source === '') {
    return { source, definite: true, evaluate: (root) => root };
  }
  const segments = simpleSegments(source);
  if (segments) {
    return {
      source,
      definite: true,
      evaluate: (root) => {
        let node: unknown = root;
        for (const segment of segments) {
          if (node === null || typeof node !== 'object') return undefined;
          node = (node as Record<string | number, unknown>)[segment];
          if (node === undefined) return undefined;
        }
        return node;
      },
    };
  }
  const definite = !/\*|\.\.|\?\(|,|:|\(/.test(source);
  return {
    source,
    definite,
    evaluate: (root) => {
      if (root === null || typeof root !== 'object') return definite ? undefined : [];
      const result = JSONPath({ path: source, json: root as object, wrap: true, eval: false }) as unknown[];
      return definite ? result[0] : result;
    },
  };
}

/** Segments of a path made only of `.name`, `[n]`, `['name']`; undefined otherwise. */
function simpleSegments(source: string): (string | number)[] | undefined {
  if (!source.startsWith('$')) return undefined;
  const segments: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^'\]]*)'\]|\["([^"\]]*)"\]/y;
  let index = 1;
  while (index < source.length) {
    re.lastIndex = index;
    const m = re.exec(source);
    if (!m) return undefined;
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])!));
    index = re.lastIndex;
  }
  return segments;
}
