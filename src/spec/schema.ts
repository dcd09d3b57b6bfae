/**
 * JSON Schema stage: validates a parsed capability file against
 * `schemas/naftiko.schema.json` and turns Ajv's raw errors into a short list of
 * plain-words diagnostics (one per real problem, pointing at the right key).
 *
 * Two modes share one schema file:
 * - default: Naftiko 1.0.0-alpha2 plus the APIs.io dialect, whose extensions are
 *   marked in the schema with `"x-dialect": "apis-io"`;
 * - strict (`--strict`): pure alpha2, produced by `stripDialect`, which deletes
 *   every property and every `anyOf`/`oneOf` branch carrying that annotation.
 *
 * Other annotations the schema uses (all registered as Ajv keywords):
 * - `x-unsupported: "<what>"` names a recognised but unsupported construct
 *   (off-spec keys, or a discriminated union whose tag value is unknown);
 * - `x-message: "<phrase>"` replaces Ajv's wording for the union / `required` /
 *   `not` / `pattern` errors raised directly by that schema node;
 * - `x-dialect-removed: [...]` is written by `stripDialect` so strict mode can say
 *   "this is a dialect key" instead of "unknown key".
 */
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic, SourcePosition } from './diagnostics.js';
import { escapePointer, type SourceFile } from './source.js';

export interface SchemaValidationOptions {
  /** Pure alpha2: APIs.io dialect extensions are reported as errors. */
  strict?: boolean;
}

type JsonObject = Record<string, unknown>;
type AjvError = ErrorObject<string, Record<string, unknown>, unknown>;

export const DIALECT = 'apis-io';
const CUSTOM_KEYWORDS = ['x-dialect', 'x-dialect-removed', 'x-unsupported', 'x-message'] as const;
const SCHEMA_URL = new URL('../../schemas/naftiko.schema.json', import.meta.url);

// ajv and ajv-formats are CommonJS; under NodeNext their default export arrives wrapped.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;

let rawSchema: JsonObject | undefined;
const compiled = new Map<'default' | 'strict', { validate: ValidateFunction; root: JsonObject }>();

/** The schema file as written (default mode, dialect included). */
export function loadSchema(): JsonObject {
  rawSchema ??= JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as JsonObject;
  return rawSchema;
}

/** The schema with every `x-dialect` property and union branch removed (strict alpha2). */
export function stripDialect<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item) => stripDialect(item)) as T;
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && isObject(value)) {
      const kept: JsonObject = {};
      const removed: string[] = [];
      for (const [name, sub] of Object.entries(value)) {
        if (isDialect(sub)) removed.push(name);
        else kept[name] = stripDialect(sub);
      }
      out.properties = kept;
      if (removed.length > 0) out['x-dialect-removed'] = removed;
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      out[key] = value.filter((branch) => !isDialect(branch)).map((branch) => stripDialect(branch));
    } else {
      out[key] = stripDialect(value);
    }
  }
  return out as T;
}

function getValidator(strict: boolean): { validate: ValidateFunction; root: JsonObject } {
  const mode = strict ? 'strict' : 'default';
  let entry = compiled.get(mode);
  if (!entry) {
    const root = strict ? stripDialect(loadSchema()) : loadSchema();
    const ajv = new Ajv2020({
      allErrors: true,
      verbose: true,
      discriminator: true,
      allowUnionTypes: true,
      strict: true,
      strictTypes: false,
      strictRequired: false,
    });
    addFormats(ajv);
    for (const keyword of CUSTOM_KEYWORDS) ajv.addKeyword({ keyword });
    entry = { validate: ajv.compile(root), root };
    compiled.set(mode, entry);
  }
  return entry;
}

/** Validates the parsed document; returns no diagnostics when it is valid or could not be parsed. */
export function validateAgainstSchema(source: SourceFile, options: SchemaValidationOptions = {}): Diagnostic[] {
  if (source.data === undefined) return [];
  const strict = options.strict === true;
  const { validate, root } = getValidator(strict);
  if (validate(source.data)) return [];
  const errors = collapseUnions(tidy((validate.errors ?? []) as AjvError[]));
  const context: Context = { source, root, strict };
  const diagnostics = errors.map((error) => toDiagnostic(error, context)).filter((d): d is Diagnostic => d !== undefined);
  return sortDiagnostics(suppress(dedupe(diagnostics)));
}

// ---------------------------------------------------------------------------
// Error shaping

/** Drops Ajv bookkeeping errors that never describe a problem on their own. */
function tidy(errors: AjvError[]): AjvError[] {
  const requiredAt = new Set(errors.filter((e) => e.keyword === 'required').map((e) => `${e.instancePath}|${String(e.params.missingProperty)}`));
  return errors.filter((error) => {
    if (error.keyword === 'if') return false;
    if (error.keyword === 'discriminator' && error.params.error === 'tag') {
      return !requiredAt.has(`${error.instancePath}|${String(error.params.tag)}`);
    }
    return true;
  });
}

/**
 * Replaces each failed `anyOf`/`oneOf` and its branch errors by the errors of the
 * best branch, or by one merged error when every branch failed the same simple way.
 * Branch errors are recognised by schema path (union branches never use `$ref`)
 * and instance path, and always precede the union error in Ajv's list.
 */
function collapseUnions(input: AjvError[]): AjvError[] {
  const list = input.slice();
  for (let k = 0; k < list.length; k++) {
    const union = list[k]!;
    if (union.keyword !== 'anyOf' && union.keyword !== 'oneOf') continue;
    const prefix = `${union.schemaPath}/`;
    const memberIndexes: number[] = [];
    for (let j = 0; j < k; j++) {
      const candidate = list[j]!;
      if (candidate.schemaPath.startsWith(prefix) && isUnderPointer(candidate.instancePath, union.instancePath)) memberIndexes.push(j);
    }
    const branches = new Map<number, AjvError[]>();
    for (const j of memberIndexes) {
      const member = list[j]!;
      const branch = Number(member.schemaPath.slice(prefix.length).split('/')[0]);
      const bucket = branches.get(branch) ?? [];
      bucket.push(member);
      branches.set(branch, bucket);
    }
    const replacement = resolveUnion(union, branches);
    const members = new Set(memberIndexes);
    const before = list.slice(0, k).filter((_, j) => !members.has(j));
    list.splice(0, k + 1, ...before, ...replacement);
    k = before.length + replacement.length - 1;
  }
  return list;
}

function resolveUnion(union: AjvError, branches: Map<number, AjvError[]>): AjvError[] {
  if (branches.size === 0) return [union];
  const message = xMessage(union.parentSchema);
  const all = [...branches.values()];
  const simple = all.every((b) => b.length === 1 && b[0]!.instancePath === union.instancePath);
  const keyword = all[0]![0]!.keyword;
  const sameKeyword = simple && all.every((b) => b[0]!.keyword === keyword || (isEnumLike(keyword) && isEnumLike(b[0]!.keyword)));
  if (message !== undefined && (simple || all.every((b) => b.every((e) => e.instancePath === union.instancePath)))) {
    const missing = all.flatMap((b) => b.filter((e) => e.keyword === 'required').map((e) => String(e.params.missingProperty)));
    return [{ ...union, keyword: 'x-message', params: { ...union.params, message, missing } }];
  }
  if (sameKeyword) {
    const first = all[0]![0]!;
    if (keyword === 'required') {
      return [{ ...union, keyword: 'requiredOneOf', params: { ...union.params, missing: all.map((b) => String(b[0]!.params.missingProperty)) } }];
    }
    if (isEnumLike(keyword)) {
      const allowed = all.flatMap((b) => allowedValues(b[0]!));
      return [{ ...first, keyword: 'enum', params: { allowedValues: [...new Set(allowed)] } }];
    }
    if (keyword === 'type') {
      const types = all.flatMap((b) => String(b[0]!.params.type).split(','));
      return [{ ...first, params: { type: [...new Set(types)].join(',') } }];
    }
    return [first];
  }
  // Best branch: fewest errors, then the one that got deepest into the document, then the first.
  let best: AjvError[] | undefined;
  let bestScore: [number, number] = [Infinity, -1];
  for (const branch of [...branches.keys()].sort((a, b) => a - b).map((i) => branches.get(i)!)) {
    const depth = Math.max(...branch.map((e) => e.instancePath.split('/').length));
    if (branch.length < bestScore[0] || (branch.length === bestScore[0] && depth > bestScore[1])) {
      best = branch;
      bestScore = [branch.length, depth];
    }
  }
  return best ?? [union];
}

function isEnumLike(keyword: string): boolean {
  return keyword === 'enum' || keyword === 'const';
}

function allowedValues(error: AjvError): unknown[] {
  if (error.keyword === 'const') return [error.params.allowedValue];
  const values = error.params.allowedValues;
  return Array.isArray(values) ? values : [];
}

// ---------------------------------------------------------------------------
// Diagnostics

interface Context {
  source: SourceFile;
  root: JsonObject;
  strict: boolean;
}

function toDiagnostic(error: AjvError, ctx: Context): Diagnostic | undefined {
  const pointer = error.instancePath;
  const owner = describeNode(pointer, ctx.source.data);
  const { key } = splitPointer(pointer);
  const subject = key === undefined ? owner : describeKey(pointer, ctx.source.data);
  const make = (code: string, message: string, at: string, options: { key?: boolean; hint?: string } = {}): Diagnostic => {
    const d: Diagnostic = {
      code,
      severity: 'error',
      message,
      file: ctx.source.path,
      pointer: at,
      position: ctx.source.positionOf(at, { key: options.key === true }) ?? fallbackPosition(ctx, at),
    };
    if (options.hint !== undefined) d.hint = options.hint;
    return d;
  };
  const parent = isObject(error.parentSchema) ? error.parentSchema : {};
  const propertyName = typeof error.params.propertyName === 'string' ? error.params.propertyName : undefined;
  const message = xMessage(parent);

  if (propertyName !== undefined) {
    // propertyNames: the key itself is wrong.
    const at = `${pointer}/${escapePointer(propertyName)}`;
    return make('schema-pattern', `key \`${propertyName}\` in ${owner} ${message ?? 'is not an allowed name'}`, at, { key: true });
  }

  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(error.params.additionalProperty);
      const at = `${pointer}/${escapePointer(extra)}`;
      const allowed = Object.keys(isObject(parent.properties) ? parent.properties : {}).filter((k) => !isUnsupportedProperty(parent, k));
      const removed = Array.isArray(parent['x-dialect-removed']) ? (parent['x-dialect-removed'] as string[]) : [];
      if (ctx.strict && removed.includes(extra)) {
        return make('schema-dialect', `\`${extra}\` on ${owner} is an APIs.io dialect extension, not allowed in strict alpha2`, at, {
          key: true,
          hint: 'remove it, or validate without --strict to accept the APIs.io dialect',
        });
      }
      const suggestion = closest(extra, allowed);
      return make('schema-unknown-key', `unknown key \`${extra}\` in ${owner}`, at, {
        key: true,
        hint: suggestion !== undefined ? `did you mean \`${suggestion}\`?` : `allowed keys: ${allowed.map((k) => `\`${k}\``).join(', ')}`,
      });
    }
    case 'required': {
      const missing = String(error.params.missingProperty);
      if (message !== undefined) return make('schema-missing-key', `${capitalize(owner)} ${message}`, pointer);
      return make('schema-missing-key', `${capitalize(owner)} is missing required key \`${missing}\``, pointer, {
        hint: `add \`${missing}:\` to ${owner}`,
      });
    }
    case 'requiredOneOf': {
      const missing = (error.params.missing as string[]).map((k) => `\`${k}\``);
      return make('schema-missing-key', `${capitalize(owner)} needs one of ${missing.join(', ')}`, pointer);
    }
    case 'x-message': {
      const missing = Array.isArray(error.params.missing) ? (error.params.missing as string[]) : [];
      const code = missing.length > 0 ? 'schema-missing-key' : 'schema-invalid';
      if (key !== undefined && !isObject(error.data)) {
        return make('schema-pattern', `${subject} ${valueText(error.data)} ${String(error.params.message)}`, pointer);
      }
      return make(code, `${capitalize(owner)} ${String(error.params.message)}`, pointer);
    }
    case 'not': {
      const unsupported = parent['x-unsupported'];
      if (typeof unsupported === 'string' && key !== undefined) {
        return make('schema-unsupported', `${unsupported} is not supported`, pointer, {
          key: true,
          hint: typeof parent.description === 'string' ? parent.description : undefined,
        });
      }
      const forbidden = notRequiredKey(error.schema);
      const at = forbidden !== undefined ? `${pointer}/${escapePointer(forbidden)}` : pointer;
      return make('schema-conflict', `${capitalize(owner)} ${message ?? 'has a combination of keys that is not allowed'}`, at, { key: forbidden !== undefined });
    }
    case 'discriminator': {
      const tag = String(error.params.tag);
      const what = typeof parent['x-unsupported'] === 'string' ? parent['x-unsupported'] : `\`${tag}\``;
      const known = discriminatorValues(parent, ctx.root);
      if (error.params.error === 'mapping') {
        const value = error.params.tagValue;
        const at = `${pointer}/${escapePointer(tag)}`;
        const suggestion = typeof value === 'string' ? closest(value, known) : undefined;
        let hint = `supported: ${known.map((v) => `\`${v}\``).join(', ')}`;
        if (suggestion !== undefined) hint = `did you mean \`${suggestion}\`? (${hint})`;
        if (what === 'authentication type' && value === 'none') hint = 'omit `authentication` for an API that needs no credentials';
        return make('schema-unsupported', `${what} ${valueText(value)} is not supported`, at, { hint });
      }
      return make('schema-missing-key', `${capitalize(owner)} is missing \`${tag}\``, pointer, {
        hint: `set \`${tag}\` to one of ${known.map((v) => `\`${v}\``).join(', ')}`,
      });
    }
    case 'type': {
      const expected = String(error.params.type).split(',');
      return make('schema-type', `${subject} must be ${listOr(expected.map(article))}, not ${typeName(error.data)}`, pointer);
    }
    case 'enum':
    case 'const': {
      const allowed = allowedValues(error);
      const value = error.data;
      if (typeof parent['x-unsupported'] === 'string') {
        return make('schema-unsupported', `${parent['x-unsupported']} ${valueText(value)} is not supported`, pointer, {
          hint: `supported: ${allowed.map((v) => `\`${String(v)}\``).join(', ')}`,
        });
      }
      const suggestion = typeof value === 'string' ? closest(value, allowed.filter((v): v is string => typeof v === 'string')) : undefined;
      const list = allowed.map((v) => `\`${String(v)}\``).join(', ');
      const text = allowed.length === 1 ? `${subject} must be ${list}, not ${valueText(value)}` : `${subject} is ${valueText(value)}; expected one of ${list}`;
      return make('schema-enum', text, pointer, { hint: suggestion !== undefined ? `did you mean \`${suggestion}\`?` : `allowed: ${list}` });
    }
    case 'pattern':
    case 'format': {
      const rule = message ?? (error.keyword === 'format' ? `must be a valid ${String(error.params.format)}` : `must match \`${String(error.params.pattern)}\``);
      return make(error.keyword === 'format' ? 'schema-format' : 'schema-pattern', `${subject} ${valueText(error.data)} ${rule}`, pointer);
    }
    case 'minItems':
      return make('schema-range', `${subject} must list at least ${String(error.params.limit)} ${plural(Number(error.params.limit), 'entry', 'entries')}`, pointer);
    case 'minProperties':
      return make('schema-range', `${subject} must have at least ${String(error.params.limit)} ${plural(Number(error.params.limit), 'entry', 'entries')}`, pointer);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return make('schema-range', `${subject} must be ${String(error.params.comparison)} ${String(error.params.limit)}, not ${valueText(error.data)}`, pointer);
    case 'minLength':
    case 'maxLength':
      return make(
        'schema-range',
        `${subject} must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(error.params.limit)} characters long`,
        pointer,
      );
    case 'oneOf':
      return make('schema-invalid', `${capitalize(owner)} matches more than one allowed shape`, pointer);
    default:
      return make('schema-invalid', `${subject} ${error.message ?? 'is invalid'}`, pointer);
  }
}

/** When an unsupported construct is reported, drop the structural complaints it causes in the same object. */
function suppress(list: Diagnostic[]): Diagnostic[] {
  const unsupportedParents = new Set(list.filter((d) => d.code === 'schema-unsupported').map((d) => splitPointer(d.pointer).parentPointer));
  return list.filter((d) => {
    if (d.code === 'schema-unsupported') return true;
    if (unsupportedParents.has(d.pointer) && (d.code === 'schema-missing-key' || d.code === 'schema-invalid')) return false;
    return true;
  });
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const id = `${d.code}|${d.pointer}|${d.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const pa = a.d.position ?? { line: 0, column: 0 };
      const pb = b.d.position ?? { line: 0, column: 0 };
      return pa.line - pb.line || pa.column - pb.column || a.i - b.i;
    })
    .map(({ d }) => d);
}

function fallbackPosition(ctx: Context, pointer: string): SourcePosition {
  return ctx.source.positionOf(splitPointer(pointer).parentPointer) ?? { line: 1, column: 1 };
}

// ---------------------------------------------------------------------------
// Naming things in messages

const CONTAINER_NAMES: Record<string, string> = {
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
  items: 'item',
};

const EXPOSES_NAMES: Record<string, string> = { rest: 'REST adapter', mcp: 'MCP adapter', skill: 'skill adapter', control: 'control adapter' };

/** "MCP tool `get-x`", "REST adapter `lean-rest`", "the document"... */
function describeNode(pointer: string, data: unknown): string {
  if (pointer === '') return 'the document';
  const segments = pointer.slice(1).split('/').map(unescape);
  const node = valueAt(data, segments);
  const last = segments[segments.length - 1]!;
  const isIndex = /^\d+$/.test(last);
  let kind: string;
  if (isIndex) {
    const container = segments[segments.length - 2] ?? '';
    if (container === 'exposes') kind = EXPOSES_NAMES[String((node as JsonObject | undefined)?.type)] ?? 'exposes entry';
    else if (container === 'operations') kind = segments.includes('consumes') ? 'consumed operation' : 'REST operation';
    else if (container === 'resources') kind = segments.includes('consumes') ? 'consumed resource' : segments.includes('tools') || mcpResource(data, segments) ? 'MCP resource' : 'REST resource';
    else if (container === 'tools' && segments.includes('skills')) kind = 'skill tool';
    else if (container === 'outputParameters' && segments[segments.length - 4] === 'steps') kind = 'lookup output';
    else kind = CONTAINER_NAMES[container] ?? `entry ${last} of \`${container}\``;
  } else if (segments[segments.length - 2] === 'properties') {
    kind = `output property \`${last}\``;
    return kind;
  } else {
    kind = NAMED_OBJECTS[last] ?? `\`${last}\``;
  }
  const label = isObject(node) ? (node.name ?? node.namespace ?? node.targetName) : undefined;
  return typeof label === 'string' && label !== '' ? `${kind} \`${label}\`` : kind;
}

const NAMED_OBJECTS: Record<string, string> = {
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
};

/** "`port` of REST adapter `x`" for a value at /.../port. */
function describeKey(pointer: string, data: unknown): string {
  const { key, parentPointer } = splitPointer(pointer);
  if (key === undefined) return describeNode(pointer, data);
  if (/^\d+$/.test(key)) return capitalize(describeNode(pointer, data));
  return `\`${key}\` of ${describeNode(parentPointer, data)}`;
}

function mcpResource(data: unknown, segments: string[]): boolean {
  const i = segments.indexOf('exposes');
  if (i < 0) return false;
  const adapter = valueAt(data, segments.slice(0, i + 2));
  return isObject(adapter) && adapter.type === 'mcp';
}

function discriminatorValues(schema: JsonObject, root: JsonObject): string[] {
  const out: string[] = [];
  const branches = Array.isArray(schema.oneOf) ? schema.oneOf : [];
  const tag = isObject(schema.discriminator) ? String(schema.discriminator.propertyName) : 'type';
  for (const branch of branches) {
    const resolved = resolveRef(branch, root);
    const props = isObject(resolved) && isObject(resolved.properties) ? resolved.properties : {};
    const tagSchema = props[tag];
    if (!isObject(tagSchema)) continue;
    if (tagSchema.const !== undefined) out.push(String(tagSchema.const));
    if (Array.isArray(tagSchema.enum)) out.push(...tagSchema.enum.map(String));
    if (Array.isArray(tagSchema.anyOf)) {
      for (const alt of tagSchema.anyOf) {
        if (!isObject(alt)) continue;
        if (alt.const !== undefined) out.push(String(alt.const));
        if (Array.isArray(alt.enum)) out.push(...alt.enum.map(String));
      }
    }
  }
  return out;
}

function resolveRef(node: unknown, root: JsonObject): unknown {
  if (!isObject(node) || typeof node.$ref !== 'string' || !node.$ref.startsWith('#/')) return node;
  return node.$ref
    .slice(2)
    .split('/')
    .map(unescape)
    .reduce<unknown>((acc, segment) => (isObject(acc) ? acc[segment] : undefined), root);
}

function isUnsupportedProperty(schema: JsonObject, key: string): boolean {
  const props = isObject(schema.properties) ? schema.properties : {};
  const sub = props[key];
  return isObject(sub) && typeof sub['x-unsupported'] === 'string';
}

function notRequiredKey(schema: unknown): string | undefined {
  if (isObject(schema) && Array.isArray(schema.required) && schema.required.length === 1) return String(schema.required[0]);
  return undefined;
}

// ---------------------------------------------------------------------------
// Small helpers

function xMessage(schema: unknown): string | undefined {
  return isObject(schema) && typeof schema['x-message'] === 'string' ? schema['x-message'] : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDialect(value: unknown): boolean {
  return isObject(value) && value['x-dialect'] === DIALECT;
}

function isUnderPointer(pointer: string, parent: string): boolean {
  return pointer === parent || pointer.startsWith(`${parent}/`);
}

function splitPointer(pointer: string): { key: string | undefined; parentPointer: string } {
  if (pointer === '') return { key: undefined, parentPointer: '' };
  const i = pointer.lastIndexOf('/');
  return { key: unescape(pointer.slice(i + 1)), parentPointer: pointer.slice(0, i) };
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function valueAt(data: unknown, segments: string[]): unknown {
  let node = data;
  for (const segment of segments) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(truncate(value))}`;
  return `${typeof value} ${String(value)}`;
}

function article(type: string): string {
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

function valueText(value: unknown): string {
  if (typeof value === 'string') return `\`${truncate(value)}\``;
  if (value === null || typeof value !== 'object') return `\`${String(value)}\``;
  return Array.isArray(value) ? 'a list' : 'a mapping';
}

function truncate(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function listOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Nearest candidate by edit distance (case-insensitive), or a candidate the word is a prefix of. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c === lower) return candidate;
    const d = editDistance(lower, c);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  if (best !== undefined && bestDistance <= limit) return best;
  if (lower.length >= 4) {
    const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0];
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
