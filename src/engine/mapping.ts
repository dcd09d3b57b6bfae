/**
 * Output shaping: output parameters compiled at load into functions from the
 * parsed upstream body to the answer. Semantics follow naftiko-core §5.4 with
 * documented improvements: an object's own `mapping` becomes the base of its
 * `properties`; an object without properties yields its mapped sub-tree
 * (`value: $.` = the whole body); scalar types coerce lossless strings
 * ("12" → 12 for `type: number`), since XML/CSV bodies only carry strings.
 */
import type { OutputParameter } from '../spec/model.js';
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
