/**
 * OpenAPI schema objects → the JSON Schema that tool input parameters and
 * output shapes carry. OpenAPI-only keywords are dropped (`example`, `xml`,
 * `discriminator`, `externalDocs`, `x-*`), 3.0's `nullable` becomes a `null`
 * type, and nesting is cut at a fixed depth so a large or recursive schema
 * cannot blow up the capability file. A `$ref` still present after
 * dereferencing is a cycle: it becomes an open schema.
 */
import type { JsonTypeName } from './names.js';

export type Schema = Record<string, unknown>;

const KEEP = new Set([
  'type', 'enum', 'const', 'default', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'items', 'minItems', 'maxItems', 'uniqueItems',
  'properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties', 'oneOf', 'anyOf', 'allOf',
  'description', 'title', 'examples', 'deprecated', 'contentMediaType', 'contentEncoding',
]);

const MAX_DEPTH = 6;

export function toJsonSchema(schema: unknown, depth = 0, seen: Set<unknown> = new Set()): Schema {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return {};
  const source = schema as Schema;
  if (typeof source.$ref === 'string' || seen.has(source)) return {}; // a cycle: say nothing rather than recurse
  if (depth >= MAX_DEPTH) return typeOnly(source);
  seen.add(source);
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (!KEEP.has(key)) continue;
    switch (key) {
      case 'properties':
        if (value && typeof value === 'object') {
          out.properties = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, toJsonSchema(v, depth + 1, seen)]));
        }
        break;
      case 'items':
      case 'additionalProperties':
        out[key] = typeof value === 'boolean' ? value : toJsonSchema(value, depth + 1, seen);
        break;
      case 'oneOf':
      case 'anyOf':
      case 'allOf':
        if (Array.isArray(value)) out[key] = value.map((v) => toJsonSchema(v, depth + 1, seen));
        break;
      case 'description':
        if (typeof value === 'string') out.description = shorten(value, 400);
        break;
      case 'required':
        if (Array.isArray(value) && value.length > 0) out.required = value;
        break;
      default:
        out[key] = value;
    }
  }
  // A required name with no declared property (real documents carry editor ids there) cannot be sent by a caller.
  if (Array.isArray(out.required) && out.properties) {
    const declared = out.properties as Schema;
    const kept = (out.required as unknown[]).filter((r) => typeof r === 'string' && r in declared);
    if (kept.length > 0) out.required = kept;
    else delete out.required;
  }
  if (source.example !== undefined && out.examples === undefined) out.examples = [source.example];
  if (source.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  seen.delete(source);
  return out;
}

function typeOnly(source: Schema): Schema {
  const type = jsonTypeOf(source);
  return type ? { type } : {};
}

/** The one JSON type a parameter is declared with (`type: [string, "null"]` → string; none → guessed from the keywords). */
export function jsonTypeOf(schema: unknown, depth = 0): JsonTypeName | undefined {
  if (!schema || typeof schema !== 'object' || depth > MAX_DEPTH) return undefined;
  const s = schema as Schema;
  const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t): t is string => typeof t === 'string' && t !== 'null');
  const first = types[0];
  if (first === 'string' || first === 'number' || first === 'integer' || first === 'boolean' || first === 'array' || first === 'object') return first;
  if (s.properties || s.additionalProperties) return 'object';
  if (s.items) return 'array';
  for (const key of ['allOf', 'oneOf', 'anyOf']) {
    const list = s[key];
    if (Array.isArray(list)) for (const item of list) {
      const t = jsonTypeOf(item, depth + 1);
      if (t) return t;
    }
  }
  return undefined;
}

/** Object properties of a schema, `allOf` parts merged (what a body's fields are). */
export function objectProperties(schema: unknown): { properties: Record<string, Schema>; required: string[] } | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as Schema;
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  const seen = new Set<Schema>();
  const visit = (part: Schema) => {
    if (seen.has(part)) return;
    seen.add(part);
    if (part.properties && typeof part.properties === 'object') Object.assign(properties, part.properties);
    if (Array.isArray(part.required)) required.push(...(part.required as string[]));
    if (Array.isArray(part.allOf)) for (const p of part.allOf) if (p && typeof p === 'object') visit(p as Schema);
  };
  visit(s);
  if (Object.keys(properties).length === 0) return undefined;
  if (jsonTypeOf(s) !== 'object') return undefined;
  return { properties, required: [...new Set(required)].filter((r) => r in properties) };
}

export function shorten(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1).trimEnd()}…`;
}
