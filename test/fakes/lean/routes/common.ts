/** Helpers shared by the data, insights and name-verification routes: entity resolution and result envelopes. */
import { ENTITIES_BY_ID, LEAN_IDS, type EntityFixture, type PermissionSet } from '../fixtures.js';
import { LeanError, MSG, UUID_RE, boolParam, invalidParam, json, type Reply } from '../http.js';
import type { RequestCtx } from '../state.js';

/**
 * Resolves `entity_id` (query or body). Strict mode: missing → 400 INVALID_PARAMETERS.
 * Lenient mode: missing → `fallback` (an account's entity) or E_OK.
 */
export function resolveEntity(ctx: RequestCtx, raw: unknown, fallback?: string): EntityFixture {
  if (raw === undefined || raw === null || raw === '') {
    if (ctx.sb.behaviour.strict) throw invalidParam('entity_id', null, true);
    return ENTITIES_BY_ID.get(fallback ?? LEAN_IDS.entities.E_OK)!;
  }
  if (typeof raw !== 'string' || !UUID_RE.test(raw)) throw invalidParam('entity_id', raw, true);
  const e = ENTITIES_BY_ID.get(raw.toLowerCase());
  if (!e) throw new LeanError(404, 'UNKNOWN_ENTITY', MSG.unknownEntity, true);
  return e;
}

/** [fake] Lean's exact code for a missing data permission is unknown. */
export function requirePermission(e: EntityFixture, perm: keyof PermissionSet): void {
  if (!e.permissions[perm]) {
    throw new LeanError(403, 'INVALID_PERMISSIONS', `The entity does not have the required permission: ${perm}. Reconnect the entity with the permission granted.`, true);
  }
}

export function refreshedAt(ctx: RequestCtx, e: EntityFixture): string {
  const now = ctx.sb.clock.now();
  let best = Date.parse(e.createdAt) + 3000;
  for (const r of ctx.sb.state.refreshes.values()) {
    if (r.entity_id === e.id && r.finishMs <= now && r.finishMs > best) best = r.finishMs;
  }
  return new Date(best).toISOString();
}

interface EnvelopeParts {
  type: string;
  /** `data` for Data v2 & name verification, `insights` for insights. */
  payloadKey: 'data' | 'insights';
  payload: () => unknown;
  /** Insights report an empty object while PENDING; data reports null. */
  pendingPayload?: unknown;
  refreshed?: boolean;
  message?: string;
  /** Default async value when the query has none (insights default to true upstream). */
  asyncDefault?: boolean;
  asyncValue?: boolean;
}

/**
 * Applies the per-entity behaviour (§5.6) and wraps the payload in the Data v2 /
 * insights result envelope: 200 OK, 200 FAILED (bank down), 200 CONSENT_EXPIRED,
 * or 202 PENDING (async=true or the slow entity) with the result stored for
 * GET /data/v2/results/{id}.
 */
export function resultEnvelope(ctx: RequestCtx, e: EntityFixture, parts: EnvelopeParts): Reply {
  const { sb } = ctx;
  const resultsId = ctx.resultsId();
  const timestamp = sb.clock.iso();
  const head = (status: string, message: string, detail: unknown) => ({
    status,
    results_id: resultsId,
    message,
    meta: null,
    timestamp,
    status_detail: detail,
  });
  const tail = (payload: unknown): Record<string, unknown> => {
    const t: Record<string, unknown> = {};
    if (parts.refreshed !== false) t.refreshed_at = refreshedAt(ctx, e);
    t.type = parts.type;
    t[parts.payloadKey] = payload;
    return t;
  };
  if (e.behaviour === 'expired') {
    return json(200, { ...head('CONSENT_EXPIRED', MSG.consentExpired, null), ...tail(null) });
  }
  if (e.behaviour === 'bankdown') {
    return json(200, {
      ...head('FAILED', 'The bank is currently unavailable.', {
        granular_status_code: 'BANK_ISSUE',
        status_additional_info: 'The bank is experiencing technical issues. Please try again later.',
      }),
      ...tail(null),
    });
  }
  const asyncRequested = parts.asyncValue ?? boolParam(ctx.query, 'async', parts.asyncDefault ?? false, true);
  const ok = json(200, { ...head('OK', parts.message ?? MSG.retrieved, null), ...tail(parts.payload()) });
  if (asyncRequested || e.behaviour === 'slow') {
    sb.state.results.set(resultsId, { readyMs: sb.clock.now() + sb.behaviour.asyncResultSeconds * 1000, reply: ok });
    return json(202, { ...head('PENDING', MSG.pending, null), ...tail(parts.pendingPayload ?? null) });
  }
  return ok;
}
