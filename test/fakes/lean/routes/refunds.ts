/**
 * Refunds (§3.17): list, create (201, array body), process (PUT, maker/checker), reasons.
 * APPROVED → PENDING_WITH_BANK → ACCEPTED_BY_BANK on the fake clock; REJECTED is final.
 */
import { ACCOUNTS_BY_ID } from '../fixtures.js';
import { LeanError, intParam, invalidParam, isObject, json, reqAmount, round2, paginate, type Reply } from '../http.js';
import type { RefundRec, RequestCtx, RouteDef, SandboxCore } from '../state.js';
import { sipStatus } from './payments.js';

export const REFUND_REASONS = [
  { code: 'CUSTOMER_REQUEST', description: 'Requested by the customer' },
  { code: 'DUPLICATED_PAYMENT', description: 'Duplicated payment' },
  { code: 'FRAUDULENT_PAYMENT', description: 'Fraudulent payment' },
  { code: 'ORDER_CANCELLED', description: 'Order or service cancelled' },
] as const;
const REASON_CODES: ReadonlySet<string> = new Set(REFUND_REASONS.map((r) => r.code));
const LIST_STATUSES = new Set(['CREATED', 'REJECTED', 'APPROVED', 'FAILED', 'ACCEPTED_BY_BANK', 'PENDING_WITH_BANK']);

export function refundStatus(sb: SandboxCore, r: RefundRec): string {
  if (r.baseStatus !== 'APPROVED' || r.approvedMs === null) return r.baseStatus;
  return sb.clock.now() < r.approvedMs + sb.behaviour.settleSeconds * 1000 ? 'PENDING_WITH_BANK' : 'ACCEPTED_BY_BANK';
}

interface PaymentRef {
  amount: number;
  currency: string;
  beneficiary: { name: string; iban: string; account_id: string; city: string };
}

function findPayment(sb: SandboxCore, id: string): PaymentRef | undefined {
  const sip = sb.state.sipPayments.get(id);
  if (sip && sipStatus(sip, sb.clock.now()) === 'ACCEPTED_BY_BANK') {
    return { amount: sip.amount, currency: sip.currency, beneficiary: { name: sip.sender.name, iban: sip.sender.iban, account_id: sip.senderAccountId, city: 'Dubai' } };
  }
  const aof = sb.state.aofPayments.get(id);
  if (aof && !aof.failure) {
    const acc = ACCOUNTS_BY_ID.get(aof.accountId);
    return { amount: aof.amount, currency: aof.currency, beneficiary: { name: acc?.holder ?? '', iban: acc?.iban ?? '', account_id: aof.accountId, city: 'Dubai' } };
  }
  return undefined;
}

function beneficiaryOf(sb: SandboxCore, r: RefundRec) {
  return findPayment(sb, r.payment_id)?.beneficiary ?? null;
}

function refundJson(sb: SandboxCore, r: RefundRec): Record<string, unknown> {
  return {
    refund_id: r.refund_id,
    deposit_amount: findPayment(sb, r.payment_id)?.amount ?? null,
    deposit_currency: r.currency,
    payment_id: r.payment_id,
    status: refundStatus(sb, r),
    amount: r.amount,
    currency: r.currency,
    reason_code: r.reason_code,
    description: r.description,
    external_reference: r.external_reference,
    beneficiary: beneficiaryOf(sb, r),
    created_at: new Date(r.createdMs).toISOString(),
    created_by: r.created_by,
    actioned_by: r.actioned_by,
    refund_intent_id: null,
  };
}

function arrayBody(ctx: RequestCtx): unknown[] {
  const b = ctx.body;
  if (Array.isArray(b)) return b;
  if (!ctx.sb.behaviour.strict && isObject(b)) return [b];
  throw invalidParam('body', ctx.bodyText.slice(0, 64), false, 'an array is expected');
}

function createRefunds(ctx: RequestCtx): Reply {
  const items = arrayBody(ctx);
  if (items.length === 0) throw invalidParam('body', '[]');
  const { sb } = ctx;
  const batchTotals = new Map<string, number>();
  const parsed = items.map((raw, i) => {
    if (!isObject(raw)) throw invalidParam(`[${i}]`, raw);
    const paymentId = raw.payment_id;
    if (typeof paymentId !== 'string' || paymentId === '') throw invalidParam(`[${i}].payment_id`, paymentId ?? null);
    const amount = reqAmount(raw, 'amount', `[${i}].amount`);
    const currency = raw.currency;
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw invalidParam(`[${i}].currency`, currency ?? null);
    if (typeof raw.reason_code !== 'string' || !REASON_CODES.has(raw.reason_code)) throw invalidParam(`[${i}].reason_code`, raw.reason_code ?? null);
    const status = raw.status ?? 'CREATED';
    if (status !== 'CREATED' && status !== 'APPROVED') throw invalidParam(`[${i}].status`, status);
    const description = typeof raw.description === 'string' ? raw.description : null;
    const ext = typeof raw.external_reference === 'string' ? raw.external_reference : null;
    const payment = findPayment(sb, paymentId.toLowerCase());
    if (!payment) throw new LeanError(404, 'UNKNOWN_PAYMENT', `No refundable payment found for payment_id: ${paymentId}`);
    if (payment.currency !== currency) throw invalidParam(`[${i}].currency`, currency, false, 'must match the original payment');
    const already = [...sb.state.refunds.values()]
      .filter((r) => r.payment_id === paymentId.toLowerCase() && r.baseStatus !== 'REJECTED' && r.baseStatus !== 'FAILED')
      .reduce((s, r) => s + r.amount, 0);
    const batch = (batchTotals.get(paymentId) ?? 0) + amount;
    batchTotals.set(paymentId, batch);
    if (round2(already + batch) > payment.amount) {
      // [fake] code: Lean documents that the total cannot exceed the original payment
      throw new LeanError(400, 'INVALID_AMOUNT', `The total refunded amount would exceed the original payment amount of ${payment.amount}.`);
    }
    return { paymentId: paymentId.toLowerCase(), amount, currency, reason: raw.reason_code, status: status as 'CREATED' | 'APPROVED', description, ext };
  });
  const now = sb.clock.now();
  const out = parsed.map((p) => {
    const rec: RefundRec = {
      refund_id: sb.ids.uuid(),
      payment_id: p.paymentId,
      amount: p.amount,
      currency: p.currency,
      reason_code: p.reason,
      description: p.description,
      external_reference: p.ext,
      createdMs: now,
      created_by: ctx.token.clientId,
      actioned_by: p.status === 'APPROVED' ? ctx.token.clientId : null,
      baseStatus: p.status,
      approvedMs: p.status === 'APPROVED' ? now : null,
    };
    sb.state.refunds.set(rec.refund_id, rec);
    return {
      refund_id: rec.refund_id,
      payment_id: rec.payment_id,
      status: p.status,
      amount: rec.amount,
      currency: rec.currency,
      reason_code: rec.reason_code,
      description: rec.description,
      external_reference: rec.external_reference,
      beneficiary: beneficiaryOf(sb, rec),
    };
  });
  return json(201, out);
}

function processRefunds(ctx: RequestCtx): Reply {
  const items = arrayBody(ctx);
  if (items.length === 0) throw invalidParam('body', '[]');
  const { sb } = ctx;
  const plan = items.map((raw, i) => {
    if (!isObject(raw)) throw invalidParam(`[${i}]`, raw);
    if (typeof raw.refund_id !== 'string') throw invalidParam(`[${i}].refund_id`, raw.refund_id ?? null);
    if (raw.status !== 'APPROVED' && raw.status !== 'REJECTED') throw invalidParam(`[${i}].status`, raw.status ?? null);
    const r = sb.state.refunds.get(raw.refund_id.toLowerCase());
    if (!r) throw new LeanError(404, 'UNKNOWN_REFUND', `No refund found for refund_id: ${raw.refund_id}`);
    if (r.baseStatus !== 'CREATED') {
      throw new LeanError(400, 'INVALID_REFUND_STATUS', `Refund ${r.refund_id} is ${refundStatus(sb, r)} and can no longer be approved or rejected.`);
    }
    return { r, status: raw.status as 'APPROVED' | 'REJECTED' };
  });
  const now = sb.clock.now();
  return json(
    200,
    plan.map(({ r, status }) => {
      r.baseStatus = status;
      r.actioned_by = ctx.token.clientId;
      r.approvedMs = status === 'APPROVED' ? now : null;
      return { refund_id: r.refund_id, status };
    }),
  );
}

export const refundRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/payouts/refunds',
    permission: 'payout.read',
    operation: 'listRefunds',
    handler: (ctx) => {
      const q = ctx.query;
      const status = q.get('status');
      if (status && !LIST_STATUSES.has(status)) throw invalidParam('status', status);
      const page = intParam(q, 'page', 0);
      const size = intParam(q, 'size', 50, { min: 1, max: 1000 });
      const list = [...ctx.sb.state.refunds.values()]
        .filter((r) => !status || refundStatus(ctx.sb, r) === status)
        .sort((a, b) => b.createdMs - a.createdMs)
        .map((r) => refundJson(ctx.sb, r));
      const p = paginate(list, page, size);
      return json(200, { content: p.items, page: p.page });
    },
  },
  { method: 'POST', path: '/payouts/refunds', permission: 'payout.write', operation: 'createRefund', jsonBody: true, idempotency: 'optional', handler: createRefunds },
  { method: 'PUT', path: '/payouts/refunds', permission: 'payout.write', operation: 'processRefunds', jsonBody: true, handler: processRefunds },
  {
    method: 'GET',
    path: '/payouts/refunds/reasons',
    permission: 'payout.read',
    operation: 'getRefundReasons',
    handler: () => json(200, REFUND_REASONS.map((r) => ({ ...r }))),
  },
];
