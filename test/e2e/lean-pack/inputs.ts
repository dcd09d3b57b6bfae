/**
 * Valid inputs for every documented Lean operation, taken from Lean's own
 * OpenAPI documents: a parameter's or body's example when it satisfies the
 * schema, else a value sampled from the schema. Ids the sandbox knows
 * (entity, account, customer…) replace the documents' sample ids, so most
 * calls also succeed in the sandbox's state machines.
 */
import type { ContractOperation } from '../../fakes/lean/index.js';
import { LEAN_IDS } from '../../fakes/lean/index.js';

type Json = Record<string, unknown>;

const FIXTURE_IDS: Record<string, string> = {
  entity_id: LEAN_IDS.entities.E_OK,
  account_id: LEAN_IDS.accounts.CURRENT,
  customer_id: LEAN_IDS.customers.C1,
  consent_id: LEAN_IDS.consents.K1,
  payment_intent_id: LEAN_IDS.intents.PI1,
  payment_id: LEAN_IDS.payments.PAY1,
  payment_source_id: LEAN_IDS.paymentSources.PS1,
  payment_destination_id: LEAN_IDS.destinations.D1,
  destination_id: LEAN_IDS.destinations.D1,
  refresh_id: LEAN_IDS.refreshes.F1,
};

export interface OperationInputs {
  path: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body?: unknown;
}

/** Headers the runtime sets itself (the body's content type, the token): never a caller's input. */
const MANAGED = new Set(['content-type', 'accept', 'authorization']);

/** `alsoRequired`: parameters the capability requires beyond the document (the pack's overlay: entity_id…). */
export function inputsFor(op: ContractOperation, unique: string, alsoRequired: ReadonlySet<string> = new Set()): OperationInputs {
  const out: OperationInputs = { path: {}, query: {}, headers: {} };
  const resolve = (schema: unknown) => deref(op, schema);
  for (const p of op.parameters) {
    if (!p.required && !alsoRequired.has(p.name)) continue;
    if (p.in === 'header' && MANAGED.has(p.name.toLowerCase())) continue;
    let value: unknown = FIXTURE_IDS[p.name] ?? (valid(p.validate, p.example) ? p.example : sample(p.schema, resolve));
    if (/idempotency-key/i.test(p.name)) value = `idem-${unique}`;
    if (p.in === 'path') out.path[p.name] = String(value);
    else if (p.in === 'query') out.query[p.name] = value;
    else if (p.in === 'header') out.headers[p.name] = String(value);
  }
  if (op.body) {
    const example = op.body.example;
    out.body = op.body.validate && valid(op.body.validate, example) ? example : op.body.schema ? sample(op.body.schema, resolve) : {};
    if (out.body && typeof out.body === 'object' && !Array.isArray(out.body)) out.body = withFixtureIds(out.body as Json);
    if (op.body.validate && !op.body.validate(out.body)) out.body = example ?? out.body; // keep the document's own example when sampling could not do better
  }
  return out;
}

function valid(validate: ((v: unknown) => boolean) | undefined, value: unknown): boolean {
  if (value === undefined) return false;
  return validate ? validate(value) : true;
}

function withFixtureIds(body: Json): Json {
  const copy: Json = { ...body };
  for (const key of Object.keys(copy)) if (FIXTURE_IDS[key] && typeof copy[key] === 'string') copy[key] = FIXTURE_IDS[key];
  return copy;
}

function deref(op: ContractOperation, schema: unknown): unknown {
  let current = schema;
  for (let i = 0; i < 10 && current && typeof current === 'object' && typeof (current as Json).$ref === 'string'; i++) current = op.resolveRef((current as Json).$ref as string);
  return current;
}

/** A value that satisfies a schema: example, default, enum, const, else by type and format. */
export function sample(raw: unknown, resolve: (schema: unknown) => unknown, depth = 0): unknown {
  const schema = resolve(raw);
  if (!schema || typeof schema !== 'object' || depth > 8) return 'x';
  const s = schema as Json;
  // Objects and arrays are built from their parts: documents' whole-object examples drift from their schemas.
  if (s.properties && typeof s.properties === 'object' && !s.allOf && !s.oneOf && !s.anyOf) {
    const out: Json = {};
    const props = s.properties as Json;
    for (const name of Array.isArray(s.required) ? (s.required as string[]) : []) out[name] = FIXTURE_IDS[name] ?? sample(props[name], resolve, depth + 1);
    return out;
  }
  if (s.items && (s.type === 'array' || (Array.isArray(s.type) && s.type.includes('array')))) return [sample(s.items, resolve, depth + 1)];
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const key of ['oneOf', 'anyOf'] as const) if (Array.isArray(s[key]) && (s[key] as unknown[]).length > 0) return sample((s[key] as unknown[])[0], resolve, depth + 1);
  if (Array.isArray(s.allOf)) {
    const merged: Json = {};
    for (const part of s.allOf as unknown[]) {
      const v = sample(part, resolve, depth + 1);
      if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(merged, v);
    }
    return merged;
  }
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : (s.type as string | undefined);
  switch (type ?? (s.properties ? 'object' : s.items ? 'array' : 'string')) {
    case 'object': {
      const out: Json = {};
      const props = (s.properties ?? {}) as Json;
      const required = Array.isArray(s.required) ? (s.required as string[]) : [];
      for (const name of required) out[name] = FIXTURE_IDS[name] ?? sample(props[name], resolve, depth + 1);
      return out;
    }
    case 'array':
      return [sample(s.items, resolve, depth + 1)];
    case 'integer':
      return typeof s.minimum === 'number' ? Math.ceil(s.minimum) : 1;
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 10;
    case 'boolean':
      return true;
    default:
      switch (s.format) {
        case 'uuid':
          return '00000000-0000-4000-8000-000000000001';
        case 'date':
          return '2026-01-01';
        case 'date-time':
          return '2026-01-01T00:00:00Z';
        case 'email':
          return 'someone@example.com';
        case 'uri':
          return 'https://example.com';
        default:
          return typeof s.minLength === 'number' && s.minLength > 1 ? 'x'.repeat(s.minLength) : 'x';
      }
  }
}
