/**
 * Names the place a schema diagnostic talks about, in words a capability
 * author recognises: "MCP tool `get-x`", "`port` of REST adapter `lean-rest`".
 */
import { isObject } from '../../util/is-object.js';

const ENTRY_NAMES: Record<string, string> = {
  tools: 'MCP tool',
  prompts: 'MCP prompt',
  arguments: 'prompt argument',
  template: 'prompt message',
  inputParameters: 'input parameter',
  outputParameters: 'output parameter',
  consumes: 'consumes entry',
  steps: 'step',
  binds: 'bind',
  skills: 'skill',
  functions: 'aggregate function',
  aggregates: 'aggregate',
  mappings: 'mapping',
  stakeholders: 'stakeholder',
  data: 'form part',
};

const OBJECT_NAMES: Record<string, string> = {
  info: 'info',
  capability: 'capability',
  authentication: 'authentication',
  hints: 'tool hints',
  body: 'request body',
  forward: 'forward',
  with: '`with`',
  management: 'management',
  observability: 'observability',
  semantics: 'semantics',
  from: '`from`',
  keys: 'bind keys',
  call: 'call',
  items: 'array items',
  values: 'map values',
};

const EXPOSES_NAMES: Record<string, string> = { rest: 'REST adapter', mcp: 'MCP adapter', skill: 'skill adapter', control: 'control adapter' };

export { isObject };

export function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function segmentsOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeSegment);
}

export function splitPointer(pointer: string): { key: string | undefined; parentPointer: string } {
  if (pointer === '') return { key: undefined, parentPointer: '' };
  const i = pointer.lastIndexOf('/');
  return { key: unescapeSegment(pointer.slice(i + 1)), parentPointer: pointer.slice(0, i) };
}

export function valueAt(data: unknown, segments: readonly string[]): unknown {
  let node = data;
  for (const segment of segments) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** The kind of node at a pointer, without its name: "MCP tool", "consumed operation", "info". */
export function kindOf(pointer: string, data: unknown): string {
  if (pointer === '') return 'the document';
  const segments = segmentsOf(pointer);
  const last = segments[segments.length - 1]!;
  const container = segments[segments.length - 2] ?? '';
  if (/^\d+$/.test(last)) {
    const node = valueAt(data, segments);
    if (container === 'exposes') return EXPOSES_NAMES[String(isObject(node) ? node.type : '')] ?? 'exposes entry';
    if (container === 'operations') return segments.includes('consumes') ? 'consumed operation' : 'REST operation';
    if (container === 'resources') {
      if (segments.includes('consumes')) return 'consumed resource';
      return adapterType(data, segments) === 'mcp' ? 'MCP resource' : 'REST resource';
    }
    if (container === 'tools' && segments.includes('skills')) return 'skill tool';
    if (container === 'inputParameters' && segments.includes('consumes')) return 'consumed input parameter';
    if (container === 'outputParameters' && segments.includes('consumes')) return 'consumed output parameter';
    if (container === 'outputParameters' && segments[segments.length - 4] === 'steps') return 'lookup output';
    return ENTRY_NAMES[container] ?? `entry ${last} of \`${container}\``;
  }
  if (container === 'properties') return `output property \`${last}\``;
  return OBJECT_NAMES[last] ?? `\`${last}\``;
}

/** "MCP tool `get-x`": the kind plus the entry's `name`/`namespace` when it is a list entry. */
export function describeNode(pointer: string, data: unknown): string {
  const kind = kindOf(pointer, data);
  const segments = segmentsOf(pointer);
  const last = segments[segments.length - 1];
  if (last === undefined || !/^\d+$/.test(last)) return kind;
  const node = valueAt(data, segments);
  const label = isObject(node) ? (node.name ?? node.namespace ?? node.targetName) : undefined;
  return typeof label === 'string' && label !== '' ? `${kind} \`${label}\`` : kind;
}

/** "`port` of REST adapter `x`" for a value at `/…/port`; list entries are described as nodes. */
export function describeValue(pointer: string, data: unknown): string {
  const { key, parentPointer } = splitPointer(pointer);
  if (key === undefined) return describeNode(pointer, data);
  if (/^\d+$/.test(key)) return describeNode(pointer, data);
  if (parentPointer === '') return `\`${key}\``;
  return `\`${key}\` of ${describeNode(parentPointer, data)}`;
}

/** Plural form of a kind for grouped messages ("MCP tools", "input parameters"). */
export function pluralKind(kind: string): string {
  if (kind.endsWith('entry')) return `${kind.slice(0, -5)}entries`;
  if (/\s`[^`]+`$/.test(kind)) return kind;
  return `${kind}s`;
}

function adapterType(data: unknown, segments: readonly string[]): unknown {
  const i = segments.indexOf('exposes');
  if (i < 0) return undefined;
  const adapter = valueAt(data, segments.slice(0, i + 2));
  return isObject(adapter) ? adapter.type : undefined;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function truncate(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A value quoted for a message: `` `abc` ``, "an empty string", "a list". */
export function valueText(value: unknown): string {
  if (value === '') return 'an empty string';
  if (typeof value === 'string') return `\`${truncate(value)}\``;
  if (value === null || typeof value !== 'object') return `\`${String(value)}\``;
  return Array.isArray(value) ? 'a list' : 'a mapping';
}

/** What a value is, for type errors: "the string \"8080\"", "a list". */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(truncate(value))}`;
  return `${typeof value} ${String(value)}`;
}

/** JSON Schema type name → words ("a mapping", "an integer"). */
export function typeWords(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case 'null':
      return 'null';
    default:
      return `a ${type}`;
  }
}

export function listOr(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

export function code(items: readonly unknown[]): string {
  return items.map((v) => `\`${String(v)}\``).join(', ');
}
