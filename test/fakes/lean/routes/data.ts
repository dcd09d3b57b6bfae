/**
 * Data v2 (§3.4–§3.6): accounts, per-account lists, identity, transactions,
 * manual refreshes and legacy async results.
 */
import {
  ACCOUNTS,
  ACCOUNTS_BY_ID,
  TRANSACTIONS,
  accountIdentities,
  accountJson,
  balancesFor,
  beneficiariesFor,
  directDebitsFor,
  entityIdentities,
  scheduledPaymentsFor,
  standingOrdersFor,
  type AccountFixture,
  type EntityFixture,
  type PermissionSet,
} from '../fixtures.js';
import { DAY_MS, LeanError, MSG, dateParam, intParam, invalidParam, isObject, json, paginate } from '../http.js';
import type { RefreshRec, RequestCtx, RouteDef } from '../state.js';
import { requirePermission, resolveEntity, resultEnvelope } from './common.js';

function pageParams(ctx: RequestCtx): { page: number; size: number } {
  return {
    page: intParam(ctx.query, 'page', 0, { withResultsId: true }),
    size: intParam(ctx.query, 'size', 50, { min: 1, max: 100, withResultsId: true }),
  };
}

function accountFor(ctx: RequestCtx): { entity: EntityFixture; account: AccountFixture } {
  const accountId = ctx.params.account_id!;
  const known = ACCOUNTS_BY_ID.get(accountId.toLowerCase());
  const entity = resolveEntity(ctx, ctx.query.get('entity_id'), known?.entityId);
  if (!known || known.entityId !== entity.id) throw new LeanError(404, 'UNKNOWN_ACCOUNT', MSG.unknownAccount, true);
  return { entity, account: known };
}

type ListKey = 'balances' | 'beneficiaries' | 'direct_debits' | 'scheduled_payments' | 'standing_orders';

function accountList(
  segment: string,
  operation: string,
  key: ListKey,
  perm: keyof PermissionSet,
  items: (a: AccountFixture) => Record<string, unknown>[],
): RouteDef {
  return {
    method: 'GET',
    path: `/data/v2/accounts/{account_id}/${segment}`,
    permission: 'data.read',
    operation,
    data: true,
    handler: (ctx) => {
      const { entity, account } = accountFor(ctx);
      const { page, size } = pageParams(ctx);
      requirePermission(entity, perm);
      return resultEnvelope(ctx, entity, {
        type: segment,
        payloadKey: 'data',
        payload: () => {
          const p = paginate(items(account), page, size);
          return key === 'balances' ? { type: segment, [key]: p.items, page: p.page } : { [key]: p.items, page: p.page, type: segment };
        },
      });
    },
  };
}

function refreshStatus(r: RefreshRec, now: number): 'PENDING' | 'FINISHED' {
  return now >= r.finishMs ? 'FINISHED' : 'PENDING';
}

function refreshSummary(r: RefreshRec, now: number): Record<string, unknown> {
  const done = now >= r.finishMs;
  return {
    refresh_id: r.refresh_id,
    entity_id: r.entity_id,
    customer_id: r.customer_id,
    status: refreshStatus(r, now),
    created_at: new Date(r.createdMs).toISOString(),
    updated_at: new Date(done ? r.finishMs : r.createdMs).toISOString(),
  };
}

function refreshDetail(r: RefreshRec, entity: EntityFixture, now: number): Record<string, unknown> {
  const done = now >= r.finishMs;
  const st = (ok: boolean) => (!done ? 'PENDING' : ok ? 'OK' : 'UNSUPPORTED');
  const accountData = entity.accountIds.map((id, i) => {
    const p = entity.permissions;
    const first = i === 0;
    return {
      account_id: id,
      balance: st(p.balance),
      // a deliberately mixed outcome once finished (§5.8): one FAILED, one UNSUPPORTED
      identity: done && first ? 'FAILED' : st(p.identities),
      transactions: st(p.transactions),
      scheduled_payments: done && first ? 'UNSUPPORTED' : st(p.scheduled_payments),
      direct_debits: st(p.direct_debits),
      standing_orders: st(p.standing_orders),
      beneficiaries: st(p.beneficiaries),
      transactionAvailability: { start: '2025-11-01', end: new Date(Math.min(now, r.finishMs)).toISOString().slice(0, 10) },
    };
  });
  return {
    refresh_id: r.refresh_id,
    entity_id: r.entity_id,
    customer_id: r.customer_id,
    status: refreshStatus(r, now),
    data_status: { accounts: st(entity.permissions.accounts), identity: st(entity.permissions.identity), account_data: accountData },
    created_at: new Date(r.createdMs).toISOString(),
    updated_at: new Date(done ? r.finishMs : r.createdMs).toISOString(),
  };
}

export const dataRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/data/v2/accounts',
    permission: 'data.read',
    operation: 'getAccounts',
    data: true,
    handler: (ctx) => {
      const entity = resolveEntity(ctx, ctx.query.get('entity_id'));
      const { page, size } = pageParams(ctx);
      requirePermission(entity, 'accounts');
      return resultEnvelope(ctx, entity, {
        type: 'accounts',
        payloadKey: 'data',
        payload: () => {
          const p = paginate(ACCOUNTS.filter((a) => a.entityId === entity.id).map(accountJson), page, size);
          return { type: 'accounts', accounts: p.items, page: p.page };
        },
      });
    },
  },
  accountList('balances', 'getBalances', 'balances', 'balance', balancesFor),
  accountList('beneficiaries', 'getBeneficiaries', 'beneficiaries', 'beneficiaries', beneficiariesFor),
  accountList('direct-debits', 'getDirectDebits', 'direct_debits', 'direct_debits', directDebitsFor),
  accountList('scheduled-payments', 'getScheduledPayments', 'scheduled_payments', 'scheduled_payments', scheduledPaymentsFor),
  accountList('standing-orders', 'getStandingOrders', 'standing_orders', 'standing_orders', standingOrdersFor),
  {
    method: 'GET',
    path: '/data/v2/accounts/{account_id}/identities',
    permission: 'data.read',
    operation: 'getAccountIdentities',
    data: true,
    handler: (ctx) => {
      const { entity, account } = accountFor(ctx);
      const { page, size } = pageParams(ctx);
      requirePermission(entity, 'identities');
      return resultEnvelope(ctx, entity, {
        type: 'identities',
        payloadKey: 'data',
        payload: () => {
          const p = paginate(accountIdentities(account), page, size);
          return { account_id: account.id, identities: p.items, page: p.page, type: 'identities' };
        },
      });
    },
  },
  {
    method: 'GET',
    path: '/data/v2/accounts/{account_id}/transactions',
    permission: 'data.read',
    operation: 'getTransactions',
    data: true,
    handler: (ctx) => {
      const { entity, account } = accountFor(ctx);
      const { page, size } = pageParams(ctx);
      const q = ctx.query;
      const start = dateParam(q.get('start_date'), 'start_date', true);
      const end = dateParam(q.get('end_date'), 'end_date', true);
      const today = Math.floor(ctx.sb.clock.now() / DAY_MS) * DAY_MS;
      if (start !== undefined && start > today) throw invalidParam('start_date', q.get('start_date'), true, 'must not be in the future');
      if (end !== undefined && end > today) throw invalidParam('end_date', q.get('end_date'), true, 'must not be in the future');
      if (start !== undefined && end !== undefined && end < start) throw invalidParam('end_date', q.get('end_date'), true, 'must not be before start_date');
      requirePermission(entity, 'transactions');
      return resultEnvelope(ctx, entity, {
        type: 'transactions',
        payloadKey: 'data',
        payload: () => {
          const all = TRANSACTIONS.get(account.id) ?? [];
          const endEx = end === undefined ? Infinity : end + DAY_MS;
          const filtered = start === undefined && end === undefined ? all : all.filter((t) => t.bookingMs >= (start ?? 0) && t.bookingMs < endEx);
          const p = paginate(filtered, page, size);
          return { type: 'transactions', transactions: p.items.map((t) => t.json), page: p.page };
        },
      });
    },
  },
  {
    method: 'GET',
    path: '/data/v2/identity',
    permission: 'data.read',
    operation: 'getIdentity',
    data: true,
    handler: (ctx) => {
      const entity = resolveEntity(ctx, ctx.query.get('entity_id'));
      const { page, size } = pageParams(ctx);
      requirePermission(entity, 'identity');
      return resultEnvelope(ctx, entity, {
        type: 'identities',
        payloadKey: 'data',
        payload: () => {
          const p = paginate(entityIdentities(entity), page, size);
          return { type: 'identities', account_id: null, identities: p.items, page: p.page };
        },
      });
    },
  },
  {
    method: 'POST',
    path: '/data/v2/refreshes',
    permission: 'data.read',
    operation: 'triggerDataRefresh',
    data: true,
    jsonBody: true,
    handler: (ctx) => {
      const body = isObject(ctx.body) ? ctx.body : {};
      const raw = body.entity_id;
      if (raw === undefined || raw === null || raw === '') throw invalidParam('entity_id', null, true);
      const entity = resolveEntity(ctx, raw);
      const { sb } = ctx;
      const now = sb.clock.now();
      const timestamp = sb.clock.iso();
      if (entity.behaviour === 'expired') {
        throw new LeanError(403, 'CONSENT_EXPIRED', MSG.consentExpired);
      }
      for (const r of sb.state.refreshes.values()) {
        if (r.entity_id === entity.id && now < r.finishMs) {
          throw new LeanError(429, 'DUPLICATED_REQUEST', MSG.duplicatedRefresh);
        }
      }
      const refreshId = sb.ids.uuid();
      if (entity.behaviour === 'reconnect') {
        return json(200, {
          status: 'RECONNECT_REQUIRED',
          reconnect_id: sb.ids.uuid(),
          refresh_id: refreshId,
          message: 'The customer needs to reconnect the entity before data can be refreshed.',
          timestamp,
        });
      }
      sb.state.refreshes.set(refreshId, {
        refresh_id: refreshId,
        entity_id: entity.id,
        customer_id: entity.customerId,
        createdMs: now,
        finishMs: now + sb.behaviour.refreshSeconds * 1000,
      });
      return json(200, { refresh_id: refreshId, status: 'OK', message: 'Data refresh triggered successfully', timestamp });
    },
  },
  {
    method: 'GET',
    path: '/data/v2/refreshes',
    permission: 'data.read',
    operation: 'getDataRefreshes',
    data: true,
    handler: (ctx) => {
      const rawEntity = ctx.query.get('entity_id');
      const entity = rawEntity || ctx.sb.behaviour.strict ? resolveEntity(ctx, rawEntity) : undefined;
      const { page, size } = pageParams(ctx);
      const now = ctx.sb.clock.now();
      const list = [...ctx.sb.state.refreshes.values()]
        .filter((r) => !entity || r.entity_id === entity.id)
        .sort((a, b) => b.createdMs - a.createdMs)
        .map((r) => refreshSummary(r, now));
      const p = paginate(list, page, size);
      return json(200, { content: p.items, page: p.page });
    },
  },
  {
    method: 'GET',
    path: '/data/v2/refreshes/{refresh_id}',
    permission: 'data.read',
    operation: 'getDataRefreshStatus',
    data: true,
    handler: (ctx) => {
      const r = ctx.sb.state.refreshes.get(ctx.params.refresh_id!.toLowerCase());
      const rawEntity = ctx.query.get('entity_id');
      const entity = resolveEntity(ctx, rawEntity, r?.entity_id);
      if (!r || r.entity_id !== entity.id) {
        throw new LeanError(404, 'REFRESH_NOT_FOUND', `No data refresh found for refresh_id: ${ctx.params.refresh_id}`, true);
      }
      return json(200, refreshDetail(r, entity, ctx.sb.clock.now()));
    },
  },
  {
    method: 'GET',
    path: '/data/v2/results/{results_id}',
    permission: 'data.read',
    operation: 'getResults',
    data: true,
    handler: (ctx) => {
      const rec = ctx.sb.state.results.get(ctx.params.results_id!.toLowerCase());
      if (!rec || ctx.sb.clock.now() < rec.readyMs) throw new LeanError(404, 'UNKNOWN_RESULTS_ID', MSG.unknownResults, true);
      return rec.reply;
    },
  },
];
