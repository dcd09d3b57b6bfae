/**
 * International account verification / Confirmation of Payee (§3.18), with
 * Lean's sandbox magic IBANs (§5.8).
 */
import { ACCOUNTS, HOLDER_C1, HOLDER_C2, isValidIban } from '../fixtures.js';
import { LeanError, invalidParam, isObject, json } from '../http.js';
import type { RequestCtx, RouteDef } from '../state.js';
import { nameMatch } from './insights.js';

export const SUPPORTED_VERIFICATION_COUNTRIES = new Set(
  'AE SA AR AT AU BD BE BH BR CA CH CN DE EG ES FR GB GH HK ID IE IN IT JO JP KE KR KW LK MX MY NG NL NP OM PE PH PK PL PT QA SE SG TR UG US UY VN ZA'.split(' '),
);

type Outcome =
  | { kind: 'ok'; status: 'ACTIVE' | 'BLOCKED' | 'CLOSED' | 'IN_LIQUIDATION'; name?: string; owned: boolean }
  | { kind: 'failed'; code: string; message: string; info: string }
  | { kind: 'not-found' };

const FAIL = {
  LEAN_ERROR: { message: 'System error occurred', info: 'Internal system error occurred' },
  BANK_ISSUE: { message: 'Bank temporarily unavailable', info: 'Bank is experiencing technical issues' },
  UNSUPPORTED_BY_BANK: { message: 'Bank verification not supported', info: 'This bank does not support verification' },
  DISABLED_BY_LEAN: { message: 'Verification temporarily disabled', info: 'Verification disabled for this bank' },
  GIVEN_INPUT_CANNOT_BE_VERIFIED: {
    message: 'Account cannot be verified in this case. Please do not retry.',
    info: 'Account cannot be verified in this case. Please do not retry.',
  },
} as const;
const failed = (code: keyof typeof FAIL): Outcome => ({ kind: 'failed', code, ...FAIL[code] });

/** Lean's documented sandbox magic IBANs (S1). */
export const MAGIC_IBANS: Readonly<Record<string, Outcome>> = {
  AE420260001015819612801: { kind: 'ok', status: 'ACTIVE', owned: true },
  AE810030012459313920001: { kind: 'ok', status: 'BLOCKED', name: 'BLOCKED USER', owned: false },
  AE380030012459313810001: failed('LEAN_ERROR'),
  AE160030011522789920001: failed('BANK_ISSUE'),
  AE420500000000028645064: failed('UNSUPPORTED_BY_BANK'),
  AE100500000000028538649: failed('DISABLED_BY_LEAN'),
  AE550030011666123450001: failed('GIVEN_INPUT_CANNOT_BE_VERIFIED'),
  SA2810000011100000461309: { kind: 'ok', status: 'ACTIVE', owned: true },
  SA3076747147122249133391: { kind: 'ok', status: 'CLOSED', name: 'Cl**** Ac**** Ho****', owned: false },
  SA4576615857476891197381: { kind: 'ok', status: 'IN_LIQUIDATION', name: 'Li**** Ac**** Ho****', owned: false },
  SA7665000000124A60749002: failed('LEAN_ERROR'),
  SA82550000000M1795800177: failed('BANK_ISSUE'),
  SA0405000068201235335000: failed('UNSUPPORTED_BY_BANK'),
  SA5080000146608010554454: failed('DISABLED_BY_LEAN'),
  SA1300GQO2OTVMEJ3885Y3TO: { kind: 'not-found' },
};

const BANK_BY_CODE: Record<string, { en: string; ar: string; bic: string }> = {
  'AE:026': { en: 'Emirates Falcon Bank', ar: 'بنك صقر الإمارات', bic: 'EFBKAEADXXX' },
  'AE:003': { en: 'Capital Oasis Commercial Bank', ar: 'بنك واحة العاصمة التجاري', bic: 'COCBAEAAXXX' },
  'AE:050': { en: 'Northern Emirates Bank', ar: 'بنك الإمارات الشمالية', bic: 'NEBKAEAAXXX' },
  'AE:033': { en: 'Lean Open Finance MockBank', ar: 'بنك لين التجريبي', bic: 'MOCKAE01' },
  'AE:044': { en: 'Gulf Harbour Bank', ar: 'بنك خليج الميناء', bic: 'GHBKAEADXXX' },
  'SA:10': { en: 'Red Sea National Bank', ar: 'البنك الوطني للبحر الأحمر', bic: 'RSNBSAJE' },
  'SA:80': { en: 'Najd Islamic Bank', ar: 'مصرف نجد الإسلامي', bic: 'NJDISARI' },
  'SA:76': { en: 'Harbour Muscat Bank', ar: 'بنك ميناء مسقط', bic: 'HMSCSARI' },
};

function bankFor(country: string, iban: string): { en: string; ar: string | null; bic: string } {
  const code = country === 'SA' ? iban.slice(4, 6) : iban.slice(4, 7);
  return BANK_BY_CODE[`${country}:${code}`] ?? { en: 'Example International Bank', ar: null, bic: `EXMP${country}XX` };
}

const KNOWN_HOLDERS = [HOLDER_C1, HOLDER_C2, 'ADAM AHMED', 'ABBAS AL-SHEIKH'];
const KNOWN_IBANS = new Map(ACCOUNTS.map((a) => [a.iban, a.holder]));

function verify(ctx: RequestCtx): { status: number; body: unknown } {
  const b = ctx.body;
  if (!isObject(b)) throw invalidParam('body', ctx.bodyText.slice(0, 64));
  const country = b.country_code;
  if (typeof country !== 'string' || !/^[A-Za-z]{2}$/.test(country)) throw invalidParam('country_code', country);
  const cc = country.toUpperCase();
  if (!SUPPORTED_VERIFICATION_COUNTRIES.has(cc)) throw new LeanError(400, 'INVALID_PARAMETERS', `Country not supported: ${cc}`);
  if (b.type !== 'PERSONAL' && b.type !== 'BUSINESS') throw invalidParam('type', b.type);
  const details = b.account_details;
  if (!isObject(details)) throw invalidParam('account_details', details);
  if (details.type !== 'IBAN' && details.type !== 'ACCOUNT_ID') throw invalidParam('account_details.type', details.type);
  if (typeof details.value !== 'string' || details.value.trim() === '') throw invalidParam('account_details.value', details.value);
  if (details.account_type !== undefined && details.account_type !== null && !['SAVINGS', 'CHECKING'].includes(String(details.account_type))) {
    throw invalidParam('account_details.account_type', details.account_type);
  }
  const ids = b.identifications;
  if (!Array.isArray(ids) || ids.length === 0) throw invalidParam('identifications', ids ?? null);
  ids.forEach((id, i) => {
    if (!isObject(id) || typeof id.type !== 'string' || typeof id.value !== 'string' || id.value.trim() === '') {
      throw invalidParam(`identifications[${i}]`, id);
    }
  });
  const fullName = ids.find((id) => isObject(id) && id.type === 'FULL_NAME') as { value: string } | undefined;
  if ((cc === 'AE' || cc === 'SA') && !fullName) throw invalidParam('identifications', 'FULL_NAME', false, 'a FULL_NAME identification is required');
  if (b.bank_identifier !== undefined && b.bank_identifier !== null) {
    const bi = b.bank_identifier;
    if (!isObject(bi) || !['BIC', 'CLEARING_ID', 'SWIFT_CODE'].includes(String(bi.type)) || typeof bi.value !== 'string') {
      throw invalidParam('bank_identifier', bi);
    }
  }

  const value = details.value.replace(/\s+/g, '').toUpperCase();
  if (details.type === 'IBAN' && !/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(value)) throw invalidParam('account_details.value', details.value);

  const head = (status: string, message: string) => ({
    status,
    results_id: ctx.resultsId(),
    message,
    meta: null,
    timestamp: ctx.sb.clock.iso(),
  });
  const magic = MAGIC_IBANS[value];
  if (magic?.kind === 'not-found') throw new LeanError(404, 'DATA_NOT_FOUND', 'The data requested could not be found');
  if (magic?.kind === 'failed') {
    return {
      status: 200,
      body: { ...head('FAILED', magic.message), verifications: null, status_detail: { granular_status_code: magic.code, status_additional_info: magic.info } },
    };
  }
  if (details.type === 'IBAN' && value.slice(0, 2) !== cc) throw invalidParam('account_details.value', details.value, false, 'IBAN country does not match country_code');
  if (details.type === 'IBAN' && !magic && !isValidIban(value)) {
    return {
      status: 200,
      body: {
        ...head('FAILED', 'Account cannot be verified in this case. Please do not retry.'),
        verifications: null,
        status_detail: { granular_status_code: 'GIVEN_INPUT_CANNOT_BE_VERIFIED', status_additional_info: 'The IBAN check digits are invalid.' },
      },
    };
  }
  const provided = fullName?.value ?? '';
  let holder: string;
  let owned: boolean;
  let matching: { type: string; score: number } | null = null;
  let status: string = 'ACTIVE';
  if (magic?.kind === 'ok') {
    holder = magic.name ?? provided;
    owned = magic.owned;
    status = magic.status;
  } else {
    const onFile = KNOWN_IBANS.get(value);
    const candidates = onFile ? [onFile] : KNOWN_HOLDERS;
    const best = candidates
      .map((h) => ({ h, m: nameMatch(provided, h) }))
      .sort((x, y) => y.m.confidence - x.m.confidence)[0]!;
    if (best.m.match_type === 'PERFECT_MATCH') {
      holder = best.h;
      owned = true;
    } else {
      holder = onFile ?? provided;
      owned = false;
      matching = best.m.match_type === 'PARTIAL_MATCH' ? { type: 'PARTIAL', score: best.m.confidence } : { type: 'NO_MATCH', score: best.m.confidence };
      if (!onFile && matching.type === 'NO_MATCH') {
        // unknown holder: Lean still verifies the account; the name is masked
        holder = provided
          .split(/\s+/)
          .filter(Boolean)
          .map((w) => `${w.slice(0, 2)}****`)
          .join(' ');
      }
    }
  }
  const bank = bankFor(cc, value);
  return {
    status: 200,
    body: {
      ...head('OK', 'Data successfully retrieved'),
      status_detail: null,
      verifications: {
        account_ownership_verified: owned,
        matching,
        bank_details: { bank_name: { en: bank.en, ar: bank.ar }, bank_identifiers: [{ type: 'BIC', value: bank.bic }] },
        account_status: status,
        account_holder_name: holder,
        account_currency: null,
        verification_method: 'CONFIRMATION_OF_PAYEE_SERVICE',
      },
    },
  };
}

export const verificationRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/verifications/v1/accounts',
    permission: 'data.read',
    operation: 'verifyAccount',
    jsonBody: true,
    handler: (ctx) => {
      const r = verify(ctx);
      return json(r.status, r.body);
    },
  },
];
