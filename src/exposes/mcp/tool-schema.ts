/**
 * MCP tool descriptors derived from a capability: an input schema that is never
 * empty when the tool takes arguments (declared `inputParameters`, else derived
 * from `with` references and the consumed parameters they feed), an output
 * schema when outputs are declared, and annotations from `hints` or, when
 * absent, from the consumed HTTP method.
 */
import type { ConsumedParameter, ExposedParameter, JsonType, McpTool, OutputParameter } from '../../capability/model.js';
import type { PreparedOperation } from '../../engine/upstream/operation.js';
import { Template } from '../../engine/templates.js';
import { uniqueLooseMatch } from '../../capability/names.js';

export type JsonSchema = Record<string, unknown>;

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export function inputSchemaFor(tool: McpTool, adapterNamespace: string, operation: PreparedOperation | undefined): JsonSchema {
  if (tool.inputParameters.length > 0) return fromDeclared(tool.inputParameters);
  return deriveFromWith(tool, adapterNamespace, operation);
}

/** JSON Schema keywords an input parameter may carry into the tool's input schema (anything else is ours, not the schema's). */
const SCHEMA_KEYWORDS = new Set([
  'title', 'enum', 'const', 'default', 'examples', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'items', 'prefixItems', 'contains', 'minItems', 'maxItems', 'uniqueItems',
  'properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'minProperties', 'maxProperties',
  'oneOf', 'anyOf', 'allOf', 'not', '$ref', '$defs', 'contentMediaType', 'contentEncoding', 'deprecated', 'readOnly', 'writeOnly',
]);

function fromDeclared(parameters: readonly ExposedParameter[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of parameters) {
    // A parameter with a fixed value is not the caller's to give.
    if (p.value !== undefined) continue;
    const extra: JsonSchema = {};
    for (const [key, value] of Object.entries(p.schema)) {
      if (SCHEMA_KEYWORDS.has(key)) extra[key] = value;
      else if (key === 'label' && typeof value === 'string' && extra.title === undefined) extra.title = value;
    }
    properties[p.name] = { type: p.type ?? 'string', ...(p.description ? { description: p.description } : {}), ...extra };
    if (p.required) required.push(p.name);
  }
  return objectSchema(properties, required);
}

/**
 * `with: {account_id: tools.account_id}` → property `account_id`, typed and
 * required from the consumed parameter it feeds. Template references
 * (`"{{tools.x}}"`, `"{{x}}"`) count too. Arguments reach the call by name, so
 * every consumed parameter (and path placeholder) that no `with` key feeds is
 * offered as an argument of its own (issue 12: a tool without
 * inputParameters offers what its call needs). A consumed `default` is shown
 * and makes the argument optional.
 */
function deriveFromWith(tool: McpTool, adapterNamespace: string, operation: PreparedOperation | undefined): JsonSchema {
  const consumed = new Map<string, ConsumedParameter>();
  for (const p of operation?.inputParameters ?? []) consumed.set(p.name, p);
  const properties: Record<string, JsonSchema> = {};
  const required = new Set<string>();
  const add = (argument: string, target: ConsumedParameter | undefined, viaTemplate: boolean) => {
    if (properties[argument]) return;
    const type: JsonType = target?.type ?? (target?.in === 'body' && target.name === 'body' ? 'object' : 'string');
    const description = target?.description ?? describe(target);
    properties[argument] = { type, ...(description ? { description } : {}), ...(target?.default !== undefined ? { default: target.default } : {}) };
    if (target?.required && target.default === undefined && !viaTemplate) required.add(argument);
  };
  const entries = Object.entries(tool.with);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') continue;
    const text = value.trim();
    const direct = text.startsWith('tools.') ? text.slice(6) : adapterNamespace && text.startsWith(`${adapterNamespace}.`) ? text.slice(adapterNamespace.length + 1) : undefined;
    if (direct !== undefined && !direct.includes('.')) {
      add(direct, consumed.get(key), false);
      continue;
    }
    if (text.includes('{{')) {
      for (const v of Template.compile(text).variables) {
        const name = v.path.startsWith('tools.') ? v.path.slice(6) : v.path;
        if (!name.includes('.')) add(name, consumed.get(key), true);
      }
    }
  }
  if (operation && tool.call) {
    const fed = Object.keys(tool.with);
    const isFed = (name: string) => fed.includes(name) || uniqueLooseMatch(name, fed) !== undefined;
    for (const p of consumed.values()) {
      if (p.value === undefined && p.template === undefined && p.in !== 'environment' && !isFed(p.name)) add(p.name, p, false);
    }
    // Path placeholders the file forgot to declare as parameters are still arguments the call needs.
    for (const name of operation.pathVariables) {
      if (!properties[name] && !isFed(name) && /^[A-Za-z0-9_-]+$/.test(name)) add(name, { name, in: 'path', required: true, loc: operation.resource.loc }, false);
    }
  }
  return objectSchema(properties, [...required]);
}

function describe(p: ConsumedParameter | undefined): string | undefined {
  if (!p) return undefined;
  if (p.in === 'body') return 'Request body sent to the upstream API.';
  return `Sent upstream as the ${p.in} parameter \`${p.name}\`.`;
}

function objectSchema(properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

/**
 * The output schema of a tool, when its result shape is known before it runs.
 * It mirrors how the engine shapes results (src/engine/mapping.ts):
 * - mock outputs: an object keyed by output name (a single unnamed output is
 *   the value itself);
 * - a call with outputs of its own: one output gives its value, several named
 *   outputs an object keyed by name, unnamed alternatives the first non-null
 *   one (no schema: which one is not known in advance).
 * Calls shaped by the consumed operation's outputs (their shape depends on the
 * body: an array keeps its elements), `ref` and `steps` units get no schema.
 * `structuredContent` must be an object, so a non-object result is wrapped
 * under `wrapKey` (the output's name, else `result`). Properties are nullable
 * and optional: a mapping that finds nothing yields null or nothing.
 */
export function outputSchemaFor(
  outputs: readonly OutputParameter[],
  compiled?: { mode: 'call' | 'steps' | 'mock'; invocable?: { ref?: string } },
): { schema?: JsonSchema; wrapKey: string } | undefined {
  const specs = outputs.filter((o) => o.mapping !== undefined || o.value !== undefined || o.const !== undefined || o.properties || o.items);
  if (specs.length === 0) return undefined;
  const mode = compiled?.mode ?? 'call';
  if (compiled?.invocable?.ref || mode === 'steps') return { wrapKey: specs.length === 1 ? (specs[0]!.name ?? 'result') : 'result' };
  if (mode === 'mock' && !(specs.length === 1 && specs[0]!.name === undefined)) {
    return { schema: { type: 'object', properties: Object.fromEntries(specs.map((s) => [s.name ?? 'value', schemaOf(s)])) }, wrapKey: 'result' };
  }
  if (specs.length === 1) {
    const only = specs[0]!;
    const wrapKey = only.name ?? 'result';
    if (only.type === 'object') {
      // An object output without declared properties can be any sub-tree: no schema.
      return only.properties || only.values ? { schema: { ...schemaOf(only), type: 'object' }, wrapKey } : { wrapKey };
    }
    if (only.type === undefined && only.value === undefined && only.const === undefined) return { wrapKey };
    return { schema: { type: 'object', properties: { [wrapKey]: schemaOf(only) } }, wrapKey };
  }
  if (!specs.every((s) => s.name !== undefined)) return { wrapKey: 'result' };
  return {
    schema: { type: 'object', properties: Object.fromEntries(specs.map((s) => [s.name!, schemaOf(s)])) },
    wrapKey: 'result',
  };
}

function schemaOf(o: OutputParameter): JsonSchema {
  const described = (schema: JsonSchema): JsonSchema => (o.description ? { ...schema, description: o.description } : schema);
  if (o.const !== undefined && o.mapping === undefined && o.value === undefined) return described({ const: o.const });
  if (o.value !== undefined && o.mapping === undefined && typeof o.value !== 'string') return described({ const: o.value });
  switch (o.type) {
    case 'object':
      if (o.properties) {
        return described({ type: ['object', 'null'], properties: Object.fromEntries(Object.entries(o.properties).map(([k, v]) => [k, schemaOf(v)])) });
      }
      if (o.values) return described({ type: ['object', 'null'], additionalProperties: schemaOf(o.values) });
      return described({});
    case 'array':
      return described({ type: ['array', 'null'], ...(o.items ? { items: schemaOf(o.items) } : {}) });
    case undefined:
      return described({});
    default:
      return described({ type: [o.type, 'null'] });
  }
}

export function annotationsFor(tool: McpTool, operation: PreparedOperation | undefined): ToolAnnotations {
  const derived: ToolAnnotations = {};
  const method = operation?.method;
  if (method === 'GET' || method === 'HEAD') derived.readOnlyHint = true;
  else if (method) {
    derived.readOnlyHint = false;
    derived.destructiveHint = method === 'DELETE';
    derived.idempotentHint = method === 'PUT' || method === 'DELETE';
  }
  if (!tool.call && !tool.ref && tool.steps.length === 0) derived.openWorldHint = false; // a mock tool touches nothing outside
  const hints = tool.hints ?? {};
  const annotations: ToolAnnotations = {
    ...(tool.label ? { title: tool.label } : {}),
    ...derived,
    ...(hints.readOnly !== undefined ? { readOnlyHint: hints.readOnly } : {}),
    ...(hints.destructive !== undefined ? { destructiveHint: hints.destructive } : {}),
    ...(hints.idempotent !== undefined ? { idempotentHint: hints.idempotent } : {}),
    ...(hints.openWorld !== undefined ? { openWorldHint: hints.openWorld } : {}),
  };
  return annotations;
}
