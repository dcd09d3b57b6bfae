import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DISABLED_CLIENT_ID,
  DISABLED_CLIENT_SECRET,
  LEAN_IDS,
  LIMITED_CLIENT_ID,
  LIMITED_CLIENT_SECRET,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  startLeanSandbox,
  type LeanSandbox,
} from './index.js';

const FORM = 'application/x-www-form-urlencoded';
const ID = LEAN_IDS;

// method, path, operation of every upstream call in the 19 corpus capabilities (token endpoint aside)
const CAPABILITY_ROUTES: [string, string, string][] = [
  ['GET', '/banks/v1/', 'listBanks'],
  ['POST', '/customers/v1', 'createCustomer'],
  ['GET', '/customers/v1', 'listCustomers'],
  ['GET', '/customers/v1/{customer_id}', 'getCustomerById'],
  ['GET', '/customers/v1/app-user-id/{app_user_id}', 'getCustomerByAppUserId'],
  ['GET', '/data/v2/accounts', 'getAccounts'],
  ['GET', '/data/v2/accounts/{account_id}/balances', 'getBalances'],
  ['GET', '/data/v2/accounts/{account_id}/beneficiaries', 'getBeneficiaries'],
  ['GET', '/data/v2/accounts/{account_id}/direct-debits', 'getDirectDebits'],
  ['GET', '/data/v2/accounts/{account_id}/scheduled-payments', 'getScheduledPayments'],
  ['GET', '/data/v2/accounts/{account_id}/standing-orders', 'getStandingOrders'],
  ['GET', '/data/v2/identity', 'getIdentity'],
  ['GET', '/data/v2/accounts/{account_id}/identities', 'getAccountIdentities'],
  ['GET', '/data/v2/accounts/{account_id}/transactions', 'getTransactions'],
  ['POST', '/data/v2/refreshes', 'triggerDataRefresh'],
  ['GET', '/data/v2/refreshes', 'getDataRefreshes'],
  ['GET', '/data/v2/refreshes/{refresh_id}', 'getDataRefreshStatus'],
  ['GET', '/customers/v1/{customer_id}/entities', 'getEntitiesForCustomer'],
  ['GET', '/customers/v1/{customer_id}/entities/{entity_id}', 'getEntityById'],
  ['GET', '/customers/v1/entities', 'retrieveEntitiesForDateRange'],
  ['GET', '/insights/v2/assets/cashflows', 'getCashflows'],
  ['GET', '/insights/v2/expenses', 'getExpenses'],
  ['POST', '/insights/v2/income', 'computeIncome'],
  ['GET', '/customers/v1/{customer_id}/payment-sources', 'listCustomerPaymentSources'],
  ['GET', '/customers/v1/{customer_id}/payment-sources/{payment_source_id}', 'getPaymentSourceById'],
  ['DELETE', '/customers/v1/{customer_id}/payment-sources/{payment_source_id}', 'deletePaymentSource'],
  ['POST', '/consents/account-on-file', 'createAofConsent'],
  ['POST', '/payments/account-on-file', 'initiateAofPayment'],
  ['GET', '/consents/v1', 'listCustomerConsents'],
  ['GET', '/consents/{consent_id}', 'getConsentDetails'],
  ['GET', '/consents/{consent_id}/balance', 'fetchConsentBalance'],
  ['GET', '/consents/{consent_id}/history', 'getConsentHistory'],
  ['POST', '/payments/v1/intents', 'createPaymentIntent'],
  ['GET', '/payments/v1/intents', 'listPaymentIntents'],
  ['GET', '/payments/v1/intents/{intent_id}', 'getPaymentByIntentId'],
  ['GET', '/payments/v1/{payment_id}', 'getPaymentByPaymentId'],
  ['POST', '/payouts/v1/payment/destinations', 'createPayoutDestination'],
  ['GET', '/payouts/v1/payment/destinations', 'listPayoutDestinations'],
  ['GET', '/payouts/v1/payment/destinations/{destination_id}', 'getPayoutDestination'],
  ['POST', '/payouts/v1/payment', 'createPayoutPayment'],
  ['GET', '/payouts/v1/payments', 'listPayouts'],
  ['GET', '/payouts/v1/payments/{payment_id}/history', 'getPayoutPaymentHistory'],
  ['GET', '/payouts/v1/{payment_id}', 'getPayout'],
  ['GET', '/payouts/v1/intents/{payment_intent_id}', 'getPayoutIntent'],
  ['GET', '/payouts/refunds', 'listRefunds'],
  ['POST', '/payouts/refunds', 'createRefund'],
  ['PUT', '/payouts/refunds', 'processRefunds'],
  ['GET', '/payouts/refunds/reasons', 'getRefundReasons'],
  ['POST', '/verifications/v1/accounts', 'verifyAccount'],
  ['POST', '/insights/v1/name-verification', 'verifyName'],
];

let lean: LeanSandbox;
let apiToken: string;

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

async function tokenRequest(fields: Record<string, string>, init: { contentType?: string; body?: string; headers?: Record<string, string> } = {}) {
  return fetch(lean.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': init.contentType ?? FORM, accept: 'application/json', ...(init.headers ?? {}) },
    body: init.body ?? form(fields),
  });
}

const goodFields = (scope = 'api') => ({ client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, grant_type: 'client_credentials', scope });

async function api(path: string, init: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { accept: 'application/json', ...(init.headers ?? {}) };
  const token = init.token === undefined ? apiToken : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  return fetch(`${lean.apiUrl}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
}

async function apiJson(path: string, init?: Parameters<typeof api>[1]): Promise<{ status: number; body: any; res: Response }> {
  const res = await api(path, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
}

beforeAll(async () => {
  lean = await startLeanSandbox();
  const res = await tokenRequest(goodFields());
  apiToken = ((await res.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await lean?.close();
});

afterEach(() => {
  lean.faults.clear();
});

describe('token endpoint', () => {
  it('mints an RS256 api token from a form-encoded request', async () => {
    const res = await tokenRequest(goodFields());
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['access_token', 'scope', 'token_type', 'expires_in']);
    expect(body).toMatchObject({ scope: 'api', token_type: 'Bearer', expires_in: 3599 });
    expect(body).not.toHaveProperty('refresh_token');
    const jwt = String(body.access_token);
    expect(decodeProtectedHeader(jwt)).toEqual({ kid: 'lean-fake-1', alg: 'RS256' });
    const claims = decodeJwt(jwt);
    expect(claims).toMatchObject({ sub: SANDBOX_CLIENT_ID, iss: lean.authUrl, aud: lean.apiUrl, applications: [{ id: SANDBOX_CLIENT_ID }] });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.scope).toHaveLength(16);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    // verifiable against the published JWKS
    const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(lean.jwksUrl)), { issuer: lean.authUrl, audience: lean.apiUrl });
    expect(payload.sub).toBe(SANDBOX_CLIENT_ID);
  });

  it('accepts client_secret_basic', async () => {
    const basic = Buffer.from(`${SANDBOX_CLIENT_ID}:${SANDBOX_CLIENT_SECRET}`).toString('base64');
    const res = await tokenRequest({ grant_type: 'client_credentials', scope: 'api' }, { headers: { authorization: `Basic ${basic}` } });
    expect(res.status).toBe(200);
  });

  it('rejects a JSON body: no form parameters, so no client credentials (401 invalid_client)', async () => {
    const res = await tokenRequest({}, { contentType: 'application/json', body: JSON.stringify(goodFields()) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_client' });
    // with Basic credentials the JSON body still carries no grant_type
    const basic = Buffer.from(`${SANDBOX_CLIENT_ID}:${SANDBOX_CLIENT_SECRET}`).toString('base64');
    const res2 = await tokenRequest({}, { contentType: 'application/json', body: JSON.stringify(goodFields()), headers: { authorization: `Basic ${basic}` } });
    expect(res2.status).toBe(400);
    expect(await res2.json()).toEqual({
      error: 'invalid_request',
      error_description: 'OAuth 2.0 Parameter: grant_type',
      error_uri: 'https://datatracker.ietf.org/doc/html/rfc6749#section-5.2',
    });
  });

  it('answers invalid_client 401 for a wrong secret, an unknown client and a disabled client', async () => {
    for (const fields of [
      { ...goodFields(), client_secret: 'nope' },
      { ...goodFields(), client_id: '00000000-0000-4000-8000-000000000000' },
      { ...goodFields(), client_id: DISABLED_CLIENT_ID, client_secret: DISABLED_CLIENT_SECRET },
    ]) {
      const res = await tokenRequest(fields);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(await res.json()).toEqual({ error: 'invalid_client' });
    }
  });

  it('answers 400 for bad grants and scopes', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ ...goodFields(), grant_type: 'password' }, 'unsupported_grant_type'],
      [{ client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, scope: 'api' }, 'invalid_request'],
      [{ client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, grant_type: 'client_credentials' }, 'invalid_scope'],
      [goodFields('api customer.' + ID.customers.C1), 'invalid_scope'],
      [goodFields('customer.00000000-0000-4000-8000-000000000999'), 'invalid_scope'],
      [goodFields('admin'), 'invalid_scope'],
    ];
    for (const [fields, error] of cases) {
      const res = await tokenRequest(fields);
      expect(res.status, error).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe(error);
    }
    const repeated = await tokenRequest({}, { body: `${form(goodFields())}&grant_type=client_credentials` });
    expect(repeated.status).toBe(400);
    expect(((await repeated.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('serves AS metadata and 405 for GET /oauth2/token', async () => {
    const meta = (await (await fetch(`${lean.authUrl}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(meta.token_endpoint).toBe(lean.tokenUrl);
    expect(meta.jwks_uri).toBe(lean.jwksUrl);
    expect((await fetch(lean.tokenUrl)).status).toBe(405);
    const jwks = (await (await fetch(`${lean.authUrl}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
  });
});

describe('resource-server verification', () => {
  it('a token works on a data route; Lean headers are present', async () => {
    const { status, body, res } = await apiJson(`/data/v2/accounts?entity_id=${ID.entities.E_OK}`, { headers: { 'lean-correlation-id': 'AbCdEfGhIjKlMnOp' } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'OK', message: 'Data successfully retrieved', type: 'accounts', status_detail: null });
    expect(body.data.accounts).toHaveLength(2);
    expect(body.data.page).toEqual({ number: 0, size: 50, total_elements: 2, total_pages: 1, sort: null });
    expect(res.headers.get('lean-correlation-id')).toBe('AbCdEfGhIjKlMnOp');
    expect(res.headers.get('lean-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('cache-control')).toBe('no-cache, no-store, max-age=0, must-revalidate');
    const other = await api(`/banks/v1/`);
    expect(other.headers.get('lean-correlation-id')).toMatch(/^[A-Za-z0-9]{16}$/);
  });

  it('401 without credentials, with a malformed token and with a customer token', async () => {
    const none = await api('/banks/v1', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.text()).toBe('');
    const bad = await api('/banks/v1', { token: 'not.a.jwt' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);

    const res = await tokenRequest(goodFields(`customer.${ID.customers.C1}`));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; scope: string };
    expect(body.scope).toBe(`customer.${ID.customers.C1}`);
    const claims = decodeJwt(body.access_token);
    expect(claims.aud).toBe(`${lean.authUrl}/link`);
    expect(claims.customers).toEqual([{ id: ID.customers.C1 }]);
    expect(claims.scope).toHaveLength(10);
    const rejected = await api(`/data/v2/accounts?entity_id=${ID.entities.E_OK}`, { token: body.access_token });
    expect(rejected.status).toBe(401);
    expect(rejected.headers.get('www-authenticate')).toContain('aud');
  });

  it('rejects expired tokens (issued expired, or expired on the fake clock)', async () => {
    const expired = await lean.issueToken({ expiresIn: -5 });
    expect((await api('/banks/v1', { token: expired })).status).toBe(401);

    const fresh = ((await (await tokenRequest(goodFields())).json()) as { access_token: string }).access_token;
    expect((await api('/banks/v1', { token: fresh })).status).toBe(200);
    lean.clock.advance(3601);
    try {
      const res = await api('/banks/v1', { token: fresh });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('expired');
    } finally {
      lean.clock.advance(-3601);
    }
  });

  it('rejects tokens signed by a rotated-out key and accepts new ones', async () => {
    const old = await lean.issueToken();
    expect((await api('/banks/v1', { token: old })).status).toBe(200);
    const kid = await lean.rotateKeys();
    expect((await api('/banks/v1', { token: old })).status).toBe(401);
    const jwks = (await (await fetch(lean.jwksUrl)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([kid]);
    const res = await tokenRequest(goodFields());
    apiToken = ((await res.json()) as { access_token: string }).access_token;
    expect((await api('/banks/v1')).status).toBe(200);
    // a token signed by a key that is not published
    expect((await api('/banks/v1', { token: await lean.issueToken({ unknownKey: true }) })).status).toBe(401);
  });

  it('403 insufficient_scope when the token lacks the route permission', async () => {
    const res = await tokenRequest({ client_id: LIMITED_CLIENT_ID, client_secret: LIMITED_CLIENT_SECRET, grant_type: 'client_credentials', scope: 'api' });
    const limited = ((await res.json()) as { access_token: string }).access_token;
    const r = await api('/payments/v1/intents', { token: limited, body: { customer_id: ID.customers.C1, amount: 10, currency: 'AED' } });
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect((await api('/payments/v1/intents', { token: limited })).status).toBe(200);
  });

  it('rejects lean-app-token together with Authorization', async () => {
    const { status, body } = await apiJson('/banks/v1', { headers: { 'lean-app-token': 'x' } });
    expect(status).toBe(400);
    expect(body).toMatchObject({ status: 'INVALID_PARAMETERS', message: "Do not supply a 'lean-app-token' header when providing an 'Authorization' header", metadata: null });
  });
});

describe('routes and behaviour', () => {
  it('routes every upstream call of the 19 capabilities to the right operation', async () => {
    const sample: Record<string, string> = {
      customer_id: ID.customers.C1,
      app_user_id: 'demo_user_1',
      account_id: ID.accounts.CURRENT,
      refresh_id: ID.refreshes.F1,
      entity_id: ID.entities.E_OK,
      payment_source_id: ID.paymentSources.PS2,
      consent_id: ID.consents.K1,
      intent_id: ID.intents.PI1,
      payment_id: ID.payouts.P1,
      destination_id: ID.destinations.D2,
      payment_intent_id: ID.payouts.P1_INTENT,
    };
    for (const [method, template, operation] of CAPABILITY_ROUTES) {
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => sample[name]!);
      lean.clearJournal();
      const res = await api(path, { method, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
      const text = await res.text();
      expect(res.status, `${method} ${path}`).not.toBe(405);
      expect(text, `${method} ${path}`).not.toContain('"NOT_FOUND"');
      expect(lean.journal.at(-1)?.operation, `${method} ${path}`).toBe(operation);
    }
    expect(lean.routes.length).toBeGreaterThanOrEqual(CAPABILITY_ROUTES.length);
  });

  it('404 for unknown routes, 405 for wrong methods, literal segments win over parameters', async () => {
    const nf = await apiJson('/nope/v1');
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ status: 'NOT_FOUND', metadata: null });
    expect(typeof nf.body.timestamp).toBe('string');
    const na = await apiJson('/banks/v1', { method: 'DELETE' });
    expect(na.status).toBe(405);
    const consents = await apiJson('/consents/v1');
    expect(consents.status).toBe(200);
    expect(Array.isArray(consents.body.data)).toBe(true);
    const entities = await apiJson('/customers/v1/entities?start_date=2026-01-01&end_date=2026-05-01');
    expect(entities.status).toBe(200);
    expect(entities.body.data.map((e: { id: string }) => e.id)).toContain(ID.entities.E_OK);
    const banks = await apiJson('/banks/v1/?account_types=PERSONAL');
    expect(banks.body.map((b: { identifier: string }) => b.identifier)).toContain('LEAN_OF_RETAIL_UAE');
  });

  it('strict mode enforces entity_id; unknown ids give Lean 404s', async () => {
    const missing = await apiJson('/data/v2/accounts');
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ status: 'INVALID_PARAMETERS', metadata: null });
    expect(missing.body.message).toContain('field: entity_id');
    expect(missing.body.results_id).toMatch(/^[0-9a-f-]{36}$/);
    const unknown = await apiJson('/data/v2/accounts?entity_id=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.status).toBe('UNKNOWN_ENTITY');
    const acct = await apiJson(`/data/v2/accounts/${ID.accounts.EXPIRED}/balances?entity_id=${ID.entities.E_OK}`);
    expect(acct.body.status).toBe('UNKNOWN_ACCOUNT');
  });

  it('paginates 130 transactions and filters by date', async () => {
    const base = `/data/v2/accounts/${ID.accounts.CURRENT}/transactions?entity_id=${ID.entities.E_OK}`;
    const p0 = await apiJson(base);
    expect(p0.body.data.page).toMatchObject({ number: 0, size: 50, total_elements: 130, total_pages: 3 });
    const p2 = await apiJson(`${base}&page=2`);
    expect(p2.body.data.transactions).toHaveLength(30);
    const march = await apiJson(`${base}&start_date=2026-03-01&end_date=2026-03-31&size=100`);
    expect(march.body.data.transactions.length).toBeGreaterThan(10);
    for (const t of march.body.data.transactions) expect(t.booking_date_time.slice(0, 7)).toBe('2026-03');
    expect((await apiJson(`${base}&size=101`)).status).toBe(400);
  });

  it('entity behaviours: consent expired, bank down, missing permission, slow (202 then results)', async () => {
    const exp = await apiJson(`/data/v2/accounts?entity_id=${ID.entities.E_EXPIRED}`);
    expect(exp.status).toBe(200);
    expect(exp.body.status).toBe('CONSENT_EXPIRED');
    const down = await apiJson(`/data/v2/identity?entity_id=${ID.entities.E_BANKDOWN}`);
    expect(down.body.status).toBe('FAILED');
    expect(down.body.status_detail.granular_status_code).toBe('BANK_ISSUE');
    const noperm = await apiJson(`/data/v2/accounts/${ID.accounts.NOPERM}/direct-debits?entity_id=${ID.entities.E_NOPERM}`);
    expect(noperm.status).toBe(403);
    const slow = await apiJson(`/data/v2/accounts?entity_id=${ID.entities.E_SLOW}`);
    expect(slow.status).toBe(202);
    expect(slow.body.status).toBe('PENDING');
    const rid = slow.body.results_id;
    expect((await apiJson(`/data/v2/results/${rid}`)).status).toBe(404);
    lean.clock.advance(6);
    const ready = await apiJson(`/data/v2/results/${rid}`);
    expect(ready.status).toBe(200);
    expect(ready.body.data.accounts).toHaveLength(1);
  });

  it('customers: create, get, duplicate 409', async () => {
    const created = await apiJson('/customers/v1/', { body: { app_user_id: 'state-machine-user' } });
    expect(created.status).toBe(200);
    const id = created.body.customer_id;
    expect((await apiJson(`/customers/v1/${id}`)).body).toEqual({ customer_id: id, app_user_id: 'state-machine-user' });
    expect((await apiJson('/customers/v1/app-user-id/state-machine-user')).body.customer_id).toBe(id);
    const dup = await apiJson('/customers/v1', { body: { app_user_id: 'state-machine-user' } });
    expect(dup.status).toBe(409);
    expect(dup.body.status).toBe('CUSTOMER_ALREADY_EXISTS');
    // a customer token can now be minted for the new customer
    expect((await tokenRequest(goodFields(`customer.${id}`))).status).toBe(200);
  });

  it('rejects non-JSON content types and malformed JSON with the validation envelope', async () => {
    const formBody = await apiJson('/customers/v1', { body: 'app_user_id=x', headers: { 'content-type': FORM } });
    expect(formBody.status).toBe(400);
    expect(formBody.body.status).toBe('INVALID_PARAMETERS');
    const broken = await apiJson('/customers/v1', { body: '{"app_user_id": ' });
    expect(broken.status).toBe(400);
    expect(broken.body.status).toBe('INVALID_PARAMETERS');
  });

  it('data refresh: 429 while pending, FINISHED after the fake clock moves', async () => {
    const first = await apiJson('/data/v2/refreshes', { body: { entity_id: ID.entities.E_OK } });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('OK');
    const dup = await apiJson('/data/v2/refreshes', { body: { entity_id: ID.entities.E_OK } });
    expect(dup.status).toBe(429);
    expect(dup.body.status).toBe('DUPLICATED_REQUEST');
    expect(dup.res.headers.get('retry-after')).toBeNull();
    const pending = await apiJson(`/data/v2/refreshes/${first.body.refresh_id}?entity_id=${ID.entities.E_OK}`);
    expect(pending.body.status).toBe('PENDING');
    lean.clock.advance(9);
    const done = await apiJson(`/data/v2/refreshes/${first.body.refresh_id}?entity_id=${ID.entities.E_OK}`);
    expect(done.body.status).toBe('FINISHED');
    expect(done.body.data_status.account_data[0].identity).toBe('FAILED');
    expect((await apiJson('/data/v2/refreshes', { body: { entity_id: ID.entities.E_EXPIRED } })).status).toBe(403);
    expect((await apiJson('/data/v2/refreshes', { body: { entity_id: ID.entities.E_RECONNECT } })).body.status).toBe('RECONNECT_REQUIRED');
  });

  it('payment intents: created empty, paid through the control stand-in, settle on the fake clock', async () => {
    const created = await apiJson('/payments/v1/intents', { body: { customer_id: ID.customers.C1, amount: 120.5, currency: 'AED' } });
    expect(created.status).toBe(200);
    expect(created.body.payments).toEqual([]);
    expect(created.body.payment_destination.id).toBe(ID.destinations.D1);
    const under = await apiJson('/payments/v1/intents', { body: { customer_id: ID.customers.C1, amount: 0.5, currency: 'AED' } });
    expect(under.body.status).toBe('AMOUNT_UNDER_MIN_VALUE');
    const payment = lean.payIntent(created.body.payment_intent_id);
    expect(payment.status).toBe('PENDING_WITH_BANK');
    lean.clock.advance(6);
    const got = await apiJson(`/payments/v1/intents/${created.body.payment_intent_id}`);
    expect(got.body.payments[0].status).toBe('ACCEPTED_BY_BANK');
    expect((await apiJson(`/payments/v1/${String(payment.id)}`)).body.status).toBe('ACCEPTED_BY_BANK');
  });

  it('AOF: consent awaiting authorisation, balance 409, Idempotency-Key required and replayed', async () => {
    const consent = await apiJson('/consents/account-on-file', {
      body: {
        customer_id: ID.customers.C1,
        destination_account_id: ID.destinations.D1,
        currency: 'AED',
        reference: 'T-1',
        purpose: 'FIS',
        control_parameters: { period_type: 'Month', max_individual_amount: '500' },
      },
    });
    expect(consent.status).toBe(200);
    expect(consent.body.status).toBe('AWAITING_AUTHORISATION');
    const id = consent.body.id;
    expect((await apiJson(`/consents/${id}/balance`)).status).toBe(409);
    lean.authorizeConsent(id);
    expect((await apiJson(`/consents/v1/${id}/balance`)).body.currency).toBe('AED');
    expect((await apiJson(`/consents/${id}/history`)).body.data.map((h: { type: string }) => h.type)).toEqual(['CONSENT_CREATED', 'CONSENT_AUTHORISED']);

    const pay = { consent_id: id, amount: 100 };
    expect((await apiJson('/payments/account-on-file', { body: pay })).status).toBe(400);
    const first = await apiJson('/payments/account-on-file', { body: pay, headers: { 'idempotency-key': 'k-1' } });
    expect(first.body.status).toBe('CREATED');
    const replay = await apiJson('/payments/account-on-file', { body: pay, headers: { 'idempotency-key': 'k-1' } });
    expect(replay.body).toEqual(first.body);
    expect(replay.res.headers.get('x-lean-fake-idempotent-replay')).toBe('true');
    const conflict = await apiJson('/payments/account-on-file', { body: { ...pay, amount: 101 }, headers: { 'idempotency-key': 'k-1' } });
    expect(conflict.status).toBe(409);
    const over = await apiJson('/payments/account-on-file', { body: { consent_id: id, amount: 900 }, headers: { 'idempotency-key': 'k-2' } });
    expect(over.body.status).toBe('FAILED');
    expect(over.body.failure_details.code).toBe('LIMIT_EXCEEDED');
  });

  it('refunds: 201 create, over-refund 400, approve → PENDING_WITH_BANK → ACCEPTED_BY_BANK', async () => {
    const created = await apiJson('/payouts/refunds', { body: [{ payment_id: ID.payments.PAY1, amount: 5, currency: 'AED', reason_code: 'CUSTOMER_REQUEST' }] });
    expect(created.status).toBe(201);
    const refundId = created.body[0].refund_id;
    const over = await apiJson('/payouts/refunds', { body: [{ payment_id: ID.payments.PAY1, amount: 1000, currency: 'AED', reason_code: 'CUSTOMER_REQUEST' }] });
    expect(over.status).toBe(400);
    const put = await apiJson('/payouts/refunds', { method: 'PUT', body: [{ refund_id: refundId, status: 'APPROVED' }] });
    expect(put.body).toEqual([{ refund_id: refundId, status: 'APPROVED' }]);
    const find = async () => (await apiJson('/payouts/refunds?size=100')).body.content.find((r: { refund_id: string }) => r.refund_id === refundId).status;
    expect(await find()).toBe('PENDING_WITH_BANK');
    lean.clock.advance(6);
    expect(await find()).toBe('ACCEPTED_BY_BANK');
    expect((await apiJson('/payouts/refunds/reasons')).body).toHaveLength(4);
  });

  it('verifications: magic IBANs and name matching', async () => {
    const verify = (iban: string, name = 'ADAM AHMED', cc = 'AE') =>
      apiJson('/verifications/v1/accounts', {
        body: { country_code: cc, type: 'PERSONAL', account_details: { type: 'IBAN', value: iban }, identifications: [{ type: 'FULL_NAME', value: name }] },
      });
    expect((await verify('AE420260001015819612801')).body.verifications.account_ownership_verified).toBe(true);
    const bank = await verify('AE160030011522789920001');
    expect(bank.body.status).toBe('FAILED');
    expect(bank.body.status_detail.granular_status_code).toBe('BANK_ISSUE');
    expect((await verify('SA1300GQO2OTVMEJ3885Y3TO', 'X', 'SA')).status).toBe(404);
    const ru = await verify('AE420260001015819612801', 'X', 'RU');
    expect(ru.status).toBe(400);
    expect(ru.body.message).toBe('Country not supported: RU');
    const nv = (full_name: string) => apiJson('/insights/v1/name-verification', { body: { entity_id: ID.entities.E_OK, full_name } });
    expect((await nv('Mohammed Ahmed Al Mansoori')).body.data).toMatchObject({ match_type: 'PERFECT_MATCH', confidence: 1 });
    expect((await nv('Mohammed Al Mansoori')).body.data.match_type).toBe('PARTIAL_MATCH');
    expect((await nv('Jane Doe')).body.data.match_type).toBe('NO_MATCH');
  });

  it('insights: cashflows need start_date in strict mode and default to async', async () => {
    expect((await apiJson(`/insights/v2/assets/cashflows?entity_id=${ID.entities.E_OK}`)).status).toBe(400);
    const pending = await apiJson(`/insights/v2/assets/cashflows?entity_id=${ID.entities.E_OK}&start_date=2025-11-01`);
    expect(pending.status).toBe(202);
    const sync = await apiJson(`/insights/v2/assets/cashflows?entity_id=${ID.entities.E_OK}&start_date=2025-11-01&async=false`);
    expect(sync.status).toBe(200);
    expect(sync.body.insights.monthly_totals.length).toBeGreaterThanOrEqual(6);
    expect((await apiJson(`/insights/v2/assets/cashflows?entity_id=${ID.entities.E_SLOW}&start_date=2025-11-01&async=false`)).status).toBe(501);
    const income = await apiJson('/insights/v2/income', { body: { entity_id: ID.entities.E_OK, income_type: 'ALL' } });
    expect(income.body.insights.salary.total.count).toBe(6);
  });
});

describe('fault injection', () => {
  it('latency', async () => {
    lean.faults.set({ route: '/banks/v1', kind: 'latency', ms: 150 });
    const t0 = Date.now();
    expect((await api('/banks/v1')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('hang', async () => {
    lean.faults.set({ route: '/banks/v1', kind: 'hang' }, { times: 1 });
    await expect(fetch(`${lean.apiUrl}/banks/v1`, { headers: { authorization: `Bearer ${apiToken}` }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await api('/banks/v1')).status).toBe(200);
  });

  it('status (N times, then normal) on the token endpoint and the api', async () => {
    lean.faults.set({ route: '/oauth2/token', kind: 'status', status: 503 }, { times: 2 });
    const a = await tokenRequest(goodFields());
    expect(a.status).toBe(503);
    expect(await a.json()).toEqual({ error: 'temporarily_unavailable' });
    expect((await tokenRequest(goodFields())).status).toBe(503);
    expect((await tokenRequest(goodFields())).status).toBe(200);
    lean.faults.set({ route: /^\/data\//, kind: 'status', status: 500 }, { times: 1 });
    const r = await apiJson(`/data/v2/accounts?entity_id=${ID.entities.E_OK}`);
    expect(r.status).toBe(500);
    expect(r.body.status).toBe('INTERNAL_SERVER_ERROR');
  });

  it('rate-limit', async () => {
    lean.faults.set({ kind: 'rate-limit', retryAfter: 2, listener: 'api' }, { times: 1 });
    const r = await api('/banks/v1');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('2');
    expect((await api('/banks/v1')).status).toBe(200);
  });

  it('malformed-json', async () => {
    lean.faults.set({ route: '/banks/v1', kind: 'malformed-json' }, { times: 1 });
    const r = await api('/banks/v1');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    await expect(r.json()).rejects.toThrow();
    lean.faults.set({ route: '/banks/v1', kind: 'malformed-json', variant: 'html-200' }, { times: 1 });
    expect((await (await api('/banks/v1')).text()).startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('reset before headers and mid-body', async () => {
    lean.faults.set({ route: '/banks/v1', kind: 'reset' }, { times: 1 });
    await expect(api('/banks/v1')).rejects.toThrow();
    lean.faults.set({ route: '/banks/v1', kind: 'reset', when: 'mid-body' }, { times: 1 });
    const r = await api('/banks/v1');
    expect(r.status).toBe(200);
    await expect(r.text()).rejects.toThrow();
    expect((await api('/banks/v1')).status).toBe(200);
  });

  it('html-error (Cloudflare edge page)', async () => {
    lean.faults.set({ route: '/customers/v1/{customer_id}', kind: 'html-error', status: 502 }, { times: 1 });
    const r = await api(`/customers/v1/${ID.customers.C1}`);
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.headers.get('cf-ray')).toBeTruthy();
    expect(await r.text()).toContain('Error code 502');
  });

  it('slow-body, skip and method matching', async () => {
    lean.faults.set({ route: '/payouts/refunds/reasons', kind: 'slow-body', bytesPerSecond: 2000 }, { times: 1 });
    const t0 = Date.now();
    const r = await api('/payouts/refunds/reasons');
    expect(await r.json()).toHaveLength(4);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    lean.faults.set({ route: '/banks/*', method: 'GET', kind: 'status', status: 503 }, { skip: 1, times: 1 });
    expect((await api('/banks/v1')).status).toBe(200);
    expect((await api('/banks/v1')).status).toBe(503);
    expect((await api('/banks/v1')).status).toBe(200);
    expect(lean.faults.list()).toHaveLength(0);
  });
  it('HTTP control plane: clock, faults, pay an intent', async () => {
    const ctl = (path: string, body?: unknown, method = 'POST') =>
      fetch(`${lean.apiUrl}/_fake${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const before = lean.clock.now();
    const c = (await (await ctl('/clock', { advance_seconds: 10 })).json()) as { now: string };
    expect(Date.parse(c.now) - before).toBeGreaterThanOrEqual(10_000);
    await ctl('/faults', { route: '/banks/v1', kind: 'status', status: 503, times: 1 });
    expect((await api('/banks/v1')).status).toBe(503);
    expect((await api('/banks/v1')).status).toBe(200);
    const paid = (await (await ctl(`/intents/${ID.intents.PI2}/pay`, { outcome: 'FAILED' })).json()) as { status: string };
    expect(paid.status).toBe('PENDING_WITH_BANK');
    lean.clock.advance(6);
    const intent = await apiJson(`/payments/v1/intents/${ID.intents.PI2}`);
    expect(intent.body.payments.at(-1).status).toBe('FAILED');
    const journal = (await (await ctl('/journal', undefined, 'GET')).json()) as unknown[];
    expect(journal.length).toBeGreaterThan(0);
  });
});

describe('journal and determinism', () => {
  it('records requests with lower-case headers, redacted secrets and token fingerprints', async () => {
    lean.clearJournal();
    await tokenRequest(goodFields());
    await api(`/data/v2/accounts?entity_id=${ID.entities.E_OK}&page=0`, { headers: { 'X-Custom': 'v' } });
    expect(lean.journal).toHaveLength(2);
    const [tok, call] = lean.journal;
    expect(tok).toMatchObject({ listener: 'auth', method: 'POST', path: '/oauth2/token', status: 200 });
    expect(tok!.headers['content-type']).toBe(FORM);
    expect(tok!.body).toContain('grant_type=client_credentials');
    expect(tok!.body).not.toContain(SANDBOX_CLIENT_SECRET);
    expect(tok!.tokenRequest).toMatchObject({ clientId: SANDBOX_CLIENT_ID, authMethod: 'client_secret_post', scope: 'api', secretValid: true });
    expect(call).toMatchObject({ listener: 'api', method: 'GET', path: '/data/v2/accounts', status: 200, operation: 'getAccounts' });
    expect(call!.query).toEqual({ entity_id: ID.entities.E_OK, page: '0' });
    expect(call!.headers['x-custom']).toBe('v');
    expect(call!.headers.authorization).toBe('Bearer [REDACTED]');
    expect(call!.token?.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof call!.timestamp).toBe('string');
    expect(JSON.stringify(lean.journal)).not.toContain(SANDBOX_CLIENT_SECRET);
    lean.clearJournal();
    expect(lean.journal).toHaveLength(0);
  });

  it('same seed + same requests → same ids; lenient mode fills Lean-required params', async () => {
    const run = async (): Promise<string> => {
      const s = await startLeanSandbox({ seed: 'det', strict: false, clock: { start: '2026-05-10T10:00:00Z', frozen: true } });
      try {
        const t = await s.issueToken();
        const r = await fetch(`${s.apiUrl}/customers/v1`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
          body: JSON.stringify({ app_user_id: 'det-user' }),
        });
        const lenient = await fetch(`${s.apiUrl}/data/v2/accounts`, { headers: { authorization: `Bearer ${t}` } });
        expect(lenient.status).toBe(200);
        return ((await r.json()) as { customer_id: string }).customer_id;
      } finally {
        await s.close();
      }
    };
    expect(await run()).toBe(await run());
  });
});
