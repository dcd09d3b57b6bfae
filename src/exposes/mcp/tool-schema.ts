/**
 * MCP tool descriptors derived from a capability: an input schema that is never
 * empty when the tool takes arguments (declared `inputParameters`, else derived
 * from `with` references and the consumed parameters they feed), an output
 * schema when outputs are declared, and annotations from `hints` or, when
 * absent, from the consumed HTTP method.
 */
import type { ConsumedParameter, ExposedParameter, JsonType, McpTool, OutputParameter } from '../../spec/model.js';
import type { PreparedOperation } from '../../engine/upstream/operation.js';
import { Template } from '../../engine/templates.js';

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

function fromDeclared(parameters: readonly ExposedParameter[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of parameters) {
    properties[p.name] = { type: p.type ?? 'string', ...(p.description ? { description: p.description } : {}), ...p.schema };
    if (p.required) required.push(p.name);
  }
  return objectSchema(properties, required);
}

/**
 * `with: {account_id: tools.account_id}` → property `account_id`, typed and
 * required from the consumed parameter it feeds. Template references
 * (`"{{tools.x}}"`, `"{{x}}"`) count too. A tool with no `with` at all passes its
 * arguments straight through, so the consumed parameters themselves are the inputs.
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
    properties[argument] = { type, ...(description ? { description } : {}) };
    if (target?.required && !viaTemplate) required.add(argument);
  };
  const entries = Object.entries(tool.with);
  if (entries.length === 0 && Object.keys(tool.with).length === 0 && operation && tool.call) {
    for (const p of consumed.values()) if (p.value === undefined && p.template === undefined && p.in !== 'environment') add(p.name, p, false);
  }
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

/** An output schema only when the tool's outputs describe one object with named properties. */
export function outputSchemaFor(outputs: readonly OutputParameter[]): JsonSchema | undefined {
  if (outputs.length !== 1) return undefined;
  const only = outputs[0]!;
  if (only.type !== 'object' || !only.properties) return undefined;
  return schemaOf(only);
}

function schemaOf(o: OutputParameter): JsonSchema {
  const nullable = (t: string) => [t, 'null'];
  if (o.type === 'object' && o.properties) {
    return {
      type: nullable('object'),
      properties: Object.fromEntries(Object.entries(o.properties).map(([k, v]) => [k, schemaOf(v)])),
      ...(o.description ? { description: o.description } : {}),
    };
  }
  if (o.type === 'array') return { type: nullable('array'), ...(o.items ? { items: schemaOf(o.items) } : {}) };
  if (o.type === undefined || o.type === 'object') return {};
  return { type: nullable(o.type), ...(o.description ? { description: o.description } : {}) };
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
  if (!tool.call && tool.steps.length === 0) derived.openWorldHint = false;
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
