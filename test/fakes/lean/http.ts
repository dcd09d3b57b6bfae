/**
 * Shared response shapes of the Lean sandbox: the Reply a handler returns, Lean's
 * plain error envelope, parameter validation and the pagination shapes of §2.5.
 */

export interface Reply {
  status: number;
  /** JSON-serialised unless `raw` is set. `undefined` means an empty body. */
  body?: unknown;
  /** Pre-serialised body (sent as-is). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, body, headers } : { status, body };
}

/** Lean's plain error envelope: `{[results_id], timestamp, status, message, metadata: null}`. */
export class LeanError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    /** Data/insight routes put a `results_id` first, as recorded. */
    readonly withResultsId = false,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  /** Filled in by the pipeline for data routes. */
  resultsId?: string;
}

export const MSG = {
  badParams: 'The request is badly formatted or a parameter of the wrong type has been provided',
  unknownEntity: 'The entity_id provided did not match an account in our records.',
  unknownAccount: 'The account_id provided does not match an account with the entity_id provided.',
  unknownResults: 'The results_id provided has not been recognized by Lean or has not been processed yet',
  internal: 'Something has gone wrong. If you continue to see this error, please get in touch with Lean.',
  consentExpired:
    'Consent was suspended, revoked, or expired. New consent is required, please connect the entity once again.',
  duplicatedRefresh: 'Data refresh is already pending.',
  pending: 'Please wait for a webhook or try again later.',
  retrieved: 'Data successfully retrieved',
} as const;

/** 400 INVALID_PARAMETERS naming the field, the way Lean's messages do. */
export function invalidParam(field: string, value: unknown, withResultsId = false, detail?: string): LeanError {
  const shown = value === undefined || value === null ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
  const tail = detail ? ` (${detail})` : '';
  return new LeanError(400, 'INVALID_PARAMETERS', `${MSG.badParams}, field: ${field}, value: ${shown}.${tail}`, withResultsId);
}

export function errorBody(err: LeanError, timestamp: string, resultsId: string | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (err.withResultsId && resultsId) body.results_id = resultsId;
  body.timestamp = timestamp;
  body.status = err.code;
  body.message = err.message;
  body.metadata = null;
  return body;
}

// ---------------------------------------------------------------------------
// query helpers

export function intParam(
  q: URLSearchParams,
  name: string,
  def: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER, withResultsId = false }: { min?: number; max?: number; withResultsId?: boolean } = {},
): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) throw invalidParam(name, raw, withResultsId);
  const n = Number(raw);
  if (n < min || n > max) throw invalidParam(name, raw, withResultsId);
  return n;
}

export function boolParam(q: URLSearchParams, name: string, def: boolean, withResultsId = false): boolean {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw invalidParam(name, raw, withResultsId);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses `YYYY-MM-DD` (UTC midnight, epoch ms). */
export function dateParam(raw: string | null, name: string, withResultsId = false): number | undefined {
  if (raw === null || raw === '') return undefined;
  if (!DATE_RE.test(raw)) throw invalidParam(name, raw, withResultsId);
  const ms = Date.parse(`${raw}T00:00:00Z`);
  if (Number.isNaN(ms)) throw invalidParam(name, raw, withResultsId);
  return ms;
}

export const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------
// pagination (§2.5). Page numbers start at 0.

export interface PageMeta {
  number: number;
  size: number;
  total_elements: number;
  total_pages: number;
  sort: null;
}

export function paginate<T>(items: readonly T[], page: number, size: number): { items: T[]; page: PageMeta } {
  const total = items.length;
  const start = page * size;
  return {
    items: items.slice(start, start + size),
    page: { number: page, size, total_elements: total, total_pages: size > 0 ? Math.ceil(total / size) : 0, sort: null },
  };
}

// ---------------------------------------------------------------------------
// body helpers

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function reqString(
  obj: Record<string, unknown>,
  field: string,
  opts: { max?: number; label?: string; withResultsId?: boolean } = {},
): string {
  const v = obj[field];
  if (typeof v !== 'string' || v.trim() === '' || (opts.max !== undefined && v.length > opts.max)) {
    throw invalidParam(opts.label ?? field, v, opts.withResultsId);
  }
  return v;
}

export function optString(obj: Record<string, unknown>, field: string, max?: number, label?: string): string | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || (max !== undefined && v.length > max)) throw invalidParam(label ?? field, v);
  return v;
}

/** Lean accepts amounts as JSON numbers or numeric strings (S1 sends `"amount": "{{payment_amount}}"`). */
export function reqAmount(obj: Record<string, unknown>, field: string, label?: string): number {
  const v = obj[field];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw invalidParam(label ?? field, v);
  return Math.round(n * 100) / 100;
}

export function optAmount(obj: Record<string, unknown>, field: string, label?: string): number | null {
  const v = obj[field];
  if (v === undefined || v === null || v === '') return null;
  return reqAmount(obj, field, label);
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
