/**
 * JSON Schema stage: validates a parsed capability file against
 * `schemas/naftiko.schema.json` and turns Ajv's raw errors into a short list of
 * plain-words diagnostics — one per real problem, pointing at the right key.
 *
 * One schema file serves two modes:
 * - default: Naftiko 1.0.0-alpha2 plus two named extensions. Every extension-only
 *   property, union branch or relaxed rule carries an `x-dialect` annotation:
 *   `"apis-io"` for the habits of APIs.io-generated files (`description` on REST
 *   adapters, `type`/`required`/`description` on consumed inputs, object outputs
 *   passed through with `mapping`, `HEAD`, …), `"runtime"` for features the
 *   reference engine reads although the alpha2 schema omits them (`call` as an
 *   object, JSON Schema keywords on tool inputs, adapter-level REST inputs).
 * - strict (`--strict`, pure alpha2): `stripDialect` deletes every property and
 *   every `anyOf`/`oneOf`/`allOf` branch carrying `x-dialect` before compiling.
 *
 * Annotation keywords used by the schema (registered with Ajv, no validation):
 * - `x-dialect: "apis-io" | "runtime"` — an accepted extension (see above);
 * - `x-unsupported: "<what>"` — a recognised but unsupported construct: on a
 *   property (`capability.orchestration`) or on a `type`-discriminated union
 *   (authentication, exposes, consumes, bodies, steps, outputs), so an unknown
 *   `type` yields one plain error instead of a wall of `oneOf` failures;
 * - `x-message` / `x-message-strict` — wording for the union, `required`, `not`
 *   and `pattern` errors raised by that node (strict mode swaps in the second);
 * - `x-supersedes: [keys]` — when this node's error fires, errors below those
 *   child keys are consequences and are dropped;
 * - `x-dialect-removed: {key: dialect}` — written by `stripDialect`, so strict
 *   mode can say "APIs.io dialect key" rather than "unknown key".
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Ajv2020Module from 'ajv/dist/2020.js';
import type addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from './diagnostics.js';
import { escapePointer, type SourceFile } from './source.js';
import {
  capitalize,
  code,
  describeNode,
  describeValue,
  isObject,
  kindOf,
  listOr,
  pluralKind,
  segmentsOf,
  splitPointer,
  typeName,
  typeWords,
  unescapeSegment,
  valueAt,
  valueText,
} from './schema/describe.js';
import { closest, MISPLACED_KEY_ADVICE, UNSUPPORTED_ADVICE } from './schema/suggest.js';

export interface SchemaValidationOptions {
  /** Pure alpha2: APIs.io dialect extensions are reported as errors. */
  strict?: boolean;
}

type JsonObject = Record<string, unknown>;
type AjvError = ErrorObject<string, Record<string, unknown>, unknown>;

/** Values of `x-dialect` in the schema, and how strict mode names them. */
export const DIALECTS: Record<string, string> = {
  'apis-io': 'an APIs.io dialect extension',
  runtime: 'a capability-runtime extension (read by the reference engine, absent from the alpha2 schema)',
};
const ANNOTATIONS = ['x-dialect', 'x-dialect-removed', 'x-unsupported', 'x-message', 'x-message-strict', 'x-supersedes'] as const;
const SCHEMA_URL = new URL('../../schemas/naftiko.schema.json', import.meta.url);

// Ajv itself is needed only to compile (tests from source, the build's precompile):
// a built runtime loads the precompiled validators and never pays for loading it.
const requireCjs = createRequire(import.meta.url);
type Ajv2020Class = typeof Ajv2020Module.default;
const loadAjv = (): { Ajv2020: Ajv2020Class; addFormats: typeof addFormatsModule.default } => ({
  Ajv2020: (requireCjs('ajv/dist/2020.js') as { default: Ajv2020Class }).default,
  addFormats: (requireCjs('ajv-formats') as { default: typeof addFormatsModule.default }).default,
});

let rawSchema: JsonObject | undefined;
const compiled = new Map<'default' | 'strict', { validate: ValidateFunction; root: JsonObject }>();

/** The schema file as written (default mode: alpha2 plus the APIs.io dialect). */
export function loadSchema(): JsonObject {
  rawSchema ??= JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as JsonObject;
  return rawSchema;
}

/** Strict alpha2: a copy of the schema without anything annotated `x-dialect`. */
export function stripDialect<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item) => stripDialect(item)) as T;
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && isObject(value)) {
      const kept: JsonObject = {};
      const removed: Record<string, string> = {};
      for (const [name, sub] of Object.entries(value)) {
        if (isDialect(sub)) removed[name] = String(sub['x-dialect']);
        else kept[name] = stripDialect(sub);
      }
      out.properties = kept;
      if (Object.keys(removed).length > 0) out['x-dialect-removed'] = removed;
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      out[key] = value.filter((branch) => !isDialect(branch)).map((branch) => stripDialect(branch));
    } else {
      out[key] = stripDialect(value);
    }
  }
  if (typeof out['x-message-strict'] === 'string') out['x-message'] = out['x-message-strict'];
  return out as T;
}

/** Ajv options shared by the runtime compile and the build-time precompile (they must agree). */
export function createSchemaAjv(extra: Record<string, unknown> = {}): InstanceType<Ajv2020Class> {
  const { Ajv2020, addFormats } = loadAjv();
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    discriminator: true,
    allowUnionTypes: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    ...extra,
  });
  addFormats(ajv);
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword });
  return ajv;
}

/** The schema a mode validates against. */
export function schemaFor(strict: boolean): JsonObject {
  return strict ? stripDialect(loadSchema()) : loadSchema();
}

/** Fingerprint of the schema file: a precompiled validator is used only when it was built from this exact text. */
export function schemaFingerprint(): string {
  return createHash('sha256').update(readFileSync(SCHEMA_URL)).digest('hex');
}

/**
 * Compiling the schema costs ~0.5 s, most of a cold start; `npm run build`
 * precompiles both modes to standalone code (scripts/precompile-schema.mjs),
 * which loads in ~15 ms. Without it (tests from source) we compile at first use.
 */
function loadPrecompiled(mode: 'default' | 'strict'): ValidateFunction | undefined {
  try {
    const file = fileURLToPath(new URL(`./schema-validators/${mode}.cjs`, import.meta.url));
    if (!existsSync(file)) return undefined;
    const require = createRequire(import.meta.url);
    const module = require(file) as { default?: ValidateFunction; fingerprint?: string } & ValidateFunction;
    const validate = module.default ?? module;
    return (module as { fingerprint?: string }).fingerprint === schemaFingerprint() ? validate : undefined;
  } catch {
    return undefined;
  }
}

function getValidator(strict: boolean): { validate: ValidateFunction; root: JsonObject } {
  const mode = strict ? 'strict' : 'default';
  let entry = compiled.get(mode);
  if (!entry) {
    const root = schemaFor(strict);
    entry = { validate: loadPrecompiled(mode) ?? createSchemaAjv().compile(root), root };
    compiled.set(mode, entry);
  }
  return entry;
}

/** Validates the parsed document (no diagnostics when it is valid or could not be parsed). */
export function validateAgainstSchema(source: SourceFile, options: SchemaValidationOptions = {}): Diagnostic[] {
  if (source.data === undefined) return [];
  const strict = options.strict === true;
  let items = rawItems(source, strict);
  if (items.length === 0) return [];
  const ctx: Context = { source, root: getValidator(strict).root, strict };
  items = applySupersedes(items);
  items = mergeSuggestedRenames(items);
  items = mergeUnknownKeys(items, ctx);
  items = mergeMissingKeys(items, ctx);
  items = dropCausedByUnsupported(items);
  items = groupSiblings(items, ctx);
  const diagnostics = sortDiagnostics(dedupe(items.map((item) => item.d)));
  return strict ? labelDialectOnly(diagnostics, source) : diagnostics;
}

/** One item per (collapsed) Ajv error, before any merging. */
function rawItems(source: SourceFile, strict: boolean): Item[] {
  const { validate, root } = getValidator(strict);
  if (validate(source.data)) return [];
  const errors = collapseUnions(tidy((validate.errors ?? []) as AjvError[]));
  const ctx: Context = { source, root, strict };
  return errors.map((error) => toItem(error, ctx)).filter((item): item is Item => item !== undefined);
}

/**
 * Strict mode: a problem the default schema does not have (no default-mode error at
 * or below its pointer) exists only because an extension was removed — say so.
 */
function labelDialectOnly(diagnostics: Diagnostic[], source: SourceFile): Diagnostic[] {
  const lenient = rawItems(source, false).map((item) => item.d.pointer);
  return diagnostics.map((d) => {
    if (d.code === 'schema-dialect' || lenient.some((p) => isUnder(p, d.pointer))) return d;
    return { ...d, code: 'schema-dialect', hint: 'accepted as an extension (APIs.io dialect or capability-runtime) when validating without --strict' };
  });
}

// ---------------------------------------------------------------------------
// Raw Ajv errors

/** Drops Ajv bookkeeping errors that never describe a problem on their own. */
function tidy(errors: AjvError[]): AjvError[] {
  const requiredAt = new Set(errors.filter((e) => e.keyword === 'required').map((e) => `${e.instancePath}|${String(e.params.missingProperty)}`));
  return errors.filter((error) => {
    if (error.keyword === 'if' || error.keyword === 'propertyNames') return false;
    if (error.keyword === 'discriminator' && error.params.error === 'tag') {
      return !requiredAt.has(`${error.instancePath}|${String(error.params.tag)}`);
    }
    return true;
  });
}

/**
 * Replaces each failed `anyOf`/`oneOf` and its branch errors by the errors of the
 * best branch, or by one merged error when every branch failed the same simple way.
 * Branch errors are found by schema path (the schema keeps `$ref` out of plain
 * union branches; typed unions use `discriminator`) and instance path, and always
 * precede the union error in Ajv's list.
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
      if (candidate.schemaPath.startsWith(prefix) && isUnder(candidate.instancePath, union.instancePath)) memberIndexes.push(j);
    }
    const branches = new Map<number, AjvError[]>();
    for (const j of memberIndexes) {
      const member = list[j]!;
      const branch = Number(member.schemaPath.slice(prefix.length).split('/')[0]);
      branches.set(branch, [...(branches.get(branch) ?? []), member]);
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
  const all = [...branches.values()];
  const message = xMessage(union.parentSchema);
  const atUnion = all.every((b) => b.every((e) => e.instancePath === union.instancePath));
  if (message !== undefined && atUnion) {
    const missing = all.flatMap((b) => b.filter((e) => e.keyword === 'required').map((e) => String(e.params.missingProperty)));
    return [{ ...union, keyword: 'x-message', params: { ...union.params, message, missing } }];
  }
  const simple = atUnion && all.every((b) => b.length === 1);
  const first = all[0]![0]!;
  const same = simple && all.every((b) => b[0]!.keyword === first.keyword || (isEnumLike(first.keyword) && isEnumLike(b[0]!.keyword)));
  if (same) {
    if (first.keyword === 'required') {
      if (all.length === 1) return [first];
      return [{ ...union, keyword: 'requiredOneOf', params: { ...union.params, missing: all.map((b) => String(b[0]!.params.missingProperty)) } }];
    }
    if (isEnumLike(first.keyword)) {
      return [{ ...first, keyword: 'enum', params: { allowedValues: [...new Set(all.flatMap((b) => allowedValues(b[0]!)))] } }];
    }
    if (first.keyword === 'type') {
      return [{ ...first, params: { type: [...new Set(all.flatMap((b) => String(b[0]!.params.type).split(',')))].join(',') } }];
    }
    return [first];
  }
  // Best branch: fewest errors, then the one that got deepest into the document, then the first.
  let best: AjvError[] = [union];
  let bestCount = Infinity;
  let bestDepth = -1;
  for (const index of [...branches.keys()].sort((a, b) => a - b)) {
    const branch = branches.get(index)!;
    const depth = Math.max(...branch.map((e) => e.instancePath.split('/').length));
    if (branch.length < bestCount || (branch.length === bestCount && depth > bestDepth)) {
      best = branch;
      bestCount = branch.length;
      bestDepth = depth;
    }
  }
  return best;
}

function isEnumLike(keyword: string): boolean {
  return keyword === 'enum' || keyword === 'const';
}

function allowedValues(error: AjvError): unknown[] {
  if (error.keyword === 'const') return [error.params.allowedValue];
  return Array.isArray(error.params.allowedValues) ? error.params.allowedValues : [];
}

// ---------------------------------------------------------------------------
// Errors → items (a diagnostic plus what later merging steps need to know)

interface Context {
  source: SourceFile;
  root: JsonObject;
  strict: boolean;
}

interface Item {
  d: Diagnostic;
  /** Pointer of the object the problem belongs to. */
  object: string;
  /** Keys this problem is about (missing keys, unknown keys, keys an x-message names). */
  keys: string[];
  kind?: 'missing' | 'unknown';
  /** For one unknown key: the key it most likely should be. */
  suggestion?: string;
  /** Child keys of `object` whose diagnostics this one replaces. */
  supersedes?: string[];
  /** Predicate used when several sibling list entries share the problem ("is missing required key `in`"). */
  predicate?: string;
  /** A plain `required` failure (mergeable with others on the same object). */
  plainRequired?: boolean;
}

function toItem(error: AjvError, ctx: Context): Item | undefined {
  const data = ctx.source.data;
  const pointer = error.instancePath;
  const owner = describeNode(pointer, data);
  const subject = describeValue(pointer, data);
  const parent = isObject(error.parentSchema) ? error.parentSchema : {};
  const message = xMessage(parent);
  const make = (codeName: string, text: string, at: string, extra: Partial<Item> & { key?: boolean; hint?: string | undefined } = {}): Item => {
    const { key, hint, ...rest } = extra;
    const d: Diagnostic = {
      code: codeName,
      severity: 'error',
      message: text,
      file: ctx.source.path,
      pointer: at,
      position: ctx.source.positionOf(at, { key: key === true }) ?? ctx.source.positionOf(splitPointer(at).parentPointer) ?? { line: 1, column: 1 },
    };
    if (hint !== undefined) d.hint = hint;
    return { d, object: pointer, keys: [], ...rest };
  };

  // Errors raised while checking `propertyNames` carry the offending key.
  const propertyName = (error as { propertyName?: unknown }).propertyName;
  if (typeof propertyName === 'string') {
    return make('schema-pattern', `key \`${propertyName}\` in ${owner} ${message ?? 'is not an allowed name'}`, `${pointer}/${escapePointer(propertyName)}`, { key: true });
  }

  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(error.params.additionalProperty);
      const at = `${pointer}/${escapePointer(extra)}`;
      const allowed = Object.keys(isObject(parent.properties) ? parent.properties : {}).filter((k) => !isUnsupportedProperty(parent, k));
      const removed = isObject(parent['x-dialect-removed']) ? parent['x-dialect-removed'] : {};
      const dialect = removed[extra];
      if (ctx.strict && typeof dialect === 'string') {
        return make('schema-dialect', `\`${extra}\` on ${owner} is ${DIALECTS[dialect] ?? `a \`${dialect}\` extension`}, not allowed in strict alpha2`, at, {
          key: true,
          hint: 'remove it, or validate without --strict to accept the extension',
        });
      }
      const suggestion = closest(extra, allowed);
      const advice = MISPLACED_KEY_ADVICE[kindOf(pointer, data)]?.[extra];
      const hint = advice ?? (suggestion !== undefined ? `did you mean \`${suggestion}\`?` : `allowed keys: ${code(allowed)}`);
      const suggested = suggestion !== undefined && advice === undefined;
      return make('schema-unknown-key', `unknown key \`${extra}\` in ${owner}`, at, {
        key: true,
        hint,
        kind: 'unknown',
        keys: [extra],
        predicate: suggested ? `has unknown key \`${extra}\` (did you mean \`${suggestion}\`?)` : `has unknown key \`${extra}\``,
        ...(suggested ? { suggestion } : {}),
      });
    }
    case 'required': {
      const missing = String(error.params.missingProperty);
      if (message !== undefined) return make('schema-missing-key', `${capitalize(owner)} ${message}`, pointer, { kind: 'missing', keys: [missing], predicate: message });
      const property = isObject(parent.properties) ? parent.properties[missing] : undefined;
      const choices = isObject(property) && Array.isArray(property.enum) ? ` (one of ${code(property.enum)})` : '';
      const predicate = `is missing required key \`${missing}\``;
      return make('schema-missing-key', `${capitalize(owner)} ${predicate}`, pointer, {
        hint: `add \`${missing}:\`${choices}`,
        kind: 'missing',
        keys: [missing],
        predicate,
        plainRequired: true,
      });
    }
    case 'requiredOneOf': {
      const missing = (error.params.missing as string[]) ?? [];
      const predicate = `needs one of ${code(missing)}`;
      return make('schema-missing-key', `${capitalize(owner)} ${predicate}`, pointer, { kind: 'missing', keys: missing, predicate });
    }
    case 'x-message': {
      const text = String(error.params.message);
      const missing = Array.isArray(error.params.missing) ? (error.params.missing as string[]) : [];
      if (!isObject(error.data) && splitPointer(pointer).key !== undefined) {
        return make('schema-pattern', `${subject} ${text} (found ${valueText(error.data)})`, pointer);
      }
      return make(missing.length > 0 ? 'schema-missing-key' : 'schema-invalid', `${capitalize(owner)} ${text}`, pointer, {
        kind: missing.length > 0 ? 'missing' : undefined,
        keys: missing,
        predicate: text,
      });
    }
    case 'not': {
      const unsupported = parent['x-unsupported'];
      if (typeof unsupported === 'string' && splitPointer(pointer).key !== undefined) {
        const hint = typeof parent.description === 'string' ? parent.description : undefined;
        return { ...make('schema-unsupported', `${unsupported} is not supported`, pointer, { key: true, hint }), object: splitPointer(pointer).parentPointer };
      }
      const supersedes = Array.isArray(parent['x-supersedes']) ? (parent['x-supersedes'] as string[]) : undefined;
      const forbidden = supersedes === undefined ? onlyRequiredKey(error.schema) : undefined;
      const at = forbidden !== undefined ? `${pointer}/${escapePointer(forbidden)}` : pointer;
      const text = message ?? 'combines keys that cannot be used together';
      return make('schema-conflict', `${capitalize(owner)} ${text}`, at, { key: forbidden !== undefined, supersedes, predicate: text });
    }
    case 'discriminator': {
      const tag = String(error.params.tag);
      const what = typeof parent['x-unsupported'] === 'string' ? parent['x-unsupported'] : `\`${tag}\``;
      const known = discriminatorValues(parent, ctx.root);
      if (error.params.error === 'mapping') {
        const value = error.params.tagValue;
        const advice = typeof value === 'string' ? UNSUPPORTED_ADVICE[what]?.[value] : undefined;
        const suggestion = typeof value === 'string' ? closest(value, known) : undefined;
        const supported = `supported: ${code(known)}`;
        const hint = advice ?? (suggestion !== undefined ? `did you mean \`${suggestion}\`? (${supported})` : supported);
        return make('schema-unsupported', `${what} ${valueText(value)} is not supported`, `${pointer}/${escapePointer(tag)}`, { hint, object: pointer });
      }
      return make('schema-missing-key', `${capitalize(owner)} is missing \`${tag}\``, pointer, { hint: `set \`${tag}\` to one of ${code(known)}`, kind: 'missing', keys: [tag] });
    }
    case 'type': {
      const expected = String(error.params.type).split(',').map(typeWords);
      return make('schema-type', `${subject} must be ${listOr(expected)}, not ${typeName(error.data)}`, pointer, { object: splitPointer(pointer).parentPointer });
    }
    case 'enum':
    case 'const': {
      const allowed = allowedValues(error);
      const value = error.data;
      const strings = allowed.filter((v): v is string => typeof v === 'string');
      const suggestion = typeof value === 'string' ? closest(value, strings) : undefined;
      const text =
        allowed.length === 1 ? `${subject} must be ${code(allowed)}, not ${valueText(value)}` : `${subject} is ${valueText(value)}; expected one of ${code(allowed)}`;
      return make('schema-enum', text, pointer, {
        // The message already lists the allowed values: the hint only adds a likely fix.
        hint: suggestion !== undefined ? `did you mean \`${suggestion}\`?` : undefined,
        object: splitPointer(pointer).parentPointer,
      });
    }
    case 'pattern':
    case 'format': {
      const rule = message ?? (error.keyword === 'format' ? `must be a valid ${String(error.params.format)}` : `must match \`${String(error.params.pattern)}\``);
      return make(error.keyword === 'format' ? 'schema-format' : 'schema-pattern', `${subject} ${rule} (found ${valueText(error.data)})`, pointer);
    }
    case 'minItems':
    case 'minProperties': {
      const limit = Number(error.params.limit);
      const verb = error.keyword === 'minItems' ? 'list' : 'have';
      return make('schema-range', `${subject} must ${verb} at least ${limit} ${limit === 1 ? 'entry' : 'entries'}`, pointer);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return make('schema-range', `${subject} must be ${String(error.params.comparison)} ${String(error.params.limit)}, not ${valueText(error.data)}`, pointer);
    case 'minLength':
    case 'maxLength':
      return make('schema-range', `${subject} must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(error.params.limit)} characters long`, pointer);
    case 'oneOf':
      return make('schema-invalid', `${capitalize(owner)} matches more than one allowed shape`, pointer);
    default:
      return make('schema-invalid', `${subject} ${error.message ?? 'is invalid'}`, pointer);
  }
}

// ---------------------------------------------------------------------------
// Merging: one diagnostic per real problem

/** Errors below `x-supersedes` keys are consequences of the superseding error. */
function applySupersedes(items: Item[]): Item[] {
  const roots = items.flatMap((item) => (item.supersedes ?? []).map((key) => `${item.object}/${escapePointer(key)}`));
  if (roots.length === 0) return items;
  return items.filter((item) => item.supersedes !== undefined || !roots.some((root) => isUnder(item.d.pointer, root)));
}

/** `id` where `name` is required: report the rename once, not "unknown `id`" plus "missing `name`". */
function mergeSuggestedRenames(items: Item[]): Item[] {
  const renames = items.filter((item) => item.kind === 'unknown' && item.suggestion !== undefined);
  if (renames.length === 0) return items;
  const covered = new Set<Item>();
  for (const rename of renames) {
    for (const other of items) {
      if (other.kind === 'missing' && other.object === rename.object && other.keys.includes(rename.suggestion!)) covered.add(other);
    }
  }
  return items.filter((item) => !covered.has(item));
}

/** Several unknown keys (without a close match) in one object become one diagnostic. */
function mergeUnknownKeys(items: Item[], ctx: Context): Item[] {
  const byObject = new Map<string, Item[]>();
  for (const item of items) {
    if (item.kind !== 'unknown' || item.suggestion !== undefined || item.d.code !== 'schema-unknown-key') continue;
    byObject.set(item.object, [...(byObject.get(item.object) ?? []), item]);
  }
  const drop = new Set<Item>();
  const out: Item[] = [];
  for (const item of items) {
    const group = item.kind === 'unknown' ? byObject.get(item.object) : undefined;
    if (group === undefined || group.length < 2 || !group.includes(item)) {
      out.push(item);
      continue;
    }
    if (drop.has(item)) continue;
    for (const member of group) drop.add(member);
    const keys = group.flatMap((member) => member.keys);
    const predicate = `has unknown keys ${code(keys)}`;
    out.push({
      ...item,
      keys,
      predicate,
      d: { ...item.d, message: `unknown keys ${code(keys)} in ${describeNode(item.object, ctx.source.data)}` },
    });
  }
  return out;
}

/** Several plain missing keys on one object become one diagnostic. */
function mergeMissingKeys(items: Item[], ctx: Context): Item[] {
  const byObject = new Map<string, Item[]>();
  for (const item of items) if (item.plainRequired === true) byObject.set(item.object, [...(byObject.get(item.object) ?? []), item]);
  const done = new Set<string>();
  const out: Item[] = [];
  for (const item of items) {
    const group = item.plainRequired === true ? byObject.get(item.object) : undefined;
    if (group === undefined || group.length < 2) {
      out.push(item);
      continue;
    }
    if (done.has(item.object)) continue;
    done.add(item.object);
    const keys = group.flatMap((member) => member.keys);
    const predicate = `is missing required keys ${code(keys)}`;
    const owner = capitalize(describeNode(item.object, ctx.source.data));
    out.push({ ...item, keys, predicate, d: { ...item.d, message: `${owner} ${predicate}`, hint: `add ${keys.map((k) => `\`${k}:\``).join(', ')}` } });
  }
  return out;
}

/** An unsupported construct explains the structural complaints about its own object. */
function dropCausedByUnsupported(items: Item[]): Item[] {
  const unsupported = items.filter((item) => item.d.code === 'schema-unsupported');
  if (unsupported.length === 0) return items;
  return items.filter((item) => {
    if (item.d.code === 'schema-unsupported') return true;
    return !unsupported.some(
      (u) => (item.object === u.object && (item.d.code === 'schema-missing-key' || item.d.code === 'schema-invalid')) || isUnder(item.d.pointer, u.d.pointer),
    );
  });
}

/** The same problem on several entries of one list (17 parameters missing `in`) becomes one diagnostic. */
function groupSiblings(items: Item[], ctx: Context): Item[] {
  const groups = new Map<string, Item[]>();
  const keyOf = (item: Item): string | undefined => {
    if (item.predicate === undefined || !/\/\d+$/.test(item.object)) return undefined;
    return `${splitPointer(item.object).parentPointer}|${item.d.code}|${item.predicate}`;
  };
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const emitted = new Set<string>();
  const out: Item[] = [];
  for (const item of items) {
    const key = keyOf(item);
    const group = key === undefined ? undefined : groups.get(key);
    if (key === undefined || group === undefined || group.length < 2) {
      out.push(item);
      continue;
    }
    if (emitted.has(key)) continue;
    emitted.add(key);
    const data = ctx.source.data;
    const list = splitPointer(item.object).parentPointer;
    const names = group.map((member) => entryName(member.object, data));
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ', …' : '');
    const kind = pluralKind(kindOf(item.object, data));
    const container = splitPointer(list).parentPointer;
    const where = list === '' ? '' : ` of ${describeNode(container, data)}`;
    out.push({
      ...item,
      d: { ...item.d, message: `${group.length} ${kind}${where} (${shown}) each ${item.predicate}` },
    });
  }
  return out;
}

function entryName(pointer: string, data: unknown): string {
  const segments = segmentsOf(pointer);
  const node = valueAt(data, segments);
  const label = isObject(node) ? (node.name ?? node.namespace ?? node.id ?? node.targetName) : undefined;
  return typeof label === 'string' && label !== '' ? `\`${label}\`` : `#${segments[segments.length - 1]}`;
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

// ---------------------------------------------------------------------------
// Schema helpers

/** The `type` values a discriminated union accepts (`const`/`enum` of each branch's tag). */
function discriminatorValues(schema: JsonObject, root: JsonObject): string[] {
  const tag = isObject(schema.discriminator) ? String(schema.discriminator.propertyName) : 'type';
  const out: string[] = [];
  for (const branch of Array.isArray(schema.oneOf) ? schema.oneOf : []) {
    const resolved = resolveRef(branch, root);
    const tagSchema = isObject(resolved) && isObject(resolved.properties) ? resolved.properties[tag] : undefined;
    if (!isObject(tagSchema)) continue;
    if (tagSchema.const !== undefined) out.push(String(tagSchema.const));
    if (Array.isArray(tagSchema.enum)) out.push(...tagSchema.enum.map(String));
  }
  return out;
}

function resolveRef(node: unknown, root: JsonObject): unknown {
  if (!isObject(node) || typeof node.$ref !== 'string' || !node.$ref.startsWith('#/')) return node;
  return node.$ref
    .slice(2)
    .split('/')
    .map(unescapeSegment)
    .reduce<unknown>((acc, segment) => (isObject(acc) ? acc[segment] : undefined), root);
}

function isUnsupportedProperty(schema: JsonObject, key: string): boolean {
  const sub = isObject(schema.properties) ? schema.properties[key] : undefined;
  return isObject(sub) && typeof sub['x-unsupported'] === 'string';
}

function onlyRequiredKey(schema: unknown): string | undefined {
  if (!isObject(schema) || Object.keys(schema).length !== 1) return undefined;
  return Array.isArray(schema.required) && schema.required.length === 1 ? String(schema.required[0]) : undefined;
}

function xMessage(schema: unknown): string | undefined {
  return isObject(schema) && typeof schema['x-message'] === 'string' ? schema['x-message'] : undefined;
}

function isDialect(value: unknown): value is JsonObject {
  return isObject(value) && typeof value['x-dialect'] === 'string';
}

function isUnder(pointer: string, parent: string): boolean {
  return pointer === parent || pointer.startsWith(`${parent}/`);
}
