/**
 * Deterministic fixture dataset of the Lean sandbox (UAE flavour), written for
 * this project (shapes follow Lean's recorded sandbox responses; values are ours).
 *
 * Static, read-only data (banks, accounts, transactions, identities…) is built
 * once at module load from a fixed PRNG seed. Mutable state is built per sandbox
 * by `state.ts` from the seeds exported here.
 */
import { prng } from './ids.js';
import { round2 } from './http.js';

/** Transactions span the six months before this instant. */
export const FIXTURE_ANCHOR = '2026-05-01T00:00:00.000Z';
const ANCHOR_MS = Date.parse(FIXTURE_ANCHOR);

function fid(prefix: string, n: number): string {
  return `${prefix}0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Every fixed id of the dataset, for tests and the demo. */
export const LEAN_IDS = {
  /** The sandbox application id (= the default client_id). */
  applicationId: '7e0c1d2a-3b4c-4d5e-8f60-718293a4b5c6',
  customers: { C1: fid('c057', 1), C2: fid('c057', 2), C3: fid('c057', 3) },
  entities: {
    E_OK: fid('e071', 1),
    E_NOPERM: fid('e071', 2),
    E_EXPIRED: fid('e071', 3),
    E_RECONNECT: fid('e071', 4),
    E_BANKDOWN: fid('e071', 5),
    E_SLOW: fid('e071', 6),
  },
  accounts: {
    CURRENT: fid('acc0', 1),
    SAVINGS: fid('acc0', 2),
    NOPERM: fid('acc0', 3),
    EXPIRED: fid('acc0', 4),
    RECONNECT: fid('acc0', 5),
    BANKDOWN: fid('acc0', 6),
    SLOW: fid('acc0', 7),
    /** The application's own account that payouts are sent from. */
    PAYOUT_SOURCE: fid('acc0', 0xa1),
  },
  destinations: { D1: fid('de57', 1), D2: fid('de57', 2), D3: fid('de57', 3) },
  paymentSources: { PS1: fid('5005', 1), PS2: fid('5005', 2) },
  intents: { PI1: fid('1e70', 1), PI2: fid('1e70', 2) },
  payments: { PAY1: fid('fa10', 1) },
  consents: { K1: fid('a0fc', 1), K2: fid('a0fc', 2), K3: fid('a0fc', 3) },
  payouts: {
    P1: fid('0a70', 1),
    P2: fid('0a70', 2),
    P1_INTENT: fid('0a71', 1),
    P2_INTENT: fid('0a71', 2),
  },
  refunds: { R_CREATED: fid('4ef0', 1), R_APPROVED: fid('4ef0', 2), R_ACCEPTED: fid('4ef0', 3), R_FAILED: fid('4ef0', 4) },
  refreshes: { F1: fid('f4e5', 1) },
} as const;

export const APP_USER_IDS = { C1: 'demo_user_1', C2: 'demo_user_2', C3: 'demo_user_3' } as const;

export const HOLDER_C1 = 'Mohammed Ahmed Al Mansoori';
export const HOLDER_C2 = 'Fatima Hassan Al Zaabi';

// ---------------------------------------------------------------------------
// IBANs with valid ISO 13616 check digits

export function makeIban(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`;
  let digits = '';
  for (const ch of rearranged) digits += /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
  let rem = 0;
  for (const d of digits) rem = (rem * 10 + Number(d)) % 97;
  const check = String(98 - rem).padStart(2, '0');
  return `${country}${check}${bban}`;
}

export function isValidIban(iban: string): boolean {
  const s = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(s)) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const d = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const c of d) rem = (rem * 10 + Number(c)) % 97;
  }
  return rem === 1;
}

// ---------------------------------------------------------------------------
// banks (§3.2)

const availability = (on: boolean) => ({ active: { payments: on, data: on }, enabled: { payments: on, data: on } });

export const BANKS = [
  {
    identifier: 'LEAN_OF_RETAIL_UAE',
    name: 'Lean Open Finance MockBank',
    arabic_name: null,
    commercial_name: 'Lean Open Finance MockBank',
    commercial_name_arabic: null,
    logo: 'https://cdn.example.invalid/banks/lean-mock.png',
    logo_alt: 'https://cdn.example.invalid/banks/lean-mock.svg',
    main_color: '#1beb75',
    background_color: '#ffffff',
    theme: 'light',
    country_code: 'ARE',
    active: true,
    mock: true,
    traits: ['auth-redirect', 'user-input-on-login', 'payments-consent', 'data-consent'],
    supported_account_types: ['CURRENT', 'SAVINGS', 'CREDIT'],
    supported_account_sub_types: ['CURRENT', 'SAVINGS', 'CREDIT_CARD'],
    bank_type: 'RETAIL',
    swift_code: 'MOCKAE01',
    transfer_limits: [{ currency: 'AED', min: 5, max: 50000 }],
    international_transfer_limits: [],
    international_destinations: [],
    account_type: 'PERSONAL',
    connection_type: 'OPEN_BANKING',
    availability: availability(true),
  },
  {
    identifier: 'GULF_HARBOUR_UAE',
    name: 'Gulf Harbour Bank',
    arabic_name: 'بنك خليج الميناء',
    commercial_name: 'Gulf Harbour',
    commercial_name_arabic: 'خليج الميناء',
    logo: 'https://cdn.example.invalid/banks/gulf-harbour.png',
    logo_alt: 'https://cdn.example.invalid/banks/gulf-harbour.svg',
    main_color: '#0b3d91',
    background_color: '#f4f6fb',
    theme: 'dark',
    country_code: 'ARE',
    active: true,
    mock: false,
    traits: ['auth-redirect'],
    supported_account_types: ['CURRENT', 'SAVINGS'],
    supported_account_sub_types: ['CURRENT', 'SAVINGS'],
    bank_type: 'RETAIL',
    swift_code: 'GHBKAEAD',
    transfer_limits: [{ currency: 'AED', min: 1, max: 100000 }],
    international_transfer_limits: [],
    international_destinations: [],
    account_type: 'PERSONAL',
    connection_type: 'OPEN_BANKING',
    availability: availability(true),
  },
  {
    identifier: 'DESERT_ROSE_SME_UAE',
    name: 'Desert Rose Business Bank',
    arabic_name: 'بنك وردة الصحراء للأعمال',
    commercial_name: 'Desert Rose Business',
    commercial_name_arabic: null,
    logo: 'https://cdn.example.invalid/banks/desert-rose.png',
    logo_alt: 'https://cdn.example.invalid/banks/desert-rose.svg',
    main_color: '#b5523b',
    background_color: '#fff8f0',
    theme: 'light',
    country_code: 'ARE',
    active: false,
    mock: false,
    traits: [],
    supported_account_types: ['CURRENT'],
    supported_account_sub_types: ['CURRENT'],
    bank_type: 'SME',
    swift_code: 'DRSBAEAD',
    transfer_limits: [{ currency: 'AED', min: 10, max: 250000 }],
    international_transfer_limits: [],
    international_destinations: [],
    account_type: 'BUSINESS',
    connection_type: 'REVERSE_ENGINEERED',
    availability: availability(false),
  },
] as const;

export const MOCK_BANK_MAX = 50000;
export const MOCK_BANK_MIN = 1;

// ---------------------------------------------------------------------------
// entities and accounts (§5.6)

export interface PermissionSet {
  identity: boolean;
  accounts: boolean;
  balance: boolean;
  transactions: boolean;
  identities: boolean;
  scheduled_payments: boolean;
  standing_orders: boolean;
  direct_debits: boolean;
  beneficiaries: boolean;
}

const ALL_PERMS: PermissionSet = {
  identity: true,
  accounts: true,
  balance: true,
  transactions: true,
  identities: true,
  scheduled_payments: true,
  standing_orders: true,
  direct_debits: true,
  beneficiaries: true,
};
const NO_STANDING: PermissionSet = { ...ALL_PERMS, scheduled_payments: false, standing_orders: false, direct_debits: false };

/** How the data APIs behave for an entity. */
export type EntityBehaviour = 'ok' | 'noperm' | 'expired' | 'reconnect' | 'bankdown' | 'slow';

export interface AccountFixture {
  id: string;
  entityId: string;
  subType: 'CURRENT' | 'SAVINGS';
  iban: string;
  bban: string;
  holder: string;
  shortHolder: string;
  openingDate: string;
  balance: number;
}

export interface EntityFixture {
  id: string;
  customerId: string;
  behaviour: EntityBehaviour;
  permissions: PermissionSet;
  createdAt: string;
  consentId: string;
  bankConsentId: string;
  consentStatus: 'ACTIVE' | 'EXPIRED';
  accountIds: string[];
  holder: string;
}

function account(
  id: string,
  entityId: string,
  subType: 'CURRENT' | 'SAVINGS',
  n: number,
  holder: string,
  short: string,
  balance: number,
): AccountFixture {
  const bban = `033${String(1000000000000000 + n * 7919).padStart(16, '0')}`;
  return {
    id,
    entityId,
    subType,
    iban: makeIban('AE', bban),
    bban: bban.slice(3),
    holder,
    shortHolder: short,
    openingDate: '2021-03-14',
    balance,
  };
}

const A = LEAN_IDS.accounts;
const E = LEAN_IDS.entities;
const C = LEAN_IDS.customers;

export const ACCOUNTS: readonly AccountFixture[] = [
  account(A.CURRENT, E.E_OK, 'CURRENT', 1, HOLDER_C1, 'Mohammed Al Mansoori', 48250.75),
  account(A.SAVINGS, E.E_OK, 'SAVINGS', 2, HOLDER_C1, 'Mohammed Al Mansoori', 126400.0),
  account(A.NOPERM, E.E_NOPERM, 'CURRENT', 3, HOLDER_C1, 'Mohammed Al Mansoori', 3120.4),
  account(A.EXPIRED, E.E_EXPIRED, 'CURRENT', 4, HOLDER_C2, 'Fatima Al Zaabi', 9800.0),
  account(A.RECONNECT, E.E_RECONNECT, 'CURRENT', 5, HOLDER_C2, 'Fatima Al Zaabi', 15230.1),
  account(A.BANKDOWN, E.E_BANKDOWN, 'CURRENT', 6, HOLDER_C2, 'Fatima Al Zaabi', 2210.55),
  account(A.SLOW, E.E_SLOW, 'SAVINGS', 7, HOLDER_C2, 'Fatima Al Zaabi', 64000.0),
];
export const ACCOUNTS_BY_ID = new Map(ACCOUNTS.map((a) => [a.id, a]));

export const PAYOUT_SOURCE_ACCOUNT = {
  id: A.PAYOUT_SOURCE,
  name: 'Operating Account',
  bban: '0330000009876543210',
  iban: makeIban('AE', '0330000009876543210'),
  account_number: '0009876543210',
};

function entity(
  id: string,
  customerId: string,
  behaviour: EntityBehaviour,
  accountIds: string[],
  n: number,
  createdAt: string,
  holder: string,
  permissions: PermissionSet = ALL_PERMS,
): EntityFixture {
  return {
    id,
    customerId,
    behaviour,
    permissions,
    createdAt,
    consentId: fid('bc07', n),
    bankConsentId: fid('bc08', n),
    consentStatus: behaviour === 'expired' ? 'EXPIRED' : 'ACTIVE',
    accountIds,
    holder,
  };
}

export const ENTITIES: readonly EntityFixture[] = [
  entity(E.E_OK, C.C1, 'ok', [A.CURRENT, A.SAVINGS], 1, '2026-01-15T09:12:30.000Z', HOLDER_C1),
  entity(E.E_NOPERM, C.C1, 'noperm', [A.NOPERM], 2, '2026-02-02T14:40:00.000Z', HOLDER_C1, NO_STANDING),
  entity(E.E_EXPIRED, C.C2, 'expired', [A.EXPIRED], 3, '2025-04-20T08:00:00.000Z', HOLDER_C2),
  entity(E.E_RECONNECT, C.C2, 'reconnect', [A.RECONNECT], 4, '2026-02-20T11:05:00.000Z', HOLDER_C2),
  entity(E.E_BANKDOWN, C.C2, 'bankdown', [A.BANKDOWN], 5, '2026-03-03T16:45:00.000Z', HOLDER_C2),
  entity(E.E_SLOW, C.C2, 'slow', [A.SLOW], 6, '2026-03-28T07:30:00.000Z', HOLDER_C2),
];
export const ENTITIES_BY_ID = new Map(ENTITIES.map((e) => [e.id, e]));

/** The `Entity` object of GET /customers/v1/{cid}/entities. */
export function entityJson(e: EntityFixture): Record<string, unknown> {
  const created = Date.parse(e.createdAt);
  const consentCreated = new Date(created - 60_000).toISOString();
  const accounts = e.accountIds.flatMap((id) => {
    const a = ACCOUNTS_BY_ID.get(id)!;
    const name = `${a.shortHolder} ${a.subType === 'CURRENT' ? 'CURRENT_ACCOUNT' : 'SAVINGS'} Account`;
    return [
      { scheme_name: 'IBAN', identification: a.iban, name, secondary_identification: null },
      { scheme_name: 'ACCOUNT_NUMBER', identification: a.bban, name, secondary_identification: null },
    ];
  });
  const expires = e.consentStatus === 'EXPIRED' ? created + 180 * 86_400_000 : created + 365 * 86_400_000;
  return {
    id: e.id,
    customer_id: e.customerId,
    bank_identifier: 'LEAN_OF_RETAIL_UAE',
    permissions: { ...e.permissions },
    bank_type: 'RETAIL',
    created_at: e.createdAt,
    consents: [
      {
        id: e.consentId,
        bank_consent_id: e.bankConsentId,
        bank_identifier: null,
        consent_type: null,
        consent_status: e.consentStatus,
        standard_consent_status: null,
        permissions: { ...e.permissions },
        creation_date_time: consentCreated,
        status_update_date_time: e.consentStatus === 'EXPIRED' ? new Date(expires).toISOString() : consentCreated,
        expiration_date_time: new Date(expires).toISOString(),
        transaction_from_date_time: new Date(created - 365 * 86_400_000).toISOString(),
        transaction_to_date_time: new Date(expires).toISOString(),
        accounts,
      },
    ],
  };
}

/** The `account` object of GET /data/v2/accounts. */
export function accountJson(a: AccountFixture): Record<string, unknown> {
  const label = a.subType === 'CURRENT' ? 'CURRENT_ACCOUNT' : 'SAVINGS';
  return {
    entity_id: a.entityId,
    account_id: a.id,
    account_holder_name: a.holder,
    account_holder_short_name: a.shortHolder,
    status: 'ENABLED',
    status_update_date_time: `${a.openingDate}T08:30:00.000Z`,
    currency: 'AED',
    account_type: 'PERSONAL',
    account_sub_type: a.subType,
    nickname: `${label} Account`,
    description: `${a.shortHolder} ${label} Account`,
    opening_date: a.openingDate,
    maturity_date: null,
    account: [
      { scheme_name: 'IBAN', identification: a.iban, name: `${a.shortHolder} ${label} Account` },
      { scheme_name: 'BBAN', identification: a.bban, name: `${a.shortHolder} ${label} Account` },
    ],
    servicer: { scheme_name: 'BICFI', identification: 'MOCKAE01' },
    regional_data: null,
  };
}

// ---------------------------------------------------------------------------
// transactions (§5.6): 130 on E_OK CURRENT over the six months before the anchor

export type Category =
  | 'SALARY'
  | 'NON_SALARY_INCOME'
  | 'RENT_AND_SERVICES'
  | 'UTILITIES'
  | 'TELECOM'
  | 'GROCERIES'
  | 'FOOD_AND_DRINKS'
  | 'FUEL'
  | 'TRANSPORT'
  | 'SHOPPING'
  | 'TRANSFERS'
  | 'ENTERTAINMENT'
  | 'HEALTH'
  | 'TRAVEL'
  | 'REFUNDS';

export interface TxRecord {
  json: Record<string, unknown>;
  accountId: string;
  bookingMs: number;
  credit: boolean;
  amount: number;
  category: Category;
  incomeSource: 'SALARY' | 'CASH_DEPOSIT' | 'TRANSFER' | 'REFUND' | null;
}

interface TxSpec {
  day: number;
  credit: boolean;
  amount: number;
  info: string;
  category: Category;
  merchant?: [name: string, mcc: string];
  card?: boolean;
  incomeSource?: TxRecord['incomeSource'];
  txType: string;
}

const MONTHS = [
  [2025, 10],
  [2025, 11],
  [2026, 0],
  [2026, 1],
  [2026, 2],
  [2026, 3],
] as const; // Nov 2025 .. Apr 2026 (JS months)

function specsForCurrent(rand: () => number): { month: number; spec: TxSpec }[] {
  const amt = (lo: number, hi: number) => round2(lo + rand() * (hi - lo));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out: { month: number; spec: TxSpec }[] = [];
  const grocers = [
    ['Carrefour City Centre', '5411'],
    ['Lulu Hypermarket', '5411'],
    ['Spinneys Jumeirah', '5411'],
    ['Union Coop', '5411'],
  ] as const;
  const food = [
    ['Talabat', '5812'],
    ['Deliveroo', '5812'],
    ['Al Mallah Cafeteria', '5814'],
    ['Operation Falafel', '5812'],
  ] as const;
  for (let m = 0; m < MONTHS.length; m++) {
    const push = (spec: TxSpec) => out.push({ month: m, spec });
    push({ day: 25, credit: true, amount: 28500, info: 'SALARY CREDIT - ACME TRADING LLC', category: 'SALARY', incomeSource: 'SALARY', txType: 'SALARY' });
    push({ day: 1, credit: false, amount: 8750, info: 'STANDING ORDER RENT - MARINA HEIGHTS PROPERTIES', category: 'RENT_AND_SERVICES', txType: 'STANDING_ORDER' });
    push({ day: 5, credit: false, amount: amt(420, 760), info: 'DEWA BILL PAYMENT', category: 'UTILITIES', txType: 'BILL_PAYMENTS' });
    push({ day: 8, credit: false, amount: 349, info: 'ETISALAT POSTPAID AUTOPAY', category: 'TELECOM', txType: 'BILL_PAYMENTS' });
    for (const d of [3, 10, 17, 24]) {
      const g = pick(grocers);
      push({ day: d, credit: false, amount: amt(120, 640), info: `POS PURCHASE ${g[0].toUpperCase()}`, category: 'GROCERIES', merchant: [g[0], g[1]], card: true, txType: 'POS' });
    }
    for (const d of [6, 14, 21]) {
      const f = pick(food);
      push({ day: d, credit: false, amount: amt(35, 260), info: `CARD PURCHASE ${f[0].toUpperCase()}`, category: 'FOOD_AND_DRINKS', merchant: [f[0], f[1]], card: true, txType: 'POS' });
    }
    for (const d of [9, 23]) {
      const station = rand() < 0.5 ? 'ENOC' : 'ADNOC';
      push({ day: d, credit: false, amount: amt(90, 220), info: `${station} FUEL STATION`, category: 'FUEL', merchant: [station, '5541'], card: true, txType: 'POS' });
    }
    for (const d of [12, 27]) {
      const t = rand() < 0.5 ? (['Careem', '4121'] as const) : (['RTA Salik Top-up', '4784'] as const);
      push({ day: d, credit: false, amount: amt(25, 150), info: `${t[0].toUpperCase()} PAYMENT`, category: 'TRANSPORT', merchant: [t[0], t[1]], card: true, txType: 'POS' });
    }
    for (const d of [11, 19]) {
      const s = rand() < 0.5 ? (['Noon', '5311'] as const) : (['Amazon AE', '5942'] as const);
      push({ day: d, credit: false, amount: amt(80, 900), info: `ONLINE PURCHASE ${s[0].toUpperCase()}`, category: 'SHOPPING', merchant: [s[0], s[1]], card: true, txType: 'ECOMMERCE' });
    }
    push({ day: 15, credit: false, amount: amt(500, 2500), info: 'تحويل إلى حساب آخر - عائلة', category: 'TRANSFERS', txType: 'LOCAL_BANK_TRANSFER' });
    push({ day: 18, credit: true, amount: amt(800, 4200), info: 'ATM CASH DEPOSIT DUBAI MALL BRANCH', category: 'NON_SALARY_INCOME', incomeSource: 'CASH_DEPOSIT', txType: 'CASH_DEPOSIT' });
    push({ day: 20, credit: false, amount: amt(45, 120), info: 'VOX CINEMAS MALL OF THE EMIRATES', category: 'ENTERTAINMENT', merchant: ['VOX Cinemas', '7832'], card: true, txType: 'POS' });
    push({ day: 22, credit: false, amount: amt(30, 400), info: 'صيدلية أستر - مشتريات', category: 'HEALTH', merchant: ['Aster Pharmacy', '5912'], card: true, txType: 'POS' });
  }
  // 6 x 21 = 126; four one-offs -> 130
  out.push({ month: 1, spec: { day: 12, credit: false, amount: 2890, info: 'EMIRATES AIRLINE TICKET', category: 'TRAVEL', merchant: ['Emirates', '4511'], card: true, txType: 'ECOMMERCE' } });
  out.push({ month: 3, spec: { day: 7, credit: false, amount: 1185.5, info: 'BOOKING.COM HOTEL RESERVATION', category: 'TRAVEL', merchant: ['Booking.com', '7011'], card: true, txType: 'ECOMMERCE' } });
  out.push({ month: 2, spec: { day: 13, credit: true, amount: 214.9, info: 'REFUND NOON ORDER', category: 'REFUNDS', incomeSource: 'REFUND', merchant: ['Noon', '5311'], card: true, txType: 'REFUND' } });
  out.push({ month: 4, spec: { day: 16, credit: true, amount: 1500, info: 'حوالة واردة من أحمد المنصوري', category: 'NON_SALARY_INCOME', incomeSource: 'TRANSFER', txType: 'LOCAL_BANK_TRANSFER' } });
  return out;
}

function alnum(rand: () => number, n: number): string {
  const chars = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += chars[Math.floor(rand() * chars.length)];
  return s;
}

function buildTransactions(
  acc: AccountFixture,
  specs: { month: number; spec: TxSpec }[],
  idPrefix: string,
  rand: () => number,
  pendingLatest: boolean,
): TxRecord[] {
  const raw = specs.map(({ month, spec }) => {
    const [y, mo] = MONTHS[month]!;
    const hour = Math.floor(rand() * 14) + 7;
    const minute = Math.floor(rand() * 60);
    const ms = Date.UTC(y, mo, spec.day, hour, minute, 0);
    return { spec, ms };
  });
  raw.sort((a, b) => b.ms - a.ms || a.spec.info.localeCompare(b.spec.info));
  let running = acc.balance;
  return raw.map(({ spec, ms }, index) => {
    const id = fid(idPrefix, index + 1);
    const iso = new Date(ms).toISOString();
    const pending = pendingLatest && index === 0;
    const json: Record<string, unknown> = {
      entity_id: acc.entityId,
      account_id: acc.id,
      transaction_id: id,
      transaction_information: spec.info,
      transaction_reference: alnum(rand, 14),
      credit_debit_indicator: spec.credit ? 'CREDIT' : 'DEBIT',
      amount: { currency: 'AED', amount: spec.amount },
      transaction_mutability: pending ? 'MUTABLE' : 'IMMUTABLE',
      booking_date_time: iso,
      insights: null,
      balance: {
        type: 'CLOSING_BOOKED',
        credit_debit_indicator: running >= 0 ? 'CREDIT' : 'DEBIT',
        amount: { currency: 'AED', amount: round2(Math.abs(running)) },
      },
      status: pending ? 'PENDING' : 'BOOKED',
      statement_reference: [`STMT-${iso.slice(0, 7)}`],
      value_date_time: iso,
      index,
      charge_amount: null,
      bank_transaction_code: { code: spec.txType, sub_code: spec.credit ? 'CREDIT' : 'DEBIT' },
      card_instrument: spec.card
        ? { authorization_type: 'CONSUMER_DEVICE', card_scheme_name: 'VISA', identification: '4921', name: acc.holder }
        : null,
      merchant_details: spec.merchant ? { merchant_category_code: spec.merchant[1], merchant_name: spec.merchant[0] } : null,
      proprietary_bank_transaction_code: null,
      currency_exchange: null,
      creditor_account: null,
      creditor_agent: null,
      debtor_account: null,
      debtor_agent: null,
      local_time_zone: 'UTC+04:00',
      transaction_type: spec.txType,
      sub_transaction_type: null,
      payment_modes: null,
      flags: [],
      regional_data: null,
    };
    running = round2(running + (spec.credit ? -spec.amount : spec.amount));
    return {
      json,
      accountId: acc.id,
      bookingMs: ms,
      credit: spec.credit,
      amount: spec.amount,
      category: spec.category,
      incomeSource: spec.incomeSource ?? null,
    };
  });
}

function genericSpecs(rand: () => number, count: number): { month: number; spec: TxSpec }[] {
  const out: { month: number; spec: TxSpec }[] = [];
  for (let i = 0; i < count; i++) {
    const credit = i % 4 === 0;
    out.push({
      month: i % MONTHS.length,
      spec: credit
        ? { day: 25, credit: true, amount: round2(6000 + rand() * 3000), info: 'SALARY CREDIT - GULF LOGISTICS', category: 'SALARY', incomeSource: 'SALARY', txType: 'SALARY' }
        : { day: 3 + (i % 20), credit: false, amount: round2(40 + rand() * 500), info: 'POS PURCHASE UNION COOP', category: 'GROCERIES', merchant: ['Union Coop', '5411'], card: true, txType: 'POS' },
    });
  }
  return out;
}

function buildAllTransactions(): Map<string, TxRecord[]> {
  const rand = prng(20260501);
  const map = new Map<string, TxRecord[]>();
  const byId = (id: string) => ACCOUNTS_BY_ID.get(id)!;
  map.set(A.CURRENT, buildTransactions(byId(A.CURRENT), specsForCurrent(rand), '7a01', rand, true));
  const savings: { month: number; spec: TxSpec }[] = MONTHS.map((_, m) => ({
    month: m,
    spec: { day: 26, credit: true, amount: 2000, info: 'TRANSFER FROM CURRENT ACCOUNT', category: 'TRANSFERS', incomeSource: 'TRANSFER', txType: 'OWN_ACCOUNT_TRANSFER' },
  }));
  savings.push({ month: 5, spec: { day: 30, credit: true, amount: 312.18, info: 'PROFIT DISTRIBUTION', category: 'NON_SALARY_INCOME', incomeSource: 'TRANSFER', txType: 'INTEREST' } });
  map.set(A.SAVINGS, buildTransactions(byId(A.SAVINGS), savings, '7a02', rand, false));
  const others = [A.NOPERM, A.EXPIRED, A.RECONNECT, A.BANKDOWN, A.SLOW];
  others.forEach((id, i) => map.set(id, buildTransactions(byId(id), genericSpecs(rand, 12), `7a${(i + 3).toString(16).padStart(2, '0')}`, rand, false)));
  return map;
}

export const TRANSACTIONS: ReadonlyMap<string, readonly TxRecord[]> = buildAllTransactions();

// ---------------------------------------------------------------------------
// per-account data lists

const amount = (n: number) => ({ currency: 'AED', amount: n });

export function balancesFor(a: AccountFixture): Record<string, unknown>[] {
  const at = '2026-04-30T20:00:00.000Z';
  return [
    {
      entity_id: a.entityId,
      account_id: a.id,
      credit_debit_indicator: 'CREDIT',
      type: 'INTERIM_AVAILABLE',
      amount: amount(a.balance),
      date_time: at,
      credit_line: [{ included: false, amount: amount(0), type: 'AVAILABLE' }],
      regional_data: null,
    },
    {
      entity_id: a.entityId,
      account_id: a.id,
      credit_debit_indicator: 'CREDIT',
      type: 'CLOSING_BOOKED',
      amount: amount(round2(a.balance - 212.4)),
      date_time: at,
      credit_line: [],
      regional_data: null,
    },
  ];
}

const agent = (bic: string, name: string) => ({
  scheme_name: 'BICFI',
  identification: bic,
  name,
  postal_address: {
    address_line: 'Sheikh Zayed Road, Dubai',
    address_type: 'BUSINESS',
    building_number: '12',
    country: 'AE',
    department: null,
    post_code: null,
    street_name: 'Sheikh Zayed Road',
    sub_department: null,
    town_name: 'Dubai',
    country_sub_division: null,
  },
});

export function beneficiariesFor(a: AccountFixture): Record<string, unknown>[] {
  if (a.subType === 'SAVINGS') return []; // deliberately empty list
  return [
    {
      account_id: a.id,
      account_holder_name: a.holder,
      account_holder_short_name: a.shortHolder,
      beneficiary_id: `BEN-${a.id.slice(-4)}-1`,
      beneficiary_type: 'TRUSTED',
      creditor_agent: agent('GHBKAEAD', 'Gulf Harbour Bank'),
      creditor_account: { scheme_name: 'IBAN', identification: makeIban('AE', '0440000001122334455'), name: 'Ahmed Al Mansoori' },
      reference: 'FAMILY SUPPORT',
      supplementary_data: null,
      regional_data: null,
    },
    {
      account_id: a.id,
      account_holder_name: a.holder,
      account_holder_short_name: a.shortHolder,
      beneficiary_id: `BEN-${a.id.slice(-4)}-2`,
      beneficiary_type: 'ORDINARY',
      creditor_agent: agent('MOCKAE01', 'Lean Open Finance MockBank'),
      creditor_account: { scheme_name: 'IBAN', identification: makeIban('AE', '0330000005566778899'), name: 'Marina Heights Properties' },
      reference: 'RENT',
      supplementary_data: null,
      regional_data: null,
    },
  ];
}

export function directDebitsFor(a: AccountFixture): Record<string, unknown>[] {
  if (a.subType === 'SAVINGS') return [];
  return [
    {
      account_id: a.id,
      direct_debit_id: fid('dd00', 1),
      status_code: 'ACTIVE',
      frequency: 'MONTHLY',
      mandate_identification: 'DEWA-MANDATE-0042',
      name: 'Dubai Electricity and Water Authority',
      previous_payment_date_time: '2026-04-05T00:00:00.000Z',
      previous_payment_amount: amount(612.3),
      regional_data: null,
    },
    {
      account_id: a.id,
      direct_debit_id: fid('dd00', 2),
      status_code: 'ACTIVE',
      frequency: 'MONTHLY',
      mandate_identification: 'ETISALAT-AUTOPAY-77',
      name: 'Etisalat',
      previous_payment_date_time: '2026-04-08T00:00:00.000Z',
      previous_payment_amount: amount(349),
      regional_data: null,
    },
  ];
}

export function scheduledPaymentsFor(a: AccountFixture): Record<string, unknown>[] {
  if (a.subType === 'SAVINGS') return [];
  return [
    {
      account_id: a.id,
      scheduled_payment_id: fid('5c00', 1),
      scheduled_type: 'EXECUTION',
      scheduled_payment_date_time: '2026-05-15T00:00:00.000Z',
      debtor_reference: 'SCHOOL FEES TERM 3',
      reference: 'SCHOOL-FEES',
      instructed_amount: amount(7400),
      creditor_agent: { scheme_name: 'BICFI', identification: 'GHBKAEAD' },
      creditor_account: { scheme_name: 'IBAN', identification: makeIban('AE', '0440000009988776655'), name: 'Al Noor Academy' },
      regional_data: null,
    },
  ];
}

export function standingOrdersFor(a: AccountFixture): Record<string, unknown>[] {
  if (a.subType === 'SAVINGS') return [];
  return [
    {
      account_id: a.id,
      standing_order_id: fid('50de', 1),
      standing_order_status_code: 'ACTIVE',
      first_payment_date_time: '2025-06-01T00:00:00.000Z',
      last_payment_date_time: '2026-04-01T00:00:00.000Z',
      next_payment_date_time: '2026-05-01T00:00:00.000Z',
      final_payment_date_time: '2027-05-01T00:00:00.000Z',
      frequency: { frequency_type: 'MONTHLY', interval: 'IntervalMonthDay:01' },
      number_of_payments: 24,
      reference: 'RENT',
      standing_order_type: 'LOCAL_BANK_TRANSFER',
      purpose: 'RENT',
      first_payment_amount: amount(8750),
      last_payment_amount: amount(8750),
      next_payment_amount: amount(8750),
      final_payment_amount: amount(8750),
      creditor_agent: { scheme_name: 'BICFI', identification: 'MOCKAE01' },
      creditor_account: { scheme_name: 'IBAN', identification: makeIban('AE', '0330000005566778899'), name: 'Marina Heights Properties' },
      regional_data: null,
    },
  ];
}

function identity(entityId: string, holder: string, role: string | null, partyId: string): Record<string, unknown> {
  const [first] = holder.split(' ');
  return {
    entity_id: entityId,
    full_legal_name: holder,
    name: holder,
    national_id: '784-1988-1234567-1',
    birth_date: '1988-07-14',
    gender: holder === HOLDER_C2 ? 'F' : 'M',
    email_address: `${(first ?? 'user').toLowerCase()}@example.com`,
    legal_structure: null,
    phone: '+971501234567',
    mobile_number: '+971501234567',
    address: {
      address_line: 'Apartment 1204, Marina Heights, Dubai Marina, Dubai, UAE',
      address_type: 'Residential',
      building_type: 'Apartment',
      apartment_or_villa_number: '1204',
      building_name: 'Marina Heights',
      street: 'Al Marsa Street',
      area: 'Dubai Marina',
      street_address: null,
      post_code: null,
      town_name: 'Dubai',
      region: 'Dubai',
      po_box: '50123',
      country: 'AE',
    },
    account_role: role,
    party_type: 'SOLE',
    party_id: partyId,
    party_number: `P-${partyId}`,
    regional_data: null,
  };
}

export function entityIdentities(e: EntityFixture): Record<string, unknown>[] {
  return [identity(e.id, e.holder, null, e.id.slice(-5))];
}

export function accountIdentities(a: AccountFixture): Record<string, unknown>[] {
  const list = [identity(a.entityId, a.holder, 'ADMINISTRATOR', a.id.slice(-5))];
  if (a.id === A.CURRENT) list.push({ ...identity(a.entityId, 'Aisha Khalid Al Mansoori', 'DELEGATE', '90211'), gender: 'F' });
  return list;
}

export const ANCHOR = ANCHOR_MS;
