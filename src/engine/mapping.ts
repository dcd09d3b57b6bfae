/**
 * Output shaping: output parameters compiled at load into functions from the
 * parsed upstream body to the answer. Semantics follow naftiko-core §5.4 with
 * documented improvements: an object's own `mapping` becomes the base of its
 * `properties`; an object without properties yields its mapped sub-tree
 * (`value: $.` = the whole body); scalar types coerce lossless strings
 * ("12" → 12 for `type: number`), since XML/CSV bodies only carry strings;
 * `value` templates are rendered (against the call's parameters) in every
 * mode, and keep the declared type; `const` is the value of an output that has
 * neither `mapping` nor `value`.
 *
 * Three ways to combine several output parameters, one per place they occur:
 * - exposed outputs of a call (`compileOutputs`, §5.6): one → that value;
 *   several, all named → one object keyed by name (the reference takes the
 *   first non-null, which silently drops the others); otherwise the first
 *   non-null wins;
 * - mock outputs (`compileMockOutputs`, §5.5): an object keyed by name, nulls
 *   left out; a single unnamed output is the answer itself (the reference
 *   wraps it as `{"value": …}`);
 * - consumed outputs projecting a step's body (`compileProjection`, §6.3).
 */
import type { OutputParameter } from '../capability/model.js';
import { compileJsonPath } from './jsonpath.js';
import { Template, type Lookup } from './templates.js';

export type Mapper = (root: unknown, lookup: Lookup) => unknown;

export function compileOutput(spec: OutputParameter): Mapper {
  if (spec.const !== undefined && spec.mapping === undefined && spec.value === undefined) {
    const value = spec.const;
    return () => value;
  }
  if (spec.value !== undefined && spec.mapping === undefined) {
    if (typeof spec.value !== 'string') {
      const value = spec.value;
      return () => value;
    }
    const template = Template.compile(spec.value);
    if (template.isStatic) {
      const value = coerce(spec.value, spec.type);
      return () => value;
    }
    // `"{{crewIds}}"` keeps the value's own type (an array stays an array).
    if (template.single) return (_root, lookup) => coerce(template.evaluate(lookup) ?? undefined, spec.type);
    return (_root, lookup) => coerce(template.render(lookup), spec.type);
  }
  const path = spec.mapping === undefined ? undefined : compileJsonPath(spec.mapping);
  switch (spec.type) {
    case 'array': {
      const item = spec.items ? compileOutput({ ...spec.items, mapping: spec.items.mapping ?? (spec.items.properties ? undefined : '$') }) : undefined;
      return (root, lookup) => {
        const list = path ? path.evaluate(root) : root;
        if (!Array.isArray(list)) return list === undefined ? undefined : null;
        return item ? list.map((element) => item(element, lookup) ?? null) : list;
      };
    }
    case 'object': {
      if (spec.properties) {
        const props = Object.entries(spec.properties).map(([key, child]) => [key, compileOutput(child)] as const);
        return (root, lookup) => {
          const base = path ? path.evaluate(root) : root;
          if (path && (base === undefined || base === null)) return base;
          const out: Record<string, unknown> = {};
          for (const [key, mapper] of props) {
            const value = mapper(base, lookup);
            out[key] = value === undefined ? null : value;
          }
          return out;
        };
      }
      if (spec.values && path) {
        const each = compileOutput({ ...spec.values, mapping: spec.values.mapping ?? '$' });
        return (root, lookup) => {
          const base = path.evaluate(root);
          if (base === null || typeof base !== 'object' || Array.isArray(base)) return base === undefined ? undefined : null;
          return Object.fromEntries(Object.entries(base).map(([k, v]) => [k, each(v, lookup)]));
        };
      }
      return (root) => (path ? path.evaluate(root) : root);
    }
    default: {
      if (!path) return () => undefined;
      const maxLength = spec.maxLength;
      return (root) => {
        let value = coerce(path.evaluate(root), spec.type);
        if (maxLength !== undefined && typeof value === 'string' && value.length > maxLength) value = value.slice(0, maxLength);
        return value;
      };
    }
  }
}

/**
 * Several output parameters: named ones build an object keyed by name (the
 * consumed-operation projection, §6.3); unnamed ones are alternatives and the
 * first non-null wins (§5.6). Undefined when there are none (raw passthrough).
 */
export function compileOutputs(specs: readonly OutputParameter[]): Mapper | undefined {
  if (specs.length === 0) return undefined;
  const mappers = specs.map((s) => ({ name: s.name, map: compileOutput(s) }));
  if (mappers.length === 1) return mappers[0]!.map;
  if (mappers.every((m) => m.name !== undefined)) {
    return (root, lookup) => Object.fromEntries(mappers.map((m) => [m.name!, m.map(root, lookup) ?? null]));
  }
  return (root, lookup) => {
    for (const m of mappers) {
      const value = m.map(root, lookup);
      if (value !== undefined && value !== null) return value;
    }
    return undefined;
  };
}

function coerce(value: unknown, type: OutputParameter['type']): unknown {
  if (typeof value !== 'string') {
    if (type === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
    return value;
  }
  return coerceText(value, type);
}

/** Text to the declared scalar type when the conversion is lossless ("5" → 5, "true" → true); otherwise unchanged. */
export function coerceText(value: string, type: OutputParameter['type']): unknown {
  switch (type) {
    case 'number':
    case 'integer': {
      if (value.trim() === '') return value;
      const n = Number(value);
      return Number.isFinite(n) && (type === 'number' || Number.isInteger(n)) ? n : value;
    }
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

/**
 * Mock outputs (§5.5): every output keyed by its name (`value` when unnamed),
 * null results left out, an empty object → undefined (no content). A single
 * unnamed output is the answer itself.
 */
export function compileMockOutputs(specs: readonly OutputParameter[]): Mapper | undefined {
  if (specs.length === 0) return undefined;
  const mappers = specs.map((s) => ({ name: s.name, map: compileOutput(s) }));
  if (mappers.length === 1 && mappers[0]!.name === undefined) return mappers[0]!.map;
  return (root, lookup) => {
    const out: Record<string, unknown> = {};
    for (const m of mappers) {
      const value = m.map(root, lookup);
      if (value !== undefined && value !== null) out[m.name ?? 'value'] = value;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  };
}

export interface Projection {
  /** The consumed outputs only restate the whole body (`value: $.`): use the body as it came. */
  passthrough: boolean;
  project: Mapper;
}

/**
 * Consumed-operation outputs projecting an upstream body (§6.3): an array body
 * keeps its elements, each augmented with the named outputs evaluated against
 * it; any other body becomes `{name: value}` for the named outputs (null kept),
 * or, when none is named, the first unnamed output's value. A lone output
 * mapping `$`/`$.` (the APIs.io `{name: result, type: object, value: $.}`) is a
 * passthrough — the reference would answer `{"result": {}}`.
 */
export function compileProjection(specs: readonly OutputParameter[]): Projection | undefined {
  if (specs.length === 0) return undefined;
  if (specs.length === 1 && isWholeBody(specs[0]!)) return { passthrough: true, project: (root) => root };
  const named = specs.filter((s) => s.name !== undefined).map((s) => ({ name: s.name!, map: compileOutput(s) }));
  const firstUnnamed = specs.find((s) => s.name === undefined);
  const unnamed = firstUnnamed ? compileOutput(firstUnnamed) : undefined;
  return {
    passthrough: false,
    project: (root, lookup) => {
      if (Array.isArray(root)) {
        return root.map((element) => {
          const out: Record<string, unknown> = element !== null && typeof element === 'object' && !Array.isArray(element) ? { ...(element as Record<string, unknown>) } : {};
          for (const m of named) out[m.name] = m.map(element, lookup) ?? null;
          return out;
        });
      }
      if (named.length > 0) return Object.fromEntries(named.map((m) => [m.name, m.map(root, lookup) ?? null]));
      return unnamed ? unnamed(root, lookup) : root;
    },
  };
}

function isWholeBody(spec: OutputParameter): boolean {
  const mapping = spec.mapping?.trim();
  return (mapping === '$' || mapping === '$.') && !spec.properties && !spec.items && !spec.values && spec.value === undefined;
}
