/**
 * Mustache-style templates (`{{name}}`, `{{ns.VAR}}`, `{{{x}}}`, `{{& x}}`),
 * compiled once at load into literal and variable parts (the grammar lives in
 * src/capability/template-grammar.ts, so reading a file needs no engine). Rendering takes a
 * lookup and an escaper chosen by where the text lands (path segment, query,
 * header, JSON string, form field), so values are never inserted raw.
 *
 * Sections and partials are not supported: variables cover every template in
 * the corpora we target; `{{! comments }}` are dropped.
 */
import { hasTemplate, parseTemplate, type TemplatePart, type TemplateVariable } from '../capability/template-grammar.js';

export { hasTemplate, type TemplateVariable };
export type Lookup = (path: string) => unknown;
export type Escaper = (value: unknown) => string;

type Part = TemplatePart;

export class Template {
  readonly variables: readonly TemplateVariable[];
  private constructor(
    readonly source: string,
    private readonly parts: readonly Part[],
  ) {
    this.variables = parts.filter((p): p is TemplateVariable => typeof p !== 'string');
  }

  /** The grammar (src/capability/template-grammar.ts) splits the text once, at load. */
  static compile(source: string): Template {
    return new Template(source, parseTemplate(source));
  }

  get isStatic(): boolean {
    return this.variables.length === 0;
  }

  /** True when the whole template is one variable (`"{{x}}"`): its value keeps its type. */
  get single(): TemplateVariable | undefined {
    return this.parts.length === 1 && typeof this.parts[0] !== 'string' ? (this.parts[0] as TemplateVariable) : undefined;
  }

  render(lookup: Lookup, escape: Escaper = stringifyValue): string {
    let out = '';
    for (const part of this.parts) {
      if (typeof part === 'string') out += part;
      else {
        const value = lookup(part.path);
        if (value !== undefined && value !== null) out += escape(value);
      }
    }
    return out;
  }

  /** Renders with an escaper chosen per variable (e.g. bind values raw, caller values encoded). */
  renderEach(lookup: Lookup, escapeFor: (path: string) => Escaper): string {
    let out = '';
    for (const part of this.parts) {
      if (typeof part === 'string') out += part;
      else {
        const value = lookup(part.path);
        if (value !== undefined && value !== null) out += escapeFor(part.path)(value);
      }
    }
    return out;
  }

  /**
   * Renders with a stateful escaper: `onLiteral` sees each literal part in order
   * (so the caller can track context such as "inside a JSON string"), and
   * `escape` renders each variable's value — including a missing one (undefined).
   */
  renderParts(lookup: Lookup, onLiteral: (text: string) => void, escape: (value: unknown) => string): string {
    let out = '';
    for (const part of this.parts) {
      if (typeof part === 'string') {
        onLiteral(part);
        out += part;
      } else {
        out += escape(lookup(part.path));
      }
    }
    return out;
  }

  /** Renders keeping the value's own type when the template is a single variable. */
  evaluate(lookup: Lookup): unknown {
    const single = this.single;
    if (single) return lookup(single.path);
    return this.render(lookup);
  }
}

/** Objects and arrays become compact JSON; everything else its string form. */
export function stringifyValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Escaper for text inside a JSON string literal. */
export function jsonStringEscape(value: unknown): string {
  return JSON.stringify(stringifyValue(value)).slice(1, -1);
}

/** Escaper for a value standing alone in JSON (`"n": {{n}}`): strings quoted, others as JSON. */
export function jsonValueEscape(value: unknown): string {
  return JSON.stringify(value);
}

export function pathSegmentEscape(value: unknown): string {
  return encodeURIComponent(stringifyValue(value));
}

/** Walks a dotted path through objects and arrays (`a.b.0.c`), trying the whole key first. */
export function walkPath(root: unknown, path: string): unknown {
  if (root === null || typeof root !== 'object') return undefined;
  const direct = (root as Record<string, unknown>)[path];
  if (direct !== undefined) return direct;
  let node: unknown = root;
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * A template variable's value among call parameters: the whole key first
 * (`step.field` may be a key), then a dotted walk; `tools.X` (the APIs.io way
 * of naming an MCP argument inside consumes templates) falls back to `X`.
 */
export function paramValue(params: Record<string, unknown>, path: string): unknown {
  if (path in params) return params[path];
  const walked = walkPath(params, path);
  if (walked !== undefined) return walked;
  if (path.startsWith('tools.')) return paramValue(params, path.slice(6));
  return undefined;
}
