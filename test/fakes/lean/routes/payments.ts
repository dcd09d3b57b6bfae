/**
 * Payments (§3.12–§3.14): single instant payment intents, payments, payment
 * destinations, Account-on-File consents and payments, consents.
 */
import { ACCOUNTS_BY_ID, ENTITIES, HOLDER_C1, LEAN_IDS, MOCK_BANK_MAX, MOCK_BANK_MIN } from '../fixtures.js';
import { LeanError, intParam, invalidParam, isObject, json, optString, reqAmount, reqString, paginate, round2, type Reply } from '../http.js';
import type {
  AofPaymentRec,
  ConsentRec,
  ControlParameters,
  IntentRec,
  Party,
  PaymentDestinationRec,
  RequestCtx,
  RouteDef,
  SandboxCore,
  SipPaymentRec,
} from '../state.js';
import { requireCustomer } from './customers.js';

const iso = (ms: number) => new Date(ms).toISOString();

export const PURPOSES: Record<string, string> = {
  FIS: 'Financial services',
  TCS: 'Telecommunication services',
  MWP: 'Mobile wallet card payments',
  OAT: 'Own account transfer',
  IFS: 'Information services',
  RNT: 'Rent payments',
  LNC: 'Loan charges',
  PIN: 'Personal investments',
  GDS: 'Goods bought or sold',
};

/** Fake amount triggers (§5.8): cents .13 → INSUFFICIENT_BALANCE, .14 → BANK_ISSUE. */
export function amountTrigger(amount: number): string | null {
  const cents = Math.round(amount * 100) % 100;
  if (cents === 13) return 'INSUFFICIENT_BALANCE';
  if (cents === 14) return 'BANK_ISSUE';
  return null;
}

function currency(body: Record<string, unknown>, field = 'currency'): string {
  const c = body[field];
  if (typeof c !== 'string' || !/^[A-Z]{3}$/.test(c)) throw invalidParam(field, c);
  if (c !== 'AED') throw invalidParam(field, c, false, 'only AED is supported');
  return c;
}

// ---------------------------------------------------------------------------
// JSON views

function destinationJson(d: PaymentDestinationRec): Record<string, unknown> {
  return {
    id: d.id,
    bank_identifier: d.bank_identifier,
    name: d.name,
    iban: d.iban,
    display_name: d.display_name,
    account_number: d.account_number,
    swift_code: d.swift_code,
    status: d.status,
    address: d.address,
    country: d.country,
    city: d.city,
    default: d.default,
    owner_type: d.owner_type,
    ifsc: null,
    sort_code: null,
    routing_number: null,
    transit_code: null,
    branch_address: d.branch_address,
    currency_iso_code: d.currency_iso_code,
    postal_code: null,
    confirmation_of_payee_status: 'MATCH',
    bank_type: 'RETAIL',
  };
}

export function sipStatus(p: SipPaymentRec, now: number): string {
  return now < p.settleMs ? 'PENDING_WITH_BANK' : p.finalStatus;
}

export function sipPaymentJson(p: SipPaymentRec, now: number): Record<string, unknown> {
  const status = sipStatus(p, now);
  const out: Record<string, unknown> = {
    id: p.id,
    payment_intent_id: p.intentId,
    payment_source_id: p.paymentSourceId,
    sender_details: { ...p.sender },
    recipient_details: { ...p.recipient },
    amount: p.amount,
    currency: p.currency,
    description: p.description,
    submission_timestamp: iso(p.submissionMs),
    initiation_timestamp: iso(p.initiationMs),
    status,
    bank_transaction_reference: status === 'ACCEPTED_BY_BANK' ? p.bankRef : null,
  };
  if (status === 'FAILED') {
    out.granular_status_code = p.failureCode;
    out.status_additional_details = p.failureCode === 'INSUFFICIENT_BALANCE' ? 'The account has insufficient balance.' : 'The bank rejected the payment.';
  }
  return out;
}

function intentJson(sb: SandboxCore, i: IntentRec): Record<string, unknown> {
  const now = sb.clock.now();
  const d = sb.state.paymentDestinations.get(i.destinationId);
  const payments = i.paymentIds.map((id) => sb.state.sipPayments.get(id)).filter((p): p is SipPaymentRec => !!p);
  const lastSettle = payments.reduce((m, p) => (p.settleMs <= now ? Math.max(m, p.settleMs) : m), i.updatedMs);
  return {
    payment_intent_id: i.payment_intent_id,
    customer_id: i.customer_id,
    amount: i.amount,
    currency: i.currency,
    description: i.description,
    payments: payments.map((p) => sipPaymentJson(p, now)),
    payment_destination: d ? destinationJson(d) : null,
    created_at: iso(i.createdMs),
    updated_at: iso(lastSettle),
  };
}

function consentJson(c: ConsentRec, appId: string): Record<string, unknown> {
  const account = c.senderAccountId ? ACCOUNTS_BY_ID.get(c.senderAccountId) : undefined;
  return {
    consent_id: c.id,
    bank_identifier: c.bankIdentifier,
    application_id: appId,
    start_date_time: iso(c.startMs),
    expiration_date_time: iso(c.expirationMs),
    customer_id: c.customer_id,
    status: c.status,
    destination_account_id: c.destination_account_id,
    sender_account_id: c.senderAccountId,
    reference: c.reference,
    consented_account: account ? { iban: account.iban, holder_name: account.holder } : null,
    currency: c.currency,
    payment_purpose: { code: c.purpose, description: PURPOSES[c.purpose] ?? null },
    control_parameters: { type: 'VariableOnDemand', ...c.control },
    payment_consumption: {
      cumulative_number_of_payments: c.consumption.count,
      cumulative_value_of_payments: round2(c.consumption.value),
      cumulative_number_of_payments_in_current_period: c.consumption.countPeriod,
      cumulative_value_of_payments_in_current_period: round2(c.consumption.valuePeriod),
    },
    immediate_payment: c.immediate_payment,
  };
}

function consentOr404(ctx: RequestCtx): ConsentRec {
  const c = ctx.sb.state.consents.get(String(ctx.params.consent_id).toLowerCase());
  if (!c) throw new LeanError(404, 'UNKNOWN_CONSENT', `No consent found for consent_id: ${ctx.params.consent_id}`);
  return c;
}

function appIdFor(c: ConsentRec, ctx: RequestCtx): string {
  return c.id.startsWith('a0fc0000') ? LEAN_IDS.applicationId : ctx.token.clientId;
}

// ---------------------------------------------------------------------------
// control-plane actions (stand-ins for LinkSDK pay() and authorizeConsent())

function senderFor(sb: SandboxCore, customerId: string): { party: Party; accountId: string; sourceId: string } {
  const ps = [...sb.state.paymentSources.values()].find((p) => p.customer_id === customerId && p.status === 'ACTIVE');
  const account = ps ? ACCOUNTS_BY_ID.get(ps.accountIds[0]!) : undefined;
  if (ps && account) {
    return { party: { account_number: account.bban, iban: account.iban, name: account.holder }, accountId: account.id, sourceId: ps.id };
  }
  const fallback = ACCOUNTS_BY_ID.get(LEAN_IDS.accounts.CURRENT)!;
  return {
    party: { account_number: fallback.bban, iban: fallback.iban, name: customerId === LEAN_IDS.customers.C1 ? HOLDER_C1 : 'Sandbox Payer' },
    accountId: fallback.id,
    sourceId: LEAN_IDS.paymentSources.PS1,
  };
}

/** Simulates the end user paying an intent through the LinkSDK. */
export function payIntent(sb: SandboxCore, intentId: string, outcome?: 'ACCEPTED_BY_BANK' | 'FAILED'): Record<string, unknown> {
  const intent = sb.state.intents.get(intentId);
  if (!intent) throw new LeanError(404, 'UNKNOWN_PAYMENT_INTENT', `No payment intent found for payment_intent_id: ${intentId}`);
  const now = sb.clock.now();
  const dest = sb.state.paymentDestinations.get(intent.destinationId)!;
  const sender = senderFor(sb, intent.customer_id);
  const trigger = amountTrigger(intent.amount);
  const failureCode = outcome === 'FAILED' ? (trigger ?? 'BANK_ISSUE') : outcome === 'ACCEPTED_BY_BANK' ? null : trigger;
  const rec: SipPaymentRec = {
    id: sb.ids.uuid(),
    intentId,
    paymentSourceId: sender.sourceId,
    sender: sender.party,
    recipient: { account_number: dest.account_number, iban: dest.iban, name: dest.name },
    amount: intent.amount,
    currency: intent.currency,
    description: intent.description,
    submissionMs: now,
    initiationMs: now + 1000,
    settleMs: now + sb.behaviour.settleSeconds * 1000,
    finalStatus: failureCode ? 'FAILED' : 'ACCEPTED_BY_BANK',
    failureCode,
    bankRef: `LF${String(now).slice(-10)}`,
    senderAccountId: sender.accountId,
  };
  sb.state.sipPayments.set(rec.id, rec);
  intent.paymentIds.push(rec.id);
  intent.updatedMs = now;
  return sipPaymentJson(rec, now);
}

/** Simulates the end user authorising an AOF consent through the LinkSDK. */
export function authorizeConsent(sb: SandboxCore, consentId: string): Record<string, unknown> {
  const c = sb.state.consents.get(consentId);
  if (!c) throw new LeanError(404, 'UNKNOWN_CONSENT', `No consent found for consent_id: ${consentId}`);
  if (c.status !== 'AWAITING_AUTHORISATION' && c.status !== 'AUTHORISED') {
    throw new LeanError(409, 'INVALID_CONSENT_STATUS', `Consent ${consentId} is ${c.status} and cannot be authorised.`);
  }
  if (c.status === 'AWAITING_AUTHORISATION') {
    const entity = ENTITIES.find((e) => e.customerId === c.customer_id);
    c.status = 'AUTHORISED';
    c.senderAccountId = entity?.accountIds[0] ?? LEAN_IDS.accounts.CURRENT;
    c.bankIdentifier = 'LEAN_OF_RETAIL_UAE';
    c.history.push({
      id: sb.ids.uuid(),
      type: 'CONSENT_AUTHORISED',
      description: 'The consent was authorised by the customer.',
      timestamp: sb.clock.iso(),
      updated_by: 'CUSTOMER',
      reason: null,
    });
  }
  return consentJson(c, LEAN_IDS.applicationId);
}

// ---------------------------------------------------------------------------
// handlers

function createIntent(ctx: RequestCtx): Reply {
  const b = ctx.body;
  if (!isObject(b)) throw invalidParam('body', ctx.bodyText.slice(0, 64));
  const customerId = reqString(b, 'customer_id');
  const amount = reqAmount(b, 'amount');
  const cur = currency(b);
  const description = optString(b, 'description', 140);
  const purpose = optString(b, 'purpose_code');
  if (purpose !== undefined && !PURPOSES[purpose]) throw invalidParam('purpose_code', purpose);
  requireCustomer(ctx, customerId);
  const destId = optString(b, 'payment_destination_id') ?? LEAN_IDS.destinations.D1;
  if (!ctx.sb.state.paymentDestinations.has(destId)) {
    throw new LeanError(404, 'UNKNOWN_PAYMENT_DESTINATION', `No payment destination found for payment_destination_id: ${destId}`);
  }
  if (amount < MOCK_BANK_MIN) throw new LeanError(400, 'AMOUNT_UNDER_MIN_VALUE', `The amount ${amount} is below the minimum allowed value of ${MOCK_BANK_MIN}.`);
  if (amount > MOCK_BANK_MAX) throw new LeanError(400, 'AMOUNT_OVER_MAX_VALUE', `The amount ${amount} is above the maximum allowed value of ${MOCK_BANK_MAX}.`);
  const now = ctx.sb.clock.now();
  const id = ctx.sb.ids.uuid();
  const rec: IntentRec = {
    payment_intent_id: id,
    customer_id: customerId,
    amount,
    currency: cur,
    description: description ?? id.replace(/-/g, ''),
    destinationId: destId,
    purpose_code: purpose ?? null,
    paymentIds: [],
    createdMs: now,
    updatedMs: now,
  };
  ctx.sb.state.intents.set(id, rec);
  return json(200, intentJson(ctx.sb, rec));
}

function numOrNull(v: unknown, field: string): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0) throw invalidParam(`control_parameters.${field}`, v);
  return n;
}

function createAofConsent(ctx: RequestCtx): Reply {
  const b = ctx.body;
  if (!isObject(b)) throw invalidParam('body', ctx.bodyText.slice(0, 64));
  const customerId = reqString(b, 'customer_id');
  const destId = reqString(b, 'destination_account_id');
  const cur = currency(b);
  const reference = optString(b, 'reference', 64) ?? null;
  const purpose = reqString(b, 'purpose');
  if (!PURPOSES[purpose]) throw invalidParam('purpose', purpose);
  const cp = b.control_parameters;
  if (!isObject(cp)) throw invalidParam('control_parameters', cp ?? null);
  const periodType = cp.period_type;
  if (!['Day', 'Week', 'Month', 'Year'].includes(String(periodType))) throw invalidParam('control_parameters.period_type', periodType);
  const control: ControlParameters = {
    period_type: String(periodType),
    max_individual_amount: numOrNull(cp.max_individual_amount, 'max_individual_amount'),
    max_cumulative_amount: numOrNull(cp.max_cumulative_amount, 'max_cumulative_amount'),
    max_cumulative_number_of_payments: numOrNull(cp.max_cumulative_number_of_payments, 'max_cumulative_number_of_payments'),
    max_cumulative_amount_per_period: numOrNull(cp.max_cumulative_amount_per_period, 'max_cumulative_amount_per_period'),
    max_cumulative_number_of_payments_per_period: numOrNull(cp.max_cumulative_number_of_payments_per_period, 'max_cumulative_number_of_payments_per_period'),
  };
  if (control.max_individual_amount === null && control.max_cumulative_amount === null && control.max_cumulative_number_of_payments === null) {
    throw invalidParam('control_parameters', 'null', false, 'at least one of max_individual_amount, max_cumulative_amount, max_cumulative_number_of_payments is required');
  }
  if (b.government_identifier !== undefined && b.government_identifier !== null) {
    const g = b.government_identifier;
    if (!isObject(g) || g.type !== 'EMIRATES_ID' || typeof g.value !== 'string') throw invalidParam('government_identifier', g);
  }
  let immediate: Record<string, unknown> | null = null;
  if (b.immediate_payment !== undefined && b.immediate_payment !== null) {
    const ip = b.immediate_payment;
    if (!isObject(ip)) throw invalidParam('immediate_payment', ip);
    immediate = {
      amount: reqAmount(ip, 'amount', 'immediate_payment.amount'),
      reference: optString(ip, 'reference', 64, 'immediate_payment.reference') ?? null,
      creditor_reference: optString(ip, 'creditor_reference', 64, 'immediate_payment.creditor_reference') ?? null,
    };
  }
  requireCustomer(ctx, customerId);
  if (!ctx.sb.state.paymentDestinations.has(destId)) {
    throw new LeanError(404, 'UNKNOWN_PAYMENT_DESTINATION', `No payment destination found for destination_account_id: ${destId}`);
  }
  const now = ctx.sb.clock.now();
  const id = ctx.sb.ids.uuid();
  const rec: ConsentRec = {
    id,
    startMs: now,
    expirationMs: now + 365 * 86_400_000,
    customer_id: customerId,
    status: 'AWAITING_AUTHORISATION',
    destination_account_id: destId,
    reference,
    currency: cur,
    purpose,
    control,
    immediate_payment: immediate,
    senderAccountId: null,
    bankIdentifier: null,
    consumption: { count: 0, value: 0, countPeriod: 0, valuePeriod: 0 },
    history: [{ id: ctx.sb.ids.uuid(), type: 'CONSENT_CREATED', description: 'A new consent was created.', timestamp: iso(now), updated_by: 'LEAN', reason: null }],
  };
  ctx.sb.state.consents.set(id, rec);
  return json(200, {
    id,
    application_id: ctx.token.clientId,
    start_date_time: iso(rec.startMs),
    expiration_date_time: iso(rec.expirationMs),
    customer_id: customerId,
    status: rec.status,
    destination_account_id: destId,
    reference,
    currency: cur,
    purpose,
    control_parameters: { ...control },
    immediate_payment: immediate,
  });
}

function initiateAofPayment(ctx: RequestCtx): Reply {
  const b = ctx.body;
  if (!isObject(b)) throw invalidParam('body', ctx.bodyText.slice(0, 64));
  const consentId = reqString(b, 'consent_id');
  const amount = reqAmount(b, 'amount');
  const reference = optString(b, 'reference', 64) ?? null;
  optString(b, 'creditor_reference', 64);
  const purpose = optString(b, 'purpose');
  if (purpose !== undefined && !PURPOSES[purpose]) throw invalidParam('purpose', purpose);
  if (b.risk_details !== undefined && b.risk_details !== null && !isObject(b.risk_details)) throw invalidParam('risk_details', b.risk_details);
  const consent = ctx.sb.state.consents.get(consentId.toLowerCase());
  if (!consent) throw new LeanError(404, 'UNKNOWN_CONSENT', `No consent found for consent_id: ${consentId}`);
  if (consent.status !== 'AUTHORISED') {
    // [fake] Lean's exact code is undocumented
    throw new LeanError(400, 'CONSENT_NOT_AUTHORISED', `The consent ${consentId} is ${consent.status} and cannot be used for payments.`);
  }
  const now = ctx.sb.clock.now();
  const c = consent.control;
  let failure: AofPaymentRec['failure'] = null;
  if (c.max_individual_amount !== null && amount > c.max_individual_amount) {
    failure = { code: 'LIMIT_EXCEEDED', details: `The amount exceeds the consent's max_individual_amount of ${c.max_individual_amount}.` };
  } else if (c.max_cumulative_amount !== null && consent.consumption.value + amount > c.max_cumulative_amount) {
    failure = { code: 'LIMIT_EXCEEDED', details: "The payment would exceed the consent's max_cumulative_amount." };
  } else if (c.max_cumulative_number_of_payments !== null && consent.consumption.count + 1 > c.max_cumulative_number_of_payments) {
    failure = { code: 'LIMIT_EXCEEDED', details: "The payment would exceed the consent's max_cumulative_number_of_payments." };
  } else {
    const trig = amountTrigger(amount);
    if (trig) failure = { code: trig, details: trig === 'BANK_ISSUE' ? 'The bank is having technical issues. Please try again later.' : 'The account has insufficient balance.' };
  }
  const rec: AofPaymentRec = {
    id: ctx.sb.ids.uuid(),
    consentId: consent.id,
    accountId: consent.senderAccountId ?? LEAN_IDS.accounts.CURRENT,
    customerId: consent.customer_id,
    amount,
    currency: consent.currency,
    reference,
    createdMs: now,
    failure,
  };
  ctx.sb.state.aofPayments.set(rec.id, rec);
  if (!failure) {
    consent.consumption.count += 1;
    consent.consumption.value = round2(consent.consumption.value + amount);
    consent.consumption.countPeriod += 1;
    consent.consumption.valuePeriod = round2(consent.consumption.valuePeriod + amount);
  }
  const out: Record<string, unknown> = {
    id: rec.id,
    account_id: rec.accountId,
    application_id: ctx.token.clientId,
    consent_id: rec.consentId,
    status: failure ? 'FAILED' : 'CREATED',
    reference,
    amount: { currency: rec.currency, amount },
    type: 'ACCOUNT_ON_FILE',
    sender_customer_id: rec.customerId,
    created_at: iso(now),
    last_modified_at: iso(now),
  };
  if (failure) out.failure_details = { ...failure };
  return json(200, out);
}

function listIntents(ctx: RequestCtx): Reply {
  const q = ctx.query;
  const page = intParam(q, 'page', 0);
  const size = intParam(q, 'size', 50, { min: 1, max: 100 });
  const customerId = q.get('customer_id');
  const from = q.get('from') ? Date.parse(q.get('from')!) : undefined;
  const to = q.get('to') ? Date.parse(q.get('to')!) : undefined;
  if (from !== undefined && Number.isNaN(from)) throw invalidParam('from', q.get('from'));
  if (to !== undefined && Number.isNaN(to)) throw invalidParam('to', q.get('to'));
  const status = q.get('status');
  const now = ctx.sb.clock.now();
  const list = [...ctx.sb.state.intents.values()]
    .filter((i) => !customerId || i.customer_id === customerId)
    .filter((i) => (from === undefined || i.createdMs >= from) && (to === undefined || i.createdMs <= to))
    .filter((i) => {
      if (!status) return true;
      const last = i.paymentIds.length ? ctx.sb.state.sipPayments.get(i.paymentIds[i.paymentIds.length - 1]!) : undefined;
      return last ? sipStatus(last, now) === status : status === 'CREATED';
    })
    .sort((a, b) => b.createdMs - a.createdMs)
    .map((i) => intentJson(ctx.sb, i));
  const p = paginate(list, page, size);
  return json(200, { data: p.items, page: p.page });
}

function consentDetailRoutes(prefix: string): RouteDef[] {
  return [
    {
      method: 'GET',
      path: `${prefix}/{consent_id}`,
      permission: 'payment.read',
      operation: 'getConsentDetails',
      handler: (ctx) => {
        const c = consentOr404(ctx);
        return json(200, consentJson(c, appIdFor(c, ctx)));
      },
    },
    {
      method: 'GET',
      path: `${prefix}/{consent_id}/balance`,
      permission: 'payment.read',
      operation: 'fetchConsentBalance',
      handler: (ctx) => {
        const c = consentOr404(ctx);
        if (c.status !== 'AUTHORISED') {
          throw new LeanError(409, 'CONSENT_NOT_AUTHORISED', 'The specified consent is not authorised.');
        }
        const acc = ACCOUNTS_BY_ID.get(c.senderAccountId ?? '');
        return json(200, { currency: c.currency, balance: acc ? acc.balance : 0 });
      },
    },
    {
      method: 'GET',
      path: `${prefix}/{consent_id}/history`,
      permission: 'payment.read',
      operation: 'getConsentHistory',
      handler: (ctx) => {
        const c = consentOr404(ctx);
        const page = intParam(ctx.query, 'page_number', intParam(ctx.query, 'page', 0));
        const size = intParam(ctx.query, 'page_size', intParam(ctx.query, 'size', 100, { min: 1, max: 1000 }), { min: 1, max: 1000 });
        const p = paginate(c.history, page, size);
        return json(200, { data: p.items, page: p.page });
      },
    },
  ];
}

export const paymentRoutes: RouteDef[] = [
  { method: 'POST', path: '/payments/v1/intents', permission: 'intent.write', operation: 'createPaymentIntent', jsonBody: true, handler: createIntent },
  { method: 'GET', path: '/payments/v1/intents', permission: 'payment.read', operation: 'listPaymentIntents', handler: listIntents },
  {
    method: 'GET',
    path: '/payments/v1/intents/{intent_id}',
    permission: 'payment.read',
    operation: 'getPaymentByIntentId',
    handler: (ctx) => {
      const i = ctx.sb.state.intents.get(ctx.params.intent_id!.toLowerCase());
      if (!i) throw new LeanError(404, 'UNKNOWN_PAYMENT_INTENT', `No payment intent found for payment_intent_id: ${ctx.params.intent_id}`);
      return json(200, intentJson(ctx.sb, i));
    },
  },
  {
    method: 'GET',
    path: '/payments/v1/destinations',
    permission: 'destination.read',
    operation: 'listPaymentDestinations',
    handler: (ctx) =>
      json(
        200,
        [...ctx.sb.state.paymentDestinations.values()].map((d) => ({
          id: d.id,
          status: d.status,
          default: d.default,
          name: d.name,
          iban: d.iban,
          display_name: d.display_name,
          address: d.address,
          city: d.city,
          country: d.country,
          swift_code: d.swift_code,
          account_number: d.account_number,
          currency: d.currency_iso_code,
        })),
      ),
  },
  {
    method: 'GET',
    path: '/payments/v1/{payment_id}',
    permission: 'payment.read',
    operation: 'getPaymentByPaymentId',
    handler: (ctx) => {
      const p = ctx.sb.state.sipPayments.get(ctx.params.payment_id!.toLowerCase());
      if (!p) throw new LeanError(404, 'UNKNOWN_PAYMENT', `No payment found for payment_id: ${ctx.params.payment_id}`);
      return json(200, sipPaymentJson(p, ctx.sb.clock.now()));
    },
  },
  // Account on File
  { method: 'POST', path: '/consents/account-on-file', permission: 'intent.write', operation: 'createAofConsent', jsonBody: true, handler: createAofConsent },
  { method: 'POST', path: '/consents/v1/account-on-file', permission: 'intent.write', operation: 'createAofConsent', jsonBody: true, handler: createAofConsent },
  {
    method: 'POST',
    path: '/payments/account-on-file',
    permission: 'intent.write',
    operation: 'initiateAofPayment',
    jsonBody: true,
    idempotency: 'required',
    handler: initiateAofPayment,
  },
  {
    method: 'POST',
    path: '/payments/v1/account-on-file',
    permission: 'intent.write',
    operation: 'initiateAofPayment',
    jsonBody: true,
    idempotency: 'required',
    handler: initiateAofPayment,
  },
  // Consents
  {
    method: 'GET',
    path: '/consents/v1',
    permission: 'payment.read',
    operation: 'listCustomerConsents',
    handler: (ctx) => {
      const q = ctx.query;
      const customerId = q.get('customer_id');
      if (customerId) requireCustomer(ctx, customerId);
      const statuses = [...q.getAll('status'), ...q.getAll('status[]')].flatMap((s) => s.split(',')).filter(Boolean);
      const page = intParam(q, 'page_number', 0);
      const size = intParam(q, 'page_size', 100, { min: 1, max: 1000 });
      const list = [...ctx.sb.state.consents.values()]
        .filter((c) => !customerId || c.customer_id === customerId)
        .filter((c) => statuses.length === 0 || statuses.includes(c.status))
        .map((c) => consentJson(c, appIdFor(c, ctx)));
      const p = paginate(list, page, size);
      return json(200, { data: p.items, page: p.page });
    },
  },
  ...consentDetailRoutes('/consents'),
  ...consentDetailRoutes('/consents/v1'),
];

