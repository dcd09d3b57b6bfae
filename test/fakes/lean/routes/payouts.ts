/**
 * Payouts (§3.15–§3.16): payout destinations and payout payments (maker/checker).
 * `GET /payouts/v1/payment/destinations` (list) is NOT documented by Lean; it is
 * served because the corpus capability expects it, and flagged in the journal.
 */
import { ACCOUNTS_BY_ID, PAYOUT_SOURCE_ACCOUNT, isValidIban } from '../fixtures.js';
import { LeanError, intParam, invalidParam, isObject, json, paginate, reqAmount, type Reply } from '../http.js';
import type { PayoutDestinationRec, PayoutRec, RequestCtx, RouteDef, SandboxCore } from '../state.js';
import { amountTrigger } from './payments.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function bankIdentifierFor(iban: string): string {
  const code = iban.slice(0, 2) === 'AE' ? iban.slice(4, 7) : '';
  if (code === '033') return 'LEAN_OF_RETAIL_UAE';
  if (code === '044') return 'GULF_HARBOUR_UAE';
  return iban.slice(0, 2) === 'SA' ? 'LEAN_SME_MB1_KSA' : 'UNKNOWN_BANK_UAE';
}

function destinationJson(d: PayoutDestinationRec): Record<string, unknown> {
  return {
    id: d.id,
    name: d.name,
    display_name: d.display_name,
    short_name: d.display_name,
    bank_identifier: d.bank_identifier,
    iban: d.iban,
    account_number: d.account_number,
    swift_code: d.swift_code,
    status: 'ACTIVE',
    address: d.address,
    country: d.country,
    city: d.city,
    currency_iso_code: d.currency_iso_code,
    branch_address: d.branch_address,
    postal_code: d.postal_code,
    cool_off_expiry: iso(d.coolOffMs),
    customer_id: d.customer_id,
  };
}

interface PayoutView {
  status: string;
  post: string | null;
  pendingManual: boolean;
  events: { event: string; status: string; post_initiation_status: string | null; published_at: string }[];
  updatedMs: number;
}

function payoutView(sb: SandboxCore, p: PayoutRec): PayoutView {
  const now = sb.clock.now();
  const d = sb.state.payoutDestinations.get(p.destinationId);
  const created = (status: string, post: string | null = null) => ({ event: 'payment.created', status, post_initiation_status: post, published_at: iso(p.createdMs)! });
  if (p.failure) return { status: 'FAILED', post: null, pendingManual: false, events: [created('FAILED')], updatedMs: p.createdMs + 1000 };
  if (!p.autoAuthorized) {
    return { status: 'AWAITING_AUTHORIZATION', post: null, pendingManual: true, events: [created('AWAITING_AUTHORIZATION')], updatedMs: p.createdMs };
  }
  const coolOff = d?.coolOffMs ?? null;
  if (coolOff !== null && coolOff > p.createdMs) {
    if (now < coolOff) {
      return { status: 'AWAITING_BENEFICIARY_COOL_OFF', post: null, pendingManual: false, events: [created('AWAITING_BENEFICIARY_COOL_OFF')], updatedMs: p.createdMs };
    }
    return {
      status: 'ACCEPTED_BY_BANK',
      post: 'PROCESSED',
      pendingManual: false,
      events: [
        created('AWAITING_BENEFICIARY_COOL_OFF'),
        { event: 'payment.updated', status: 'ACCEPTED_BY_BANK', post_initiation_status: 'PROCESSED', published_at: iso(coolOff)! },
      ],
      updatedMs: coolOff,
    };
  }
  return {
    status: 'ACCEPTED_BY_BANK',
    post: 'PROCESSED',
    pendingManual: false,
    events: [
      created('ACCEPTED_BY_BANK'),
      { event: 'payment.updated', status: 'ACCEPTED_BY_BANK', post_initiation_status: 'PROCESSED', published_at: iso(p.createdMs + 2000)! },
    ],
    updatedMs: p.createdMs + 2000,
  };
}

function sourceParty(p: PayoutRec) {
  const acc = ACCOUNTS_BY_ID.get(p.sourceAccountId);
  return acc
    ? { account_number: acc.bban, iban: acc.iban, name: acc.subType === 'CURRENT' ? 'Current Account' : 'Savings Account' }
    : { account_number: PAYOUT_SOURCE_ACCOUNT.account_number, iban: PAYOUT_SOURCE_ACCOUNT.iban, name: PAYOUT_SOURCE_ACCOUNT.name };
}

function payoutJson(sb: SandboxCore, p: PayoutRec): Record<string, unknown> {
  const v = payoutView(sb, p);
  const d = sb.state.payoutDestinations.get(p.destinationId);
  return {
    id: p.id,
    payment_intent_id: p.intentId,
    payment_source_id: p.endUserId,
    sender_details: sourceParty(p),
    recipient_details: { account_number: d?.account_number ?? null, iban: d?.iban ?? null, name: d?.name ?? null },
    amount: p.amount,
    currency: p.currency,
    description: p.description,
    submission_timestamp: iso(p.createdMs),
    initiation_timestamp: iso(p.createdMs + 150),
    status: v.status,
    post_initiation_status: v.post,
    bank_transaction_reference: v.status === 'ACCEPTED_BY_BANK' ? p.bankRef : null,
    granular_status_code: p.failure,
    status_additional_details: p.failure ? 'The bank rejected the payment.' : null,
  };
}

function listItem(sb: SandboxCore, p: PayoutRec): Record<string, unknown> {
  const v = payoutView(sb, p);
  const d = sb.state.payoutDestinations.get(p.destinationId);
  return {
    recipient_name: d?.display_name ?? null,
    recipient_bank_name: d?.bank_identifier ?? null,
    recipient_iban: d?.iban ?? null,
    recipient_cool_off_expiry: iso(d?.coolOffMs ?? null),
    recipient_address: d?.address ?? null,
    recipient_city: d?.city ?? null,
    recipient_country: d?.country ?? null,
    description: p.description,
    currency: p.currency,
    amount: p.amount,
    created_at: iso(p.createdMs),
    updated_at: iso(v.updatedMs),
    payment_intent_id: p.intentId,
    auto_authorized: p.autoAuthorized,
    pending_manual_authorization: v.pendingManual,
    status: v.status,
    post_initiation_status: v.post,
    bank_transaction_reference: v.status === 'ACCEPTED_BY_BANK' ? p.bankRef : null,
  };
}

function findPayout(sb: SandboxCore, id: string): PayoutRec | undefined {
  const lower = id.toLowerCase();
  return sb.state.payouts.get(lower) ?? [...sb.state.payouts.values()].find((p) => p.intentId === lower);
}

// ---------------------------------------------------------------------------

const REQUIRED_DEST_FIELDS = ['name', 'iban', 'address', 'country', 'city', 'currency_iso_code'] as const;

function createDestinations(ctx: RequestCtx): Reply {
  let items = ctx.body;
  if (!Array.isArray(items)) {
    if (ctx.sb.behaviour.strict || !isObject(items)) throw invalidParam('body', ctx.bodyText.slice(0, 64), false, 'an array of destinations is expected');
    items = [items];
  }
  const list = items as unknown[];
  if (list.length === 0) throw invalidParam('body', '[]');
  const { sb } = ctx;
  const parsed = list.map((raw, i) => {
    if (!isObject(raw)) throw invalidParam(`[${i}]`, raw);
    for (const f of REQUIRED_DEST_FIELDS) {
      const v = raw[f];
      if (typeof v !== 'string' || v.trim() === '') throw invalidParam(`[${i}].${f}`, v);
    }
    const country = String(raw.country);
    if (!/^[A-Z]{3}$/.test(country)) throw invalidParam(`[${i}].country`, country);
    if (!/^[A-Z]{3}$/.test(String(raw.currency_iso_code))) throw invalidParam(`[${i}].currency_iso_code`, raw.currency_iso_code);
    if (country !== 'ARE' && (typeof raw.branch_address !== 'string' || raw.branch_address.trim() === '')) {
      throw invalidParam(`[${i}].branch_address`, raw.branch_address ?? null, false, 'required outside ARE');
    }
    if (raw.customer_id !== undefined && raw.customer_id !== null && !sb.state.customers.has(String(raw.customer_id))) {
      throw new LeanError(404, 'CUSTOMER_NOT_FOUND', `No customer found for customer_id: ${String(raw.customer_id)}`);
    }
    return raw;
  });
  const now = sb.clock.now();
  const out = parsed.map((raw) => {
    const iban = String(raw.iban).replace(/\s+/g, '').toUpperCase();
    const bank = typeof raw.bank_identifier === 'string' && raw.bank_identifier ? raw.bank_identifier : bankIdentifierFor(iban);
    const display = typeof raw.display_name === 'string' && raw.display_name ? raw.display_name : String(raw.name);
    const accountNumber = typeof raw.account_number === 'string' && raw.account_number ? raw.account_number : iban.slice(-13);
    const taskId = sb.ids.uuid();
    if (!isValidIban(iban)) {
      return { add_beneficiary_task_id: taskId, destination_id: null, bank_identifier: bank, iban, account_number: accountNumber, display_name: display, status: 'FAILED', error_message: 'The IBAN provided is not valid.' };
    }
    const rec: PayoutDestinationRec = {
      id: sb.ids.uuid(),
      name: String(raw.name),
      display_name: display,
      bank_identifier: bank,
      iban,
      account_number: accountNumber,
      swift_code: typeof raw.swift_code === 'string' ? raw.swift_code : null,
      address: String(raw.address),
      country: String(raw.country),
      city: String(raw.city),
      currency_iso_code: String(raw.currency_iso_code),
      branch_address: typeof raw.branch_address === 'string' ? raw.branch_address : null,
      postal_code: typeof raw.postal_code === 'string' ? raw.postal_code : null,
      customer_id: typeof raw.customer_id === 'string' ? raw.customer_id : null,
      coolOffMs: null,
      createdMs: now,
    };
    sb.state.payoutDestinations.set(rec.id, rec);
    return { add_beneficiary_task_id: taskId, destination_id: rec.id, bank_identifier: bank, iban, account_number: accountNumber, display_name: display, status: 'CONFIRMED', error_message: null };
  });
  return json(200, out);
}

function createPayout(ctx: RequestCtx): Reply {
  const b = ctx.body;
  if (!isObject(b)) throw invalidParam('body', ctx.bodyText.slice(0, 64));
  const details = b.payment_details;
  if (!Array.isArray(details) || details.length === 0) throw invalidParam('payment_details', details ?? null);
  const { sb } = ctx;
  const plan = details.flatMap((pd, i) => {
    if (!isObject(pd)) throw invalidParam(`payment_details[${i}]`, pd);
    const accountId = pd.account_id;
    if (typeof accountId !== 'string' || (accountId !== PAYOUT_SOURCE_ACCOUNT.id && !ACCOUNTS_BY_ID.has(accountId))) {
      throw invalidParam(`payment_details[${i}].account_id`, accountId ?? null);
    }
    const cur = pd.currency;
    if (cur !== 'AED') throw invalidParam(`payment_details[${i}].currency`, cur ?? null);
    const dd = Array.isArray(pd.destination_details) ? pd.destination_details : isObject(pd.destination_details) ? [pd.destination_details] : null;
    if (!dd || dd.length === 0) throw invalidParam(`payment_details[${i}].destination_details`, pd.destination_details ?? null);
    return dd.map((d, j) => {
      const label = `payment_details[${i}].destination_details[${j}]`;
      if (!isObject(d)) throw invalidParam(label, d);
      if (typeof d.payment_destination_id !== 'string') throw invalidParam(`${label}.payment_destination_id`, d.payment_destination_id ?? null);
      const amount = reqAmount(d, 'amount', `${label}.amount`);
      const description = d.description;
      if (typeof description !== 'string' || description.length === 0 || description.length > 32) throw invalidParam(`${label}.description`, description ?? null);
      if (d.currency !== undefined && d.currency !== null && d.currency !== cur) throw invalidParam(`${label}.currency`, d.currency);
      const ext = typeof d.external_reference === 'string' ? d.external_reference : null;
      const authorize = d.authorize_payment === true || d.authorize_payment === 'true';
      return { accountId, destId: d.payment_destination_id, amount, description, ext, authorize };
    });
  });
  const now = sb.clock.now();
  const sourceIban = accountIban(plan[0]!.accountId);
  const out = plan.map((p) => {
    const dest = sb.state.payoutDestinations.get(p.destId.toLowerCase());
    const intentId = sb.ids.uuid();
    const taskId = sb.ids.uuid();
    const base = { payment_intent_id: intentId, initiate_payment_task_id: taskId, account_number: sourceIban.account_number, iban: sourceIban.iban };
    if (!dest) {
      return {
        ...base,
        destination_details: { destination_id: p.destId, amount: p.amount, currency: 'AED', payment_status: 'FAILED', error_message: 'Payment destination not found', recipient_details: null },
        bank_identifier: null,
      };
    }
    const rec: PayoutRec = {
      id: sb.ids.uuid(),
      intentId,
      endUserId: p.accountId,
      customerId: dest.customer_id ?? '',
      sourceAccountId: p.accountId,
      destinationId: dest.id,
      amount: p.amount,
      currency: 'AED',
      description: p.description,
      externalReference: p.ext,
      createdMs: now,
      autoAuthorized: p.authorize,
      failure: amountTrigger(p.amount),
      bankRef: `LP${String(now).slice(-9)}`,
      initiateTaskId: taskId,
    };
    sb.state.payouts.set(rec.id, rec);
    return {
      ...base,
      destination_details: {
        destination_id: dest.id,
        amount: p.amount,
        currency: 'AED',
        payment_status: 'CREATED',
        error_message: null,
        recipient_details: { account_number: dest.account_number, iban: dest.iban, name: dest.display_name },
      },
      bank_identifier: dest.bank_identifier,
    };
  });
  return json(200, { end_user_id: plan[0]!.accountId, payouts_payment_details: out });
}

function accountIban(accountId: string): { iban: string; account_number: string } {
  const acc = ACCOUNTS_BY_ID.get(accountId);
  return acc ? { iban: acc.iban, account_number: acc.bban } : { iban: PAYOUT_SOURCE_ACCOUNT.iban, account_number: PAYOUT_SOURCE_ACCOUNT.account_number };
}

function dateOrIso(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(ms)) throw invalidParam(name, raw);
  return ms;
}

function numParam(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw invalidParam(name, raw);
  return n;
}

function listPayouts(ctx: RequestCtx): Reply {
  const q = ctx.query;
  const page = intParam(q, 'page_number', 0);
  const size = intParam(q, 'page_size', 50, { min: 1, max: 1000 });
  const min = numParam(q, 'amount_min');
  const max = numParam(q, 'amount_max');
  const from = dateOrIso(q, 'from');
  const to = dateOrIso(q, 'to');
  const fromU = dateOrIso(q, 'from_updated_at');
  const toU = dateOrIso(q, 'to_updated_at');
  const { sb } = ctx;
  const list = [...sb.state.payouts.values()]
    .filter((p) => (min === undefined || p.amount >= min) && (max === undefined || p.amount <= max))
    .filter((p) => (from === undefined || p.createdMs >= from) && (to === undefined || p.createdMs <= to))
    .filter((p) => {
      if (fromU === undefined && toU === undefined) return true;
      const u = payoutView(sb, p).updatedMs;
      return (fromU === undefined || u >= fromU) && (toU === undefined || u <= toU);
    })
    .sort((a, b) => b.createdMs - a.createdMs)
    .map((p) => listItem(sb, p));
  const p = paginate(list, page, size);
  return json(200, { content: p.items, page: p.page });
}

export const payoutRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/payouts/v1/payment',
    permission: 'payout.write',
    operation: 'createPayoutPayment',
    jsonBody: true,
    idempotency: 'optional',
    handler: createPayout,
  },
  { method: 'GET', path: '/payouts/v1/payments', permission: 'payout.read', operation: 'listPayouts', handler: listPayouts },
  {
    method: 'GET',
    path: '/payouts/v1/payments/{payment_id}/history',
    permission: 'payout.read',
    operation: 'getPayoutPaymentHistory',
    handler: (ctx) => {
      const p = findPayout(ctx.sb, ctx.params.payment_id!);
      if (!p) throw new LeanError(404, 'UNKNOWN_PAYMENT', `No payout found for payment_id: ${ctx.params.payment_id}`);
      const page = intParam(ctx.query, 'page_number', intParam(ctx.query, 'page', 0));
      const size = intParam(ctx.query, 'page_size', intParam(ctx.query, 'size', 10, { min: 1, max: 100 }), { min: 1, max: 100 });
      const pg = paginate([{ payment_id: p.id, events: payoutView(ctx.sb, p).events }], page, size);
      return json(200, { content: pg.items, page: pg.page });
    },
  },
  {
    method: 'GET',
    path: '/payouts/v1/intents/{payment_intent_id}',
    permission: 'payout.read',
    operation: 'getPayoutIntent',
    handler: (ctx) => {
      const id = ctx.params.payment_intent_id!.toLowerCase();
      const p = [...ctx.sb.state.payouts.values()].find((x) => x.intentId === id);
      if (!p) throw new LeanError(404, 'UNKNOWN_PAYMENT_INTENT', `No payout intent found for payment_intent_id: ${ctx.params.payment_intent_id}`);
      const d = ctx.sb.state.payoutDestinations.get(p.destinationId);
      return json(200, {
        payment_intent_id: p.intentId,
        customer_id: p.customerId || null,
        amount: p.amount,
        currency: p.currency,
        description: p.description,
        external_reference: p.externalReference,
        payment: payoutJson(ctx.sb, p),
        payment_destination: d
          ? {
              id: d.id,
              name: d.name,
              bank_identifier: d.bank_identifier,
              short_name: d.display_name,
              iban: d.iban,
              account_number: d.account_number,
              swift_code: d.swift_code,
              status: 'ACTIVE',
              address: d.address,
              country: d.country,
              city: d.city,
              emirate: d.country === 'ARE' ? d.city : null,
              ifsc: null,
              sort_code: null,
              cool_off_expiry: iso(d.coolOffMs),
              routing_code: null,
              transit_code: null,
              branch_address: d.branch_address,
              currency_iso_code: d.currency_iso_code,
              postal_code: d.postal_code,
            }
          : null,
      });
    },
  },
  {
    method: 'POST',
    path: '/payouts/v1/payment/destinations',
    permission: 'destination.write',
    operation: 'createPayoutDestination',
    jsonBody: true,
    handler: createDestinations,
  },
  {
    method: 'GET',
    path: '/payouts/v1/payment/destinations',
    permission: 'destination.read',
    operation: 'listPayoutDestinations',
    undocumented: true,
    handler: (ctx) => json(200, [...ctx.sb.state.payoutDestinations.values()].map(destinationJson)),
  },
  {
    method: 'GET',
    path: '/payouts/v1/payment/destinations/{destination_id}',
    permission: 'destination.read',
    operation: 'getPayoutDestination',
    handler: (ctx) => {
      const d = ctx.sb.state.payoutDestinations.get(ctx.params.destination_id!.toLowerCase());
      if (!d) throw new LeanError(404, 'UNKNOWN_PAYMENT_DESTINATION', `No payment destination found for destination_id: ${ctx.params.destination_id}`);
      return json(200, destinationJson(d));
    },
  },
  {
    method: 'GET',
    path: '/payouts/v1/{payment_id}',
    permission: 'payout.read',
    operation: 'getPayout',
    handler: (ctx) => {
      const p = ctx.sb.state.payouts.get(ctx.params.payment_id!.toLowerCase());
      if (!p) throw new LeanError(404, 'UNKNOWN_PAYMENT', `No payout found for payment_id: ${ctx.params.payment_id}`);
      return json(200, payoutJson(ctx.sb, p));
    },
  },
];
