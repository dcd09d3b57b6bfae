/**
 * JSONPath, compiled once per expression at load. Simple paths (`$`, `$.`,
 * `$.a.b`, `$.a[0]`, `$['a b']`, `$.user details.email`) are walked directly —
 * the hot path of every mapped response; anything else goes to jsonpath-plus.
 *
 * Script evaluation is disabled: jsonpath-plus never runs JavaScript. Filter
 * expressions (`[?(@.price < 10 && @.tag == 'x')]`) are evaluated by the small
 * interpreter below — comparisons, `&&`, `||`, `!`, parentheses, literals and
 * `@`/`$` paths, nothing else — compiled when the path is compiled. Script
 * expressions (`[(@.length-1)]`) and anything the interpreter does not know
 * make the path unusable: `error` says why, and evaluating it throws a
 * EngineError naming the expression.
 *
 * Definite paths yield one value (undefined when absent); indefinite ones
 * (wildcards, recursive descent, filters, unions, slices) yield an array.
 */
import { JSONPath } from 'jsonpath-plus';
import { EngineError } from './errors.js';

export interface CompiledPath {
  source: string;
  definite: boolean;
  /** Why the path cannot be evaluated (script expression, bad filter); undefined when it is fine. */
  error?: string;
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
          if (typeof segment === 'string' && !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
          node = (node as Record<string | number, unknown>)[segment];
          if (node === undefined) return undefined;
        }
        return node;
      },
    };
  }
  const definite = !/\*|\.\.|\?\(|,|:|\(/.test(source);
  const error = checkScripts(source);
  if (error) {
    return {
      source,
      definite,
      error,
      evaluate: () => {
        throw new EngineError(`The JSONPath \`${source}\` cannot be evaluated: ${error}`);
      },
    };
  }
  return {
    source,
    definite,
    evaluate: (root) => {
      if (root === null || typeof root !== 'object') return definite ? undefined : [];
      let result: unknown[];
      try {
        result = JSONPath({ path: source, json: root as object, wrap: true, eval: FilterScript as never }) as unknown[];
      } catch (error) {
        // Whatever slipped past compilation still fails as this path's error, not a bare Error.
        throw new EngineError(`The JSONPath \`${source}\` cannot be evaluated: ${(error as Error).message}`);
      }
      return definite ? result[0] : result;
    },
  };
}

/** Segments of a path made only of `.name`, `[n]`, `['name']`; undefined otherwise. */
function simpleSegments(source: string): (string | number)[] | undefined {
  if (!source.startsWith('$')) return undefined;
  const segments: (string | number)[] = [];
  // `.name` may contain spaces (`$.user details.email`, as the reference engine retries it).
  const re = /\.([A-Za-z_$][\w$ -]*[\w$-]|[A-Za-z_$])|\[(\d+)\]|\['([^'\]]*)'\]|\["([^"\]]*)"\]/y;
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

/** Compiles every `?(…)` filter of the path ahead of time; reports script expressions. */
function checkScripts(source: string): string | undefined {
  let parts: string[];
  try {
    parts = JSONPath.toPathArray(source);
  } catch (error) {
    return `it is not valid JSONPath (${(error as Error).message}).`;
  }
  for (const part of parts) {
    if (part.startsWith('?(') && part.endsWith(')')) {
      try {
        FilterScript.compile(toScript(part.slice(2, -1)));
      } catch (error) {
        return `the filter \`${part}\` is not supported (${(error as Error).message}).`;
      }
    } else if (part.startsWith('?')) {
      // `[?(@.a == 1]` or RFC 9535's `[?@.a == 1]`: jsonpath-plus would hand the raw text to the
      // interpreter at evaluation time; refuse it here, where the path is compiled.
      return `the filter \`[${part}]\` must be written \`[?(…)]\`.`;
    } else if (part.startsWith('(') && part.endsWith(')')) {
      return `script expressions such as \`[${part}]\` are disabled.`;
    }
  }
  return undefined;
}

/** The same rewriting jsonpath-plus applies before handing a filter to its evaluator. */
function toScript(code: string): string {
  return code
    .replaceAll('@parentProperty', '_$_parentProperty')
    .replaceAll('@parent', '_$_parent')
    .replaceAll('@property', '_$_property')
    .replaceAll('@root', '_$_root')
    .replaceAll(/@([.\s)[])/gu, '_$_v$1')
    .replace(/@$/u, '_$_v');
}

// ---------------------------------------------------------------------------
// Filter interpreter: no JavaScript is ever evaluated.

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; base: string; segments: (string | number)[] }
  | { kind: 'not'; operand: Node }
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'compare'; op: string; left: Node; right: Node };

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const BASES = new Set(['_$_v', '_$_root', '_$_parent', '_$_property', '_$_parentProperty', '$']);

/** jsonpath-plus "eval class": constructed with the rewritten filter, run per candidate. */
class FilterScript {
  private static readonly compiled = new Map<string, Node>();
  private readonly node: Node;

  constructor(code: string) {
    this.node = FilterScript.compile(code);
  }

  static compile(code: string): Node {
    let node = FilterScript.compiled.get(code);
    if (!node) {
      node = new FilterParser(code).parse();
      FilterScript.compiled.set(code, node);
    }
    return node;
  }

  runInNewContext(context: Record<string, unknown>): unknown {
    return truthy(evaluateNode(this.node, context));
  }
}

function evaluateNode(node: Node, context: Record<string, unknown>): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'path': {
      let value: unknown = context[node.base === '$' ? '_$_root' : node.base];
      for (const segment of node.segments) {
        if (value === null || value === undefined) return undefined;
        if (typeof segment === 'string' && segment === 'length' && (Array.isArray(value) || typeof value === 'string')) {
          value = value.length;
          continue;
        }
        if (typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
        value = (value as Record<string | number, unknown>)[segment];
      }
      return value;
    }
    case 'not':
      return !truthy(evaluateNode(node.operand, context));
    case 'and':
      return truthy(evaluateNode(node.left, context)) && truthy(evaluateNode(node.right, context));
    case 'or':
      return truthy(evaluateNode(node.left, context)) || truthy(evaluateNode(node.right, context));
    case 'compare':
      return compare(node.op, evaluateNode(node.left, context), evaluateNode(node.right, context));
  }
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}

/**
 * Comparisons follow one rule for every operator: when one side is a number and the other a
 * numeric string, both compare as numbers — XML, CSV/TSV, HTML and Markdown bodies carry every
 * value as text, so `[?(@.amount >= 3)]` must see `"3"` the way `[?(@.amount == 3)]` does.
 * Two strings compare as strings, two numbers as numbers; anything else is unordered (false).
 */
function compare(op: string, a: unknown, b: unknown): boolean {
  const [x, y] = comparable(a, b);
  switch (op) {
    case '==':
    case '===':
      return x === y;
    case '!=':
    case '!==':
      return x !== y;
    default: {
      if (typeof x === 'number' && typeof y === 'number') return order(op, x, y);
      if (typeof x === 'string' && typeof y === 'string') return order(op, x, y);
      return false;
    }
  }
}

/** A decimal number written as text (`3`, `-0.5`, `1e3`, ` 42 `); not `0x10`, `Infinity` or ``. */
const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** The operands as compared: a numeric string facing a number becomes that number. */
function comparable(a: unknown, b: unknown): [unknown, unknown] {
  if (typeof a === 'number' && typeof b === 'string' && NUMERIC.test(b)) return [a, Number(b)];
  if (typeof a === 'string' && typeof b === 'number' && NUMERIC.test(a)) return [Number(a), b];
  return [a, b];
}

function order(op: string, a: number | string, b: number | string): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

class FilterParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): Node {
    const node = this.or();
    this.space();
    if (this.pos < this.text.length) throw new Error(`unexpected \`${this.text.slice(this.pos)}\``);
    return node;
  }

  private space(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private eat(token: string): boolean {
    this.space();
    if (this.text.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }

  private or(): Node {
    let left = this.and();
    while (this.eat('||')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.eat('&&')) left = { kind: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): Node {
    this.space();
    if (this.text[this.pos] === '!' && this.text[this.pos + 1] !== '=') {
      this.pos++;
      return { kind: 'not', operand: this.unary() };
    }
    const left = this.primary();
    this.space();
    const op = /^(===|!==|==|!=|<=|>=|<|>)/.exec(this.text.slice(this.pos))?.[1];
    if (!op) return left;
    this.pos += op.length;
    return { kind: 'compare', op, left, right: this.primary() };
  }

  private primary(): Node {
    this.space();
    const rest = this.text.slice(this.pos);
    if (this.eat('(')) {
      const inner = this.or();
      if (!this.eat(')')) throw new Error('missing `)`');
      return inner;
    }
    const string = /^'((?:[^'\\]|\\.)*)'|^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (string) {
      this.pos += string[0].length;
      return { kind: 'literal', value: (string[1] ?? string[2]!).replace(/\\(.)/g, '$1') };
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    const word = /^(true|false|null|undefined)\b/.exec(rest);
    if (word) {
      this.pos += word[0].length;
      return { kind: 'literal', value: word[1] === 'true' ? true : word[1] === 'false' ? false : word[1] === 'null' ? null : undefined };
    }
    const base = /^(_\$_parentProperty|_\$_property|_\$_parent|_\$_root|_\$_v|\$)/.exec(rest);
    if (base && BASES.has(base[1]!)) {
      this.pos += base[0].length;
      return { kind: 'path', base: base[1]!, segments: this.segments() };
    }
    throw new Error(`unexpected \`${rest}\``);
  }

  private segments(): (string | number)[] {
    const out: (string | number)[] = [];
    for (;;) {
      const rest = this.text.slice(this.pos);
      const m = /^\.([A-Za-z_$][\w$-]*)|^\[(\d+)\]|^\['([^'\]]*)'\]|^\["([^"\]]*)"\]/.exec(rest);
      if (!m) break;
      const segment = m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])!);
      if (typeof segment === 'string' && FORBIDDEN.has(segment)) throw new Error(`\`${segment}\` is not allowed`);
      out.push(segment);
      this.pos += m[0].length;
    }
    if (this.text[this.pos] === '(') throw new Error('function calls are disabled');
    return out;
  }
}
