/**
 * `with` values compiled once into small resolvers. Supported forms (the
 * APIs.io dialect and the spec's own):
 *   rest.path.X · rest.query.X · rest.header.X · rest.body · rest.body.X · rest.X
 *   tools.X · tools.body · <adapterNamespace>.X · env.VAR / <bindNamespace>.VAR
 *   {{templates}} (over parameters and bind variables) · literals · structures
 *   (objects/lists whose string leaves are any of the above)
 * An expression that finds nothing yields `undefined`: the target parameter
 * stays unset (it never becomes the literal text `rest.query.x`).
 */
import { looseGet } from '../capability/names.js';
import type { BindScope } from './binds.js';
import { FormBody, type CallerInput, type RestInput } from './input.js';
import { Template, hasTemplate, walkPath } from './templates.js';

export interface ExpressionContext {
  input: CallerInput;
  /** Parameters gathered so far (arguments, declared inputs, earlier steps). */
  params: Record<string, unknown>;
  /** Template lookup over params then binds (already resolved). */
  lookup: (path: string) => unknown;
}

export type Expression = (ctx: ExpressionContext) => unknown;

export interface CompiledWith {
  entries: { name: string; expression: Expression; template?: Template }[];
  /** Bind variables the entries read: resolved before the entries are evaluated. */
  bindVariables: string[];
}

/** What compiling needs to know about binds: which names are bind variables. */
type BindNames = Pick<BindScope, 'variableFor'>;

export function compileWith(map: Record<string, unknown>, adapterNamespace: string, binds?: BindNames): CompiledWith {
  const bindVariables = new Set<string>();
  const entries = Object.entries(map).map(([name, value]) => {
    if (typeof value === 'string' && hasTemplate(value)) {
      const template = Template.compile(value);
      for (const v of template.variables) {
        const variable = binds?.variableFor(v.path);
        if (variable !== undefined) bindVariables.add(variable);
      }
      return { name, expression: (ctx: ExpressionContext) => template.evaluate(ctx.lookup), template };
    }
    return { name, expression: compileExpression(value, adapterNamespace, binds, bindVariables) };
  });
  return { entries, bindVariables: [...bindVariables] };
}

export function compileExpression(value: unknown, adapterNamespace: string, binds?: BindNames, bindVariables?: Set<string>): Expression {
  if (Array.isArray(value)) {
    const items = value.map((v) => compileExpression(v, adapterNamespace, binds, bindVariables));
    return (ctx) => items.map((item) => item(ctx) ?? null);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compileExpression(v, adapterNamespace, binds, bindVariables)] as const);
    return (ctx) => {
      const out: Record<string, unknown> = {};
      for (const [k, expression] of entries) {
        const v = expression(ctx);
        if (v !== undefined) out[k] = v;
      }
      return out;
    };
  }
  if (typeof value !== 'string') return () => value;
  if (hasTemplate(value)) {
    const template = Template.compile(value);
    for (const v of template.variables) {
      const variable = binds?.variableFor(v.path);
      if (variable !== undefined) bindVariables?.add(variable);
    }
    return (ctx) => template.evaluate(ctx.lookup);
  }
  const text = value.trim();
  if (text.startsWith('rest.')) return compileRest(text.slice(5));
  if (text.startsWith('tools.')) {
    const name = text.slice(6);
    return (ctx) => (ctx.input.kind === 'mcp' ? walkPath(ctx.input.arguments, name) : ctx.params[name]);
  }
  if (adapterNamespace && text.startsWith(`${adapterNamespace}.`)) {
    const name = text.slice(adapterNamespace.length + 1);
    return (ctx) => (ctx.input.kind === 'mcp' ? ctx.input.arguments[name] : undefined) ?? ctx.params[name];
  }
  // `env.VAR` / `<bindNamespace>.VAR` without braces (seen in the APIs.io corpus): a bind variable.
  const variable = text.includes('.') ? binds?.variableFor(text) : undefined;
  if (variable !== undefined) {
    bindVariables?.add(variable);
    return (ctx) => ctx.lookup(text);
  }
  return () => value;
}

function compileRest(rest: string): Expression {
  const dot = rest.indexOf('.');
  const area = dot < 0 ? rest : rest.slice(0, dot);
  const name = dot < 0 ? '' : rest.slice(dot + 1);
  switch (area) {
    case 'path':
      // Dialect: `rest.path.deviceId` reads `{deviceid}` when that is the only loosely equal route variable.
      return (ctx) => (ctx.input.kind === 'rest' ? looseGet(ctx.input.path, name) : undefined);
    case 'query':
      return (ctx) => {
        if (ctx.input.kind !== 'rest') return undefined;
        const all = ctx.input.query.getAll(name);
        return all.length === 0 ? undefined : all.length === 1 ? all[0] : all;
      };
    case 'header':
    case 'headers':
      return (ctx) => (ctx.input.kind === 'rest' ? ctx.input.headers[name.toLowerCase()] : undefined);
    case 'body':
      if (name === '') return (ctx) => (ctx.input.kind === 'rest' ? ctx.input.body : undefined);
      return (ctx) => (ctx.input.kind === 'rest' ? bodyField(ctx.input.body, name) : undefined);
    default:
      // Bare `rest.X`: path (exact, else the single loosely equal route variable), then query, header, body field.
      return (ctx) => (ctx.input.kind === 'rest' ? requestValue(ctx.input, rest) : undefined);
  }
}

/**
 * A value the caller sent under `name`, looked up as a bare `rest.X` reads it:
 * route variable (exact, else the single loosely equal one), query (all values
 * when repeated), header, then body field.
 */
export function requestValue(input: RestInput, name: string): unknown {
  const fromPath = looseGet(input.path, name);
  if (fromPath !== undefined) return fromPath;
  const query = input.query.getAll(name);
  if (query.length > 0) return query.length === 1 ? query[0] : query;
  return input.headers[name.toLowerCase()] ?? bodyField(input.body, name);
}

function bodyField(body: unknown, name: string): unknown {
  if (body instanceof FormBody) return body.get(name);
  return walkPath(body, name);
}
