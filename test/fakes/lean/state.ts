/**
 * Mutable per-sandbox state (customers, refreshes, intents, consents, payouts,
 * refunds…), seeded from the fixtures, plus the context objects handed to routes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FakeClock } from './clock.js';
import {
  APP_USER_IDS,
  ACCOUNTS_BY_ID,
  ENTITIES,
  HOLDER_C1,
  LEAN_IDS,
  PAYOUT_SOURCE_ACCOUNT,
  makeIban,
} from './fixtures.js';
import type { IdSource } from './ids.js';
import type { Reply } from './http.js';
import type { VerifiedToken } from './keys.js';

// ---------------------------------------------------------------------------
// options shared with route handlers

export interface BehaviourOptions {
  /** Lean-documented required params/headers are enforced (400 INVALID_PARAMETERS). Default true. */
  strict: boolean;
  /** Seconds of fake clock before a manual data refresh finishes. Default 8. */
  refreshSeconds: number;
  /** Seconds of fake clock before an async (202) result is ready. Default 5. */
  asyncResultSeconds: number;
  /** Seconds of fake clock before a paid intent / approved refund settles. Default 5. */
  settleSeconds: number;
  /** Accept `customer.<uuid>` scopes for unknown customers. Default false. */
  allowAnyCustomer: boolean;
}

export interface SandboxCore {
  clock: FakeClock;
  ids: IdSource;
  behaviour: BehaviourOptions;
  state: SandboxState;
  rand: () => number;
}

export interface RequestCtx {
  sb: SandboxCore;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  bodyText: string;
  token: VerifiedToken;
  /** Parsed JSON body (validated by the pipeline for routes that take a body). */
  body: unknown;
  /** A fresh results_id, allocated on first use and stable within the request. */
  resultsId(): string;
}

export type Handler = (ctx: RequestCtx) => Reply | Promise<Reply>;

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Fine-grained permission the api token must carry (§5.4 step 3). */
  permission: string;
  /** The Lean operation / capability operation name. */
  operation: string;
  /** Data & insight routes: error envelopes carry `results_id`. */
  data?: boolean;
  /** The route takes a JSON body (content type checked, parse errors → 400). */
  jsonBody?: boolean;
  /** Idempotency-Key header: `required` (in strict mode) or `optional`; replays are served. */
  idempotency?: 'required' | 'optional';
  /** Not documented by Lean; served because a capability expects it. */
  undocumented?: boolean;
  handler: Handler;
}

// ---------------------------------------------------------------------------
// records

export interface CustomerRec {
  customer_id: string;
  app_user_id: string;
  government_identifiers: { type: string; value: string }[] | null;
}

export interface RefreshRec {
  refresh_id: string;
  entity_id: string;
  customer_id: string;
  createdMs: number;
  finishMs: number;
}

export interface ResultRec {
  readyMs: number;
  reply: Reply;
}

export interface Party {
  account_number: string;
  iban: string;
  name: string;
}

export interface SipPaymentRec {
  id: string;
  intentId: string;
  paymentSourceId: string;
  sender: Party;
  recipient: Party;
  amount: number;
  currency: string;
  description: string;
  submissionMs: number;
  initiationMs: number;
  settleMs: number;
  finalStatus: 'ACCEPTED_BY_BANK' | 'FAILED';
  failureCode: string | null;
  bankRef: string;
  senderAccountId: string;
}

export interface PaymentDestinationRec {
  id: string;
  bank_identifier: string;
  name: string;
  iban: string;
  display_name: string;
  account_number: string;
  swift_code: string;
  status: string;
  address: string;
  country: string;
  city: string;
  default: boolean;
  owner_type: string;
  branch_address: string;
  currency_iso_code: string;
}

export interface IntentRec {
  payment_intent_id: string;
  customer_id: string;
  amount: number;
  currency: string;
  description: string;
  destinationId: string;
  purpose_code: string | null;
  paymentIds: string[];
  createdMs: number;
  updatedMs: number;
}

export interface PaymentSourceRec {
  id: string;
  customer_id: string;
  status: string;
  cool_off_expiry: string | null;
  bank_identifier: string;
  beneficiaries: { id: string; payment_destination_id: string; status: string; beneficiary_cool_off_expiry: string | null }[];
  accountIds: string[];
}

export interface ConsentHistoryRec {
  id: string;
  type: string;
  description: string;
  timestamp: string;
  updated_by: string;
  reason: string | null;
}

export interface ControlParameters {
  period_type: string;
  max_individual_amount: number | null;
  max_cumulative_amount: number | null;
  max_cumulative_number_of_payments: number | null;
  max_cumulative_amount_per_period: number | null;
  max_cumulative_number_of_payments_per_period: number | null;
}

export interface ConsentRec {
  id: string;
  startMs: number;
  expirationMs: number;
  customer_id: string;
  status: 'AWAITING_AUTHORISATION' | 'AUTHORISED' | 'REVOKED' | 'REJECTED' | 'EXPIRED' | 'CONSUMED' | 'SUSPENDED';
  destination_account_id: string;
  reference: string | null;
  currency: string;
  purpose: string;
  control: ControlParameters;
  immediate_payment: Record<string, unknown> | null;
  senderAccountId: string | null;
  bankIdentifier: string | null;
  consumption: { count: number; value: number; countPeriod: number; valuePeriod: number };
  history: ConsentHistoryRec[];
}

export interface AofPaymentRec {
  id: string;
  consentId: string;
  accountId: string;
  customerId: string;
  amount: number;
  currency: string;
  reference: string | null;
  createdMs: number;
  failure: { code: string; details: string } | null;
}

export interface PayoutDestinationRec {
  id: string;
  name: string;
  display_name: string;
  bank_identifier: string;
  iban: string;
  account_number: string;
  swift_code: string | null;
  address: string;
  country: string;
  city: string;
  currency_iso_code: string;
  branch_address: string | null;
  postal_code: string | null;
  customer_id: string | null;
  coolOffMs: number | null;
  createdMs: number;
}

export interface PayoutRec {
  id: string;
  intentId: string;
  endUserId: string;
  customerId: string;
  sourceAccountId: string;
  destinationId: string;
  amount: number;
  currency: string;
  description: string;
  externalReference: string | null;
  createdMs: number;
  autoAuthorized: boolean;
  failure: string | null;
  bankRef: string;
  initiateTaskId: string;
}

export interface RefundRec {
  refund_id: string;
  payment_id: string;
  amount: number;
  currency: string;
  reason_code: string;
  description: string | null;
  external_reference: string | null;
  createdMs: number;
  created_by: string;
  actioned_by: string | null;
  baseStatus: 'CREATED' | 'APPROVED' | 'REJECTED' | 'ACCEPTED_BY_BANK' | 'FAILED';
  /** When a PUT approved it: drives APPROVED → PENDING_WITH_BANK → ACCEPTED_BY_BANK. */
  approvedMs: number | null;
}

export interface IdempotencyRec {
  hash: string;
  reply: Reply;
  expiresMs: number;
}

export interface SandboxState {
  customers: Map<string, CustomerRec>;
  customersByAppUser: Map<string, string>;
  refreshes: Map<string, RefreshRec>;
  results: Map<string, ResultRec>;
  paymentDestinations: Map<string, PaymentDestinationRec>;
  intents: Map<string, IntentRec>;
  sipPayments: Map<string, SipPaymentRec>;
  paymentSources: Map<string, PaymentSourceRec>;
  consents: Map<string, ConsentRec>;
  aofPayments: Map<string, AofPaymentRec>;
  payoutDestinations: Map<string, PayoutDestinationRec>;
  payouts: Map<string, PayoutRec>;
  refunds: Map<string, RefundRec>;
  idempotency: Map<string, IdempotencyRec>;
}

// ---------------------------------------------------------------------------
// seeding

const ID = LEAN_IDS;

export const MERCHANT_DESTINATION = {
  name: 'Lean Demo Merchant LLC',
  iban: makeIban('AE', '0440000007700112233'),
  account_number: '0007700112233',
};

export function seedState(nowMs: number): SandboxState {
  const startMs = Math.floor(nowMs / 1000) * 1000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const customers = new Map<string, CustomerRec>();
  const byApp = new Map<string, string>();
  for (const [key, id] of Object.entries(ID.customers)) {
    const app = APP_USER_IDS[key as keyof typeof APP_USER_IDS];
    customers.set(id, { customer_id: id, app_user_id: app, government_identifiers: null });
    byApp.set(app, id);
  }

  const refreshes = new Map<string, RefreshRec>();
  const okEntity = ENTITIES[0]!;
  refreshes.set(ID.refreshes.F1, {
    refresh_id: ID.refreshes.F1,
    entity_id: okEntity.id,
    customer_id: okEntity.customerId,
    createdMs: Date.parse('2026-04-30T06:00:00.000Z'),
    finishMs: Date.parse('2026-04-30T06:00:09.000Z'),
  });

  const paymentDestinations = new Map<string, PaymentDestinationRec>();
  paymentDestinations.set(ID.destinations.D1, {
    id: ID.destinations.D1,
    bank_identifier: 'GULF_HARBOUR_UAE',
    name: MERCHANT_DESTINATION.name,
    iban: MERCHANT_DESTINATION.iban,
    display_name: 'Lean Demo Merchant',
    account_number: MERCHANT_DESTINATION.account_number,
    swift_code: 'GHBKAEADXXX',
    status: 'CONFIRMED',
    address: 'Office 1502, Emirates Towers',
    country: 'ARE',
    city: 'Dubai',
    default: true,
    owner_type: 'APPLICATION',
    branch_address: 'Sheikh Zayed Road Branch',
    currency_iso_code: 'AED',
  });

  const current = ACCOUNTS_BY_ID.get(ID.accounts.CURRENT)!;
  const sipPayments = new Map<string, SipPaymentRec>();
  const pay1Ms = Date.parse('2026-04-12T10:15:00.000Z');
  sipPayments.set(ID.payments.PAY1, {
    id: ID.payments.PAY1,
    intentId: ID.intents.PI1,
    paymentSourceId: ID.paymentSources.PS1,
    sender: { account_number: current.bban, iban: current.iban, name: HOLDER_C1 },
    recipient: { account_number: MERCHANT_DESTINATION.account_number, iban: MERCHANT_DESTINATION.iban, name: MERCHANT_DESTINATION.name },
    amount: 250,
    currency: 'AED',
    description: 'Order 10045',
    submissionMs: pay1Ms,
    initiationMs: pay1Ms + 8000,
    settleMs: pay1Ms + 8000,
    finalStatus: 'ACCEPTED_BY_BANK',
    failureCode: null,
    bankRef: 'GH2604121015001',
    senderAccountId: current.id,
  });

  const intents = new Map<string, IntentRec>();
  intents.set(ID.intents.PI1, {
    payment_intent_id: ID.intents.PI1,
    customer_id: ID.customers.C1,
    amount: 250,
    currency: 'AED',
    description: 'Order 10045',
    destinationId: ID.destinations.D1,
    purpose_code: 'GDS',
    paymentIds: [ID.payments.PAY1],
    createdMs: pay1Ms - 60_000,
    updatedMs: pay1Ms + 8000,
  });
  intents.set(ID.intents.PI2, {
    payment_intent_id: ID.intents.PI2,
    customer_id: ID.customers.C1,
    amount: 75.5,
    currency: 'AED',
    description: ID.intents.PI2.replace(/-/g, ''),
    destinationId: ID.destinations.D1,
    purpose_code: null,
    paymentIds: [],
    createdMs: Date.parse('2026-04-20T09:00:00.000Z'),
    updatedMs: Date.parse('2026-04-20T09:00:00.000Z'),
  });

  const paymentSources = new Map<string, PaymentSourceRec>();
  paymentSources.set(ID.paymentSources.PS1, {
    id: ID.paymentSources.PS1,
    customer_id: ID.customers.C1,
    status: 'ACTIVE',
    cool_off_expiry: null,
    bank_identifier: 'LEAN_OF_RETAIL_UAE',
    beneficiaries: [{ id: 'B3F1C2D4-0001-4A00-8000-000000000001', payment_destination_id: ID.destinations.D1, status: 'ACTIVE', beneficiary_cool_off_expiry: '2026-01-16T09:12:30.000Z' }],
    accountIds: [ID.accounts.CURRENT, ID.accounts.SAVINGS],
  });
  const coolOff = iso(startMs + 24 * 3600_000);
  paymentSources.set(ID.paymentSources.PS2, {
    id: ID.paymentSources.PS2,
    customer_id: ID.customers.C1,
    status: 'AWAITING_BENEFICIARY_COOL_OFF',
    cool_off_expiry: coolOff,
    bank_identifier: 'LEAN_OF_RETAIL_UAE',
    beneficiaries: [{ id: 'B3F1C2D4-0002-4A00-8000-000000000002', payment_destination_id: ID.destinations.D1, status: 'AWAITING_BENEFICIARY_COOL_OFF', beneficiary_cool_off_expiry: coolOff }],
    accountIds: [ID.accounts.NOPERM],
  });

  const consents = new Map<string, ConsentRec>();
  const kStart = Date.parse('2026-03-01T08:00:00.000Z');
  const year = 365 * 86_400_000;
  const hist = (id: string, type: string, description: string, ms: number, by = 'LEAN', reason: string | null = null): ConsentHistoryRec => ({
    id,
    type,
    description,
    timestamp: iso(ms),
    updated_by: by,
    reason,
  });
  const control = (max: number): ControlParameters => ({
    period_type: 'Month',
    max_individual_amount: max,
    max_cumulative_amount: null,
    max_cumulative_number_of_payments: 365,
    max_cumulative_amount_per_period: 20000,
    max_cumulative_number_of_payments_per_period: 30,
  });
  consents.set(ID.consents.K1, {
    id: ID.consents.K1,
    startMs: kStart,
    expirationMs: kStart + year,
    customer_id: ID.customers.C1,
    status: 'AUTHORISED',
    destination_account_id: ID.destinations.D1,
    reference: 'SUBSCRIPTION-K1',
    currency: 'AED',
    purpose: 'FIS',
    control: control(5000),
    immediate_payment: null,
    senderAccountId: ID.accounts.CURRENT,
    bankIdentifier: 'LEAN_OF_RETAIL_UAE',
    consumption: { count: 2, value: 700, countPeriod: 1, valuePeriod: 350 },
    history: [
      hist('a0f00000-0000-4000-8000-000000000101', 'CONSENT_CREATED', 'A new consent was created.', kStart),
      hist('a0f00000-0000-4000-8000-000000000102', 'CONSENT_AUTHORISED', 'The consent was authorised by the customer.', kStart + 120_000, 'CUSTOMER'),
    ],
  });
  consents.set(ID.consents.K2, {
    id: ID.consents.K2,
    startMs: kStart + 86_400_000,
    expirationMs: kStart + 86_400_000 + year,
    customer_id: ID.customers.C1,
    status: 'AWAITING_AUTHORISATION',
    destination_account_id: ID.destinations.D1,
    reference: 'SUBSCRIPTION-K2',
    currency: 'AED',
    purpose: 'GDS',
    control: control(1000),
    immediate_payment: null,
    senderAccountId: null,
    bankIdentifier: null,
    consumption: { count: 0, value: 0, countPeriod: 0, valuePeriod: 0 },
    history: [hist('a0f00000-0000-4000-8000-000000000201', 'CONSENT_CREATED', 'A new consent was created.', kStart + 86_400_000)],
  });
  consents.set(ID.consents.K3, {
    id: ID.consents.K3,
    startMs: kStart - 30 * 86_400_000,
    expirationMs: kStart - 30 * 86_400_000 + year,
    customer_id: ID.customers.C1,
    status: 'REVOKED',
    destination_account_id: ID.destinations.D1,
    reference: 'SUBSCRIPTION-K3',
    currency: 'AED',
    purpose: 'RNT',
    control: control(9000),
    immediate_payment: null,
    senderAccountId: ID.accounts.CURRENT,
    bankIdentifier: 'LEAN_OF_RETAIL_UAE',
    consumption: { count: 1, value: 8750, countPeriod: 0, valuePeriod: 0 },
    history: [
      hist('a0f00000-0000-4000-8000-000000000301', 'CONSENT_CREATED', 'A new consent was created.', kStart - 30 * 86_400_000),
      hist('a0f00000-0000-4000-8000-000000000302', 'CONSENT_AUTHORISED', 'The consent was authorised by the customer.', kStart - 30 * 86_400_000 + 90_000, 'CUSTOMER'),
      hist('a0f00000-0000-4000-8000-000000000303', 'CONSENT_REVOKED', 'The consent was revoked.', kStart - 5 * 86_400_000, 'CUSTOMER', 'USER_REQUESTED'),
    ],
  });

  const payoutDestinations = new Map<string, PayoutDestinationRec>();
  payoutDestinations.set(ID.destinations.D2, {
    id: ID.destinations.D2,
    name: 'Desert Falcon Supplies Trading LLC',
    display_name: 'DESERT FALCON',
    bank_identifier: 'GULF_HARBOUR_UAE',
    iban: makeIban('AE', '0440000003344556677'),
    account_number: '0003344556677',
    swift_code: 'GHBKAEADXXX',
    address: 'Warehouse 7, Al Quoz Industrial 3',
    country: 'ARE',
    city: 'Dubai',
    currency_iso_code: 'AED',
    branch_address: 'Al Quoz Branch',
    postal_code: null,
    customer_id: null,
    coolOffMs: Date.parse('2026-02-01T10:00:00.000Z'),
    createdMs: Date.parse('2026-01-31T10:00:00.000Z'),
  });
  payoutDestinations.set(ID.destinations.D3, {
    id: ID.destinations.D3,
    name: 'Oasis Freelance Design',
    display_name: 'OASIS DESIGN',
    bank_identifier: 'LEAN_OF_RETAIL_UAE',
    iban: makeIban('AE', '0330000001212343456'),
    account_number: '0001212343456',
    swift_code: 'MOCKAE01',
    address: 'Villa 3, Street 12, Mirdif',
    country: 'ARE',
    city: 'Dubai',
    currency_iso_code: 'AED',
    branch_address: null,
    postal_code: null,
    customer_id: ID.customers.C2,
    coolOffMs: startMs + 24 * 3600_000,
    createdMs: startMs,
  });

  const payouts = new Map<string, PayoutRec>();
  const p1Ms = Date.parse('2026-04-15T07:02:00.000Z');
  payouts.set(ID.payouts.P1, {
    id: ID.payouts.P1,
    intentId: ID.payouts.P1_INTENT,
    endUserId: PAYOUT_SOURCE_ACCOUNT.id,
    customerId: ID.customers.C1,
    sourceAccountId: PAYOUT_SOURCE_ACCOUNT.id,
    destinationId: ID.destinations.D2,
    amount: 1200,
    currency: 'AED',
    description: 'Invoice INV-2026-041',
    externalReference: 'INV-2026-041',
    createdMs: p1Ms,
    autoAuthorized: true,
    failure: null,
    bankRef: 'GH2604150702001',
    initiateTaskId: 'b7a50000-0000-4000-8000-000000000001',
  });
  payouts.set(ID.payouts.P2, {
    id: ID.payouts.P2,
    intentId: ID.payouts.P2_INTENT,
    endUserId: PAYOUT_SOURCE_ACCOUNT.id,
    customerId: ID.customers.C1,
    sourceAccountId: PAYOUT_SOURCE_ACCOUNT.id,
    destinationId: ID.destinations.D2,
    amount: 480.14,
    currency: 'AED',
    description: 'Invoice INV-2026-052',
    externalReference: 'INV-2026-052',
    createdMs: p1Ms + 3 * 86_400_000,
    autoAuthorized: true,
    failure: 'BANK_ISSUE',
    bankRef: '',
    initiateTaskId: 'b7a50000-0000-4000-8000-000000000002',
  });

  const refunds = new Map<string, RefundRec>();
  const rMs = Date.parse('2026-04-18T11:50:00.000Z');
  const refund = (id: string, amount: number, reason: string, status: RefundRec['baseStatus'], n: number): RefundRec => ({
    refund_id: id,
    payment_id: ID.payments.PAY1,
    amount,
    currency: 'AED',
    reason_code: reason,
    description: `Refund for order 10045 (${n})`,
    external_reference: `RF-10045-${n}`,
    createdMs: rMs + n * 3600_000,
    created_by: 'edge-gateway',
    actioned_by: status === 'CREATED' ? null : 'edge-gateway',
    baseStatus: status,
    approvedMs: null,
  });
  refunds.set(ID.refunds.R_CREATED, refund(ID.refunds.R_CREATED, 10, 'CUSTOMER_REQUEST', 'CREATED', 1));
  refunds.set(ID.refunds.R_APPROVED, refund(ID.refunds.R_APPROVED, 20, 'ORDER_CANCELLED', 'APPROVED', 2));
  refunds.set(ID.refunds.R_ACCEPTED, refund(ID.refunds.R_ACCEPTED, 30, 'DUPLICATED_PAYMENT', 'ACCEPTED_BY_BANK', 3));
  refunds.set(ID.refunds.R_FAILED, refund(ID.refunds.R_FAILED, 15, 'FRAUDULENT_PAYMENT', 'FAILED', 4));

  return {
    customers,
    customersByAppUser: byApp,
    refreshes,
    results: new Map(),
    paymentDestinations,
    intents,
    sipPayments,
    paymentSources,
    consents,
    aofPayments: new Map(),
    payoutDestinations,
    payouts,
    refunds,
    idempotency: new Map(),
  };
}
