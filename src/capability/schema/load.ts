/**
 * Loading the JSON Schema (`schemas/naftiko.schema.json`) and compiling it, in
 * the default mode (alpha2 plus the annotated extensions) or strict (pure alpha2,
 * every `x-dialect` node removed). The annotations are described in ./index.ts;
 * turning Ajv's errors into diagnostics is ./humanise.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Ajv2020Module from 'ajv/dist/2020.js';
import type addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { isObject } from './describe.js';

type JsonObject = Record<string, unknown>;

/** Values of `x-dialect` in the schema, and how strict mode names them. */
export const DIALECTS: Record<string, string> = {
  'apis-io': 'an APIs.io dialect extension',
  runtime: 'a capability-runtime extension (read by the reference engine, absent from the alpha2 schema)',
};
const ANNOTATIONS = ['x-dialect', 'x-dialect-removed', 'x-unsupported', 'x-message', 'x-message-strict', 'x-supersedes'] as const;
const SCHEMA_URL = new URL('../../../schemas/naftiko.schema.json', import.meta.url);

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
    const file = fileURLToPath(new URL(`../schema-validators/${mode}.cjs`, import.meta.url));
    if (!existsSync(file)) return undefined;
    const require = createRequire(import.meta.url);
    const module = require(file) as { default?: ValidateFunction; fingerprint?: string } & ValidateFunction;
    const validate = module.default ?? module;
    return (module as { fingerprint?: string }).fingerprint === schemaFingerprint() ? validate : undefined;
  } catch {
    return undefined;
  }
}

export function getValidator(strict: boolean): { validate: ValidateFunction; root: JsonObject } {
  const mode = strict ? 'strict' : 'default';
  let entry = compiled.get(mode);
  if (!entry) {
    const root = schemaFor(strict);
    entry = { validate: loadPrecompiled(mode) ?? createSchemaAjv().compile(root), root };
    compiled.set(mode, entry);
  }
  return entry;
}

function isDialect(value: unknown): value is JsonObject {
  return isObject(value) && typeof value['x-dialect'] === 'string';
}
