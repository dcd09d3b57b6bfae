/**
 * Ajv's raw errors → a short list of plain-words diagnostics, one per real
 * problem, pointing at the right key: unions collapsed to their best branch,
 * consequences dropped (`x-supersedes`, unsupported constructs), siblings with
 * the same problem grouped, renames (`id` → `name`) reported once.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../diagnostics.js';
import { escapePointer, type SourceFile } from '../source.js';
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
} from './describe.js';
import { DIALECTS } from './load.js';
import { closest, MISPLACED_KEY_ADVICE, UNSUPPORTED_ADVICE } from './suggest.js';

type JsonObject = Record<string, unknown>;
export type AjvError = ErrorObject<string, Record<string, unknown>, unknown>;

/** The located diagnostics of one failed validation (Ajv's errors, copied: the validator reuses its list). */
export function humaniseSchemaErrors(errors: readonly AjvError[], ctx: SchemaContext): Diagnostic[] {
  let items = schemaItems(errors, ctx);
  if (items.length === 0) return [];
  items = applySupersedes(items);
  items = mergeSuggestedRenames(items);
  items = mergeUnknownKeys(items, ctx);
  items = mergeMissingKeys(items, ctx);
  items = dropCausedByUnsupported(items);
  items = groupSiblings(items, ctx);
  return sortDiagnostics(dedupe(items.map((item) => item.d)));
}

/** Pointers of the problems before merging (strict mode compares them with the default mode's). */
export function schemaErrorPointers(errors: readonly AjvError[], ctx: SchemaContext): string[] {
  return schemaItems(errors, ctx).map((item) => item.d.pointer);
}

function schemaItems(errors: readonly AjvError[], ctx: SchemaContext): Item[] {
  return collapseUnions(tidy([...errors])).map((error) => toItem(error, ctx)).filter((item): item is Item => item !== undefined);
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

export interface SchemaContext {
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

function toItem(error: AjvError, ctx: SchemaContext): Item | undefined {
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
function mergeUnknownKeys(items: Item[], ctx: SchemaContext): Item[] {
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
function mergeMissingKeys(items: Item[], ctx: SchemaContext): Item[] {
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
function groupSiblings(items: Item[], ctx: SchemaContext): Item[] {
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

export function isUnder(pointer: string, parent: string): boolean {
  return pointer === parent || pointer.startsWith(`${parent}/`);
}
