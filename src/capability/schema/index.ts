/**
 * JSON Schema stage (./load.ts loads and compiles, ./humanise.ts explains): validates a parsed capability file against
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
import type { Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../source.js';
import { humaniseSchemaErrors, isUnder, schemaErrorPointers, type AjvError } from './humanise.js';
import { getValidator } from './load.js';

export { createSchemaAjv, DIALECTS, loadSchema, schemaFingerprint, schemaFor, stripDialect } from './load.js';

export interface SchemaValidationOptions {
  /** Pure alpha2: APIs.io dialect extensions are reported as errors. */
  strict?: boolean;
}

/** Validates the parsed document (no diagnostics when it is valid or could not be parsed). */
export function validateAgainstSchema(source: SourceFile, options: SchemaValidationOptions = {}): Diagnostic[] {
  if (source.data === undefined) return [];
  const strict = options.strict === true;
  const { validate, root } = getValidator(strict);
  if (validate(source.data)) return [];
  const diagnostics = humaniseSchemaErrors((validate.errors ?? []) as AjvError[], { source, root, strict });
  return strict ? labelDialectOnly(diagnostics, source) : diagnostics;
}

/**
 * Strict mode: a problem the default schema does not have (no default-mode error at
 * or below its pointer) exists only because an extension was removed — say so.
 */
function labelDialectOnly(diagnostics: Diagnostic[], source: SourceFile): Diagnostic[] {
  const { validate, root } = getValidator(false);
  const lenient = validate(source.data) ? [] : schemaErrorPointers((validate.errors ?? []) as AjvError[], { source, root, strict: false });
  return diagnostics.map((d) => {
    if (d.code === 'schema-dialect' || lenient.some((p) => isUnder(p, d.pointer))) return d;
    return { ...d, code: 'schema-dialect', hint: 'accepted as an extension (APIs.io dialect or capability-runtime) when validating without --strict' };
  });
}
