/**
 * Insights (§3.8–§3.10) and name verification (§3.19), computed from the same
 * fixture transactions as the data APIs so the numbers stay consistent.
 */
import { ANCHOR, TRANSACTIONS, entityIdentities, type EntityFixture, type TxRecord } from '../fixtures.js';
import { DAY_MS, boolParam, dateParam, invalidParam, isObject, json, round2 } from '../http.js';
import type { RequestCtx, RouteDef } from '../state.js';
import { requirePermission, resolveEntity, resultEnvelope } from './common.js';

const CUR = 'AED';
const money = (n: number) => ({ currency: CUR, amount: round2(n) });

function entityTransactions(e: EntityFixture, fromMs: number): TxRecord[] {
  return e.accountIds.flatMap((id) => TRANSACTIONS.get(id) ?? []).filter((t) => t.bookingMs >= fromMs && t.json.status === 'BOOKED');
}

interface MonthKey {
  year: number;
  month: number; // 1..12
}

function monthsBetween(fromMs: number, toMs: number): MonthKey[] {
  const out: MonthKey[] = [];
  const d = new Date(fromMs);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  const end = new Date(toMs);
  while (y < end.getUTCFullYear() || (y === end.getUTCFullYear() && m <= end.getUTCMonth())) {
    out.push({ year: y, month: m + 1 });
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
  return out.reverse(); // newest first, as recorded
}

const inMonth = (t: TxRecord, k: MonthKey) => {
  const d = new Date(t.bookingMs);
  return d.getUTCFullYear() === k.year && d.getUTCMonth() + 1 === k.month;
};
const monthComplete = (k: MonthKey, now: number) => Date.UTC(k.year, k.month, 1) <= now;
const sum = (ts: TxRecord[]) => round2(ts.reduce((s, t) => s + t.amount, 0));

function startParam(ctx: RequestCtx, raw: unknown, required: boolean, defMonths: number): number {
  const s = typeof raw === 'string' ? raw : raw === undefined || raw === null ? null : String(raw);
  const ms = dateParam(s, 'start_date', true);
  if (ms === undefined) {
    if (required && ctx.sb.behaviour.strict) throw invalidParam('start_date', null, true);
    return ANCHOR - defMonths * 30 * DAY_MS;
  }
  if (ms > ctx.sb.clock.now()) throw invalidParam('start_date', s, true, 'must not be in the future');
  return ms;
}

// ---------------------------------------------------------------------------

function cashflows(e: EntityFixture, fromMs: number, now: number): Record<string, unknown> {
  const txs = entityTransactions(e, fromMs);
  const credits = txs.filter((t) => t.credit);
  const debits = txs.filter((t) => !t.credit);
  const flows = (cr: TxRecord[], db: TxRecord[]) => ({
    inwards: [{ category: 'inflow', amount: money(sum(cr)), count: cr.length }],
    outwards: [{ category: 'outflow', amount: money(sum(db)), count: db.length }],
    net: { overall_amount: money(sum(cr) - sum(db)), net_cashflow: null },
  });
  const latest = txs.reduce((m, t) => Math.max(m, t.bookingMs), fromMs);
  const months = monthsBetween(fromMs, Math.min(latest, now));
  const periods = [12, 6, 3, 1].map((n) => {
    const since = latest - n * 30 * DAY_MS;
    const cr = credits.filter((t) => t.bookingMs > since);
    const db = debits.filter((t) => t.bookingMs > since);
    const avgCr = cr.length ? sum(cr) / cr.length : 0;
    const avgDb = db.length ? sum(db) / db.length : 0;
    const monthsN = Math.max(1, n);
    return {
      behaviour: {
        period: `P${n}M`,
        grand_average_credit_amount: money(avgCr),
        grand_average_credit_count: Math.round(cr.length / monthsN),
        grand_average_debit_amount: money(avgDb),
        grand_average_debit_count: Math.round(db.length / monthsN),
        grand_average_credit_debit_amount_ratio: avgDb ? round2(avgCr / avgDb) : null,
        grand_average_credit_debit_count_ratio: db.length ? round2(cr.length / db.length) : null,
        total_volume_of_credit: money(sum(cr)),
        total_volume_of_debit: money(sum(db)),
        total_volume_of_credit_debit_ratio: sum(db) ? round2(sum(cr) / sum(db)) : null,
      },
      big: {
        period: `P${n}M`,
        average_max_monthly_credit_amount: money(cr.reduce((m, t) => Math.max(m, t.amount), 0)),
        average_max_monthly_debit_amount: money(db.reduce((m, t) => Math.max(m, t.amount), 0)),
        average_max_monthly_credit_debit_amount_ratio: null as number | null,
      },
    };
  });
  for (const p of periods) {
    const d = p.big.average_max_monthly_debit_amount.amount;
    p.big.average_max_monthly_credit_debit_amount_ratio = d ? round2(p.big.average_max_monthly_credit_amount.amount / d) : null;
  }
  return {
    total: flows(credits, debits),
    monthly_totals: months.map((k) => ({
      month: k.month,
      year: k.year,
      is_month_complete: monthComplete(k, now),
      ...flows(
        credits.filter((t) => inMonth(t, k)),
        debits.filter((t) => inMonth(t, k)),
      ),
    })),
    credit_debit_behaviour: { periods: periods.map((p) => p.behaviour) },
    big_payments: { periods: periods.map((p) => p.big) },
  };
}

// ---------------------------------------------------------------------------

const EXPENSE_CATEGORY: Partial<Record<TxRecord['category'], string>> = {
  RENT_AND_SERVICES: 'RENT_AND_SERVICES',
  UTILITIES: 'UTILITIES',
  TELECOM: 'UTILITIES',
  GROCERIES: 'GROCERIES',
  FOOD_AND_DRINKS: 'FOOD_AND_DRINKS',
  FUEL: 'TRANSPORT',
  TRANSPORT: 'TRANSPORT',
  SHOPPING: 'SHOPPING',
  TRANSFERS: 'TRANSFERS',
  ENTERTAINMENT: 'ENTERTAINMENT',
  HEALTH: 'HEALTH_AND_WELLNESS',
  TRAVEL: 'TRAVEL',
};

function monthlyStats(ts: TxRecord[], months: MonthKey[]) {
  const per = months.map((k) => ({ k, amount: sum(ts.filter((t) => inMonth(t, k))) }));
  const max = per.reduce((a, b) => (b.amount > a.amount ? b : a), per[0] ?? { k: { year: 0, month: 0 }, amount: 0 });
  const min = per.reduce((a, b) => (b.amount < a.amount ? b : a), per[0] ?? { k: { year: 0, month: 0 }, amount: 0 });
  const n = Math.max(1, months.length);
  const first = ts.reduce((m, t) => Math.min(m, t.bookingMs), Infinity);
  const last = ts.reduce((m, t) => Math.max(m, t.bookingMs), -Infinity);
  return {
    amount: sum(ts),
    count: ts.length,
    first_date_time: Number.isFinite(first) ? new Date(first).toISOString() : null,
    last_date_time: Number.isFinite(last) ? new Date(last).toISOString() : null,
    average_monthly_amount: round2(sum(ts) / n),
    average_monthly_count: round2(ts.length / n),
    maximum_monthly_amount: { month: max.k.month, year: max.k.year, amount: max.amount },
    minimum_monthly_amount: { month: min.k.month, year: min.k.year, amount: min.amount },
  };
}

function breakdownOf(ts: TxRecord[], total: number, months: MonthKey[] | null) {
  const groups = new Map<string, TxRecord[]>();
  for (const t of ts) {
    const c = EXPENSE_CATEGORY[t.category] ?? 'OTHER';
    groups.set(c, [...(groups.get(c) ?? []), t]);
  }
  return [...groups.entries()]
    .sort((a, b) => sum(b[1]) - sum(a[1]))
    .map(([category, list]) => {
      const base = { category, amount: sum(list), count: list.length, fraction_of_total_expenses: total ? round2(sum(list) / total) : 0 };
      if (!months) return base;
      const stats = monthlyStats(list, months);
      const sorted = list.map((t) => t.bookingMs).sort((a, b) => a - b);
      const gaps = sorted.slice(1).map((v, i) => (v - sorted[i]!) / DAY_MS);
      return {
        ...base,
        average_days_between_transactions: gaps.length ? round2(gaps.reduce((s, g) => s + g, 0) / gaps.length) : null,
        last_date_time: stats.last_date_time,
        first_date_time: stats.first_date_time,
        average_monthly_amount: stats.average_monthly_amount,
        average_monthly_count: stats.average_monthly_count,
        maximum_monthly_amount: stats.maximum_monthly_amount,
        minimum_monthly_amount: stats.minimum_monthly_amount,
      };
    });
}

function expenses(e: EntityFixture, fromMs: number, cardOnly: boolean, now: number): Record<string, unknown> {
  const debits = entityTransactions(e, fromMs).filter((t) => !t.credit && (!cardOnly || t.json.card_instrument !== null));
  const latest = debits.reduce((m, t) => Math.max(m, t.bookingMs), fromMs);
  const months = monthsBetween(fromMs, Math.min(latest, now));
  const stats = monthlyStats(debits, months);
  return {
    currency: CUR,
    total: { ...stats, breakdown: [{ by: 'category', breakdowns: breakdownOf(debits, stats.amount, months) }] },
    monthly_totals: months.map((k) => {
      const list = debits.filter((t) => inMonth(t, k));
      const amount = sum(list);
      return {
        month: k.month,
        year: k.year,
        amount,
        count: list.length,
        is_month_complete: monthComplete(k, now),
        breakdown: [{ by: 'category', breakdowns: breakdownOf(list, amount, null) }],
      };
    }),
  };
}

// ---------------------------------------------------------------------------

function incomeBlock(list: TxRecord[], months: MonthKey[], now: number): Record<string, unknown> {
  const stats = monthlyStats(list, months);
  const activeMonths = months.filter((k) => list.some((t) => inMonth(t, k))).length;
  const latest = list.reduce((m, t) => Math.max(m, t.bookingMs), 0);
  const periods = [3, 6].map((n) => {
    const since = latest - n * 30 * DAY_MS;
    const win = list.filter((t) => t.bookingMs > since);
    const perMonth = months.slice(0, n).map((k) => sum(win.filter((t) => inMonth(t, k))));
    const avg = perMonth.length ? perMonth.reduce((s, v) => s + v, 0) / perMonth.length : 0;
    const variation = perMonth.length ? Math.max(...perMonth) - Math.min(...perMonth) : 0;
    return { period: `P${n}M`, income_variation: round2(variation), average_income: money(avg) };
  });
  const monthly = months.map((k) => {
    const m = list.filter((t) => inMonth(t, k));
    return { month: k.month, year: k.year, amount: sum(m), count: m.length, is_month_complete: monthComplete(k, now) };
  });
  const amounts = monthly.map((m) => m.amount);
  const first = monthly[monthly.length - 1]?.amount ?? 0;
  const last = monthly[0]?.amount ?? 0;
  return {
    currency: CUR,
    total: {
      amount: stats.amount,
      count: stats.count,
      last_date_time: stats.last_date_time,
      first_date_time: stats.first_date_time,
      average_monthly_amount: stats.average_monthly_amount,
      average_monthly_count: stats.average_monthly_count,
      average_monthly_received_value: activeMonths ? round2(stats.amount / activeMonths) : 0,
      maximum_monthly_amount: stats.maximum_monthly_amount,
      minimum_monthly_amount: stats.minimum_monthly_amount,
    },
    monthly_totals: monthly,
    transactions: [...list]
      .sort((a, b) => b.bookingMs - a.bookingMs)
      .map((t) => ({
        account_id: t.accountId,
        transaction_id: t.json.transaction_id,
        transaction_information: t.json.transaction_information,
        booking_date_time: t.json.booking_date_time,
        amount: t.amount,
        income_source: t.incomeSource && t.incomeSource !== 'SALARY' ? { type: t.incomeSource, name: null } : null,
      })),
    income_factors: {
      periods,
      delta_min_max: amounts.length ? round2(Math.max(...amounts) - Math.min(...amounts)) : 0,
      average_monthly_income_change: first ? round2((last - first) / first / Math.max(1, monthly.length - 1)) : 0,
    },
  };
}

function income(e: EntityFixture, fromMs: number, type: string, now: number): Record<string, unknown> {
  const credits = entityTransactions(e, fromMs).filter((t) => t.credit);
  const latest = credits.reduce((m, t) => Math.max(m, t.bookingMs), fromMs);
  const months = monthsBetween(fromMs, Math.min(latest, now));
  const out: Record<string, unknown> = {};
  if (type === 'ALL' || type === 'SALARY') out.salary = incomeBlock(credits.filter((t) => t.incomeSource === 'SALARY'), months, now);
  if (type === 'ALL' || type === 'NON_SALARY') out.non_salary = incomeBlock(credits.filter((t) => t.incomeSource !== 'SALARY'), months, now);
  return out;
}

// ---------------------------------------------------------------------------

const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').split(/\s+/).filter(Boolean);

export function nameMatch(provided: string, retrieved: string): { match_type: string; confidence: number } {
  const a = norm(provided);
  const b = norm(retrieved);
  if (a.join(' ') === b.join(' ')) return { match_type: 'PERFECT_MATCH', confidence: 1.0 };
  const setB = new Set(b);
  const common = a.filter((t) => setB.has(t)).length;
  if (common > 0 && (common === a.length || common === b.length)) return { match_type: 'PARTIAL_MATCH', confidence: 0.8 };
  if (common >= 2) return { match_type: 'PARTIAL_MATCH', confidence: 0.6 };
  return { match_type: 'NO_MATCH', confidence: 0.1 };
}

function asyncFromBody(ctx: RequestCtx, body: Record<string, unknown>, def: boolean): boolean {
  if (ctx.query.has('async')) return boolParam(ctx.query, 'async', def, true);
  const v = body.async;
  if (v === undefined || v === null) return def;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw invalidParam('async', v, true);
}

export const insightRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/insights/v2/assets/cashflows',
    permission: 'data.read',
    operation: 'getCashflows',
    data: true,
    handler: (ctx) => {
      const e = resolveEntity(ctx, ctx.query.get('entity_id'));
      const from = startParam(ctx, ctx.query.get('start_date'), true, 12);
      const asyncDefault = ctx.sb.behaviour.strict; // Lean defaults to async=true; lenient mode answers synchronously
      const asyncValue = boolParam(ctx.query, 'async', asyncDefault, true);
      requirePermission(e, 'transactions');
      if (e.behaviour === 'slow' && !asyncValue) {
        return json(501, {
          status: 'FAILED',
          results_id: ctx.resultsId(),
          message: 'Sync requests are not supported',
          meta: null,
          timestamp: ctx.sb.clock.iso(),
          status_detail: null,
          type: 'cashflow',
          insights: null,
        });
      }
      return resultEnvelope(ctx, e, {
        type: 'cashflow',
        payloadKey: 'insights',
        pendingPayload: {},
        refreshed: false,
        asyncValue,
        payload: () => cashflows(e, from, ctx.sb.clock.now()),
      });
    },
  },
  {
    method: 'GET',
    path: '/insights/v2/expenses',
    permission: 'data.read',
    operation: 'getExpenses',
    data: true,
    handler: (ctx) => {
      const e = resolveEntity(ctx, ctx.query.get('entity_id'));
      const from = startParam(ctx, ctx.query.get('start_date'), false, 6);
      const type = (ctx.query.get('expense_type') ?? 'ALL').toUpperCase();
      if (type !== 'ALL' && type !== 'CARD') throw invalidParam('expense_type', ctx.query.get('expense_type'), true);
      const asyncValue = boolParam(ctx.query, 'async', ctx.sb.behaviour.strict, true);
      requirePermission(e, 'transactions');
      return resultEnvelope(ctx, e, {
        type: 'expenses',
        payloadKey: 'insights',
        pendingPayload: {},
        refreshed: false,
        asyncValue,
        payload: () => expenses(e, from, type === 'CARD', ctx.sb.clock.now()),
      });
    },
  },
  {
    method: 'POST',
    path: '/insights/v2/income',
    permission: 'data.read',
    operation: 'computeIncome',
    data: true,
    jsonBody: true,
    handler: (ctx) => {
      const body = isObject(ctx.body) ? ctx.body : {};
      if (!isObject(ctx.body) && ctx.sb.behaviour.strict) throw invalidParam('entity_id', null, true);
      const e = resolveEntity(ctx, body.entity_id);
      const from = startParam(ctx, body.start_date, false, 6);
      const type = String(body.income_type ?? 'ALL').toUpperCase();
      if (!['ALL', 'SALARY', 'NON_SALARY'].includes(type)) throw invalidParam('income_type', body.income_type, true);
      if (body.estimated_monthly_income !== undefined && body.estimated_monthly_income !== null && !Number.isFinite(Number(body.estimated_monthly_income))) {
        throw invalidParam('estimated_monthly_income', body.estimated_monthly_income, true);
      }
      requirePermission(e, 'accounts');
      requirePermission(e, 'transactions');
      return resultEnvelope(ctx, e, {
        type: 'income',
        payloadKey: 'insights',
        pendingPayload: {},
        refreshed: false,
        asyncValue: asyncFromBody(ctx, {}, false),
        payload: () => income(e, from, type, ctx.sb.clock.now()),
      });
    },
  },
  {
    method: 'POST',
    path: '/insights/v1/name-verification',
    permission: 'data.read',
    operation: 'verifyName',
    data: true,
    jsonBody: true,
    handler: (ctx) => {
      const body = isObject(ctx.body) ? ctx.body : {};
      const e = resolveEntity(ctx, body.entity_id);
      const fullName = body.full_name;
      if (typeof fullName !== 'string' || fullName.trim() === '') throw invalidParam('full_name', fullName, true);
      requirePermission(e, 'accounts');
      requirePermission(e, 'identity');
      const retrieved = String(entityIdentities(e)[0]?.full_legal_name ?? '');
      return resultEnvelope(ctx, e, {
        type: 'name-verification',
        payloadKey: 'data',
        refreshed: false,
        message: 'Name verification completed successfully',
        asyncValue: asyncFromBody(ctx, body, false),
        payload: () => ({ type: 'name-verification', full_name_provided: fullName, full_name_retrieved: retrieved, ...nameMatch(fullName, retrieved) }),
      });
    },
  },
];

