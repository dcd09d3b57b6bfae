/**
 * Realistic inputs for every consumed operation of the 19 Lean capabilities
 * (and capabilities/lean-tokens.yaml), against the sandbox fixtures, with what
 * each answer must contain. The same table drives the REST and the MCP calls;
 * `surface` lets creates and deletes use distinct objects per surface.
 */
import { expect } from 'vitest';
import { decodeJwt } from 'jose';
import { HOLDER_C1, LEAN_IDS, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../../fakes/lean/index.js';
import type { Surface } from './operations.js';

const ID = LEAN_IDS;

export interface OperationCase {
  /** Consumed parameters (by the consumed operation's parameter names). */
  params: (surface: Surface) => Record<string, unknown>;
  /** Expected HTTP status (REST) / tool outcome (MCP: ≥ 400 → isError). */
  status: number;
  /** Checks the mapped output (REST body / MCP result value). Not called for errors. */
  check?: (value: any) => void;
  /** For expected upstream errors: a fragment of the error body. */
  error?: string;
}

type Any = any;
const arrayOf = (v: Any): Any[] => (Array.isArray(v) ? v : Array.isArray(v?.result) ? v.result : []);

export const CASES: Record<string, OperationCase> = {
  'authentication-tokens.generateAccessToken': {
    params: () => ({ body: { client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, grant_type: 'client_credentials', scope: 'api' } }),
    status: 200,
    check: (v) => {
      expect(v).toMatchObject({ token_type: 'Bearer', expires_in: 3599, scope: 'api' });
      expect(decodeJwt(v.access_token).sub).toBe(SANDBOX_CLIENT_ID);
    },
  },
  'lean-tokens.mintApiToken': {
    params: () => ({}),
    status: 200,
    check: (v) => {
      expect(Object.keys(v).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(v).toMatchObject({ token_type: 'Bearer', expires_in: 3599, scope: 'api' });
      expect(decodeJwt(v.access_token).scope).toContain('data.read');
    },
  },
  'lean-tokens.mintCustomerToken': {
    params: () => ({ customer_id: ID.customers.C1 }),
    status: 200,
    check: (v) => {
      expect(v).toMatchObject({ customer_id: ID.customers.C1, token_type: 'Bearer', expires_in: 3599, scope: `customer.${ID.customers.C1}` });
      expect(decodeJwt(v.access_token).customers).toEqual([{ id: ID.customers.C1 }]);
    },
  },
  'banks-banks.listBanks': {
    params: () => ({ country: 'AE', capability: 'data' }),
    status: 200,
    check: (v) => expect(arrayOf(v).map((b) => b.identifier)).toContain('LEAN_OF_RETAIL_UAE'),
  },
  'customers-customers.createCustomer': {
    params: (s) => ({ body: { app_user_id: `e2e-${s}-user` } }),
    status: 200,
    check: (v) => expect(v.customer_id).toMatch(/^[0-9a-f-]{36}$/),
  },
  'customers-customers.listCustomers': {
    params: () => ({}),
    status: 200,
    check: (v) => expect(v.data.map((c: Any) => c.customer_id)).toContain(ID.customers.C1),
  },
  'customers-customers.getCustomerById': {
    params: () => ({ customer_id: ID.customers.C1 }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ customer_id: ID.customers.C1, app_user_id: 'demo_user_1' }),
  },
  'customers-customers.getCustomerByAppUserId': {
    params: () => ({ app_user_id: 'demo_user_1' }),
    status: 200,
    check: (v) => expect(v.customer_id).toBe(ID.customers.C1),
  },
  'data-accounts.getAccounts': {
    params: () => ({}),
    status: 200,
    check: (v) => {
      expect(v.status).toBe('OK');
      expect(v.data.accounts.map((a: Any) => a.account_id)).toContain(ID.accounts.CURRENT);
    },
  },
  'data-accounts.getBalances': {
    params: () => ({ account_id: ID.accounts.CURRENT }),
    status: 200,
    check: (v) => expect(v.data.balances.length).toBeGreaterThan(0),
  },
  'data-accounts.getBeneficiaries': {
    params: () => ({ account_id: ID.accounts.CURRENT }),
    status: 200,
    check: (v) => expect(v.data.beneficiaries.length).toBeGreaterThan(0),
  },
  'data-accounts.getDirectDebits': {
    params: () => ({ account_id: ID.accounts.CURRENT }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ status: 'OK', type: 'direct-debits', data: { direct_debits: expect.arrayContaining([expect.objectContaining({ account_id: ID.accounts.CURRENT })]) } }),
  },
  'data-accounts.getScheduledPayments': {
    params: () => ({ account_id: ID.accounts.CURRENT }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ status: 'OK', type: 'scheduled-payments', data: { scheduled_payments: [expect.objectContaining({ account_id: ID.accounts.CURRENT })] } }),
  },
  'data-accounts.getStandingOrders': {
    params: () => ({ account_id: ID.accounts.CURRENT }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ status: 'OK', type: 'standing-orders', data: { standing_orders: [expect.objectContaining({ account_id: ID.accounts.CURRENT })] } }),
  },
  'data-identity.getIdentity': {
    params: () => ({}),
    status: 200,
    check: (v) => expect(JSON.stringify(v.data)).toContain(HOLDER_C1),
  },
  'data-identity.getAccountIdentities': {
    params: () => ({ account_id: ID.accounts.CURRENT }),
    status: 200,
    check: (v) => expect(v.data.account_id).toBe(ID.accounts.CURRENT),
  },
  'data-transactions.getTransactions': {
    params: () => ({ account_id: ID.accounts.CURRENT, start_date: '2026-03-01', end_date: '2026-03-31' }),
    status: 200,
    check: (v) => {
      expect(v.data.transactions.length).toBeGreaterThan(5);
      for (const t of v.data.transactions) expect(t.booking_date_time.slice(0, 7)).toBe('2026-03');
    },
  },
  'data-transactions.triggerDataRefresh': {
    params: (s) => ({ body: { entity_id: s === 'rest' ? ID.entities.E_OK : ID.entities.E_NOPERM } }),
    status: 200,
    check: (v) => expect(v.refresh_id).toMatch(/^[0-9a-f-]{36}$/),
  },
  'data-transactions.getDataRefreshes': {
    params: () => ({}),
    status: 200,
    check: (v) => expect(v.content.map((r: Any) => r.refresh_id)).toContain(ID.refreshes.F1),
  },
  'data-transactions.getDataRefreshStatus': {
    params: () => ({ refresh_id: ID.refreshes.F1 }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ refresh_id: ID.refreshes.F1, status: 'FINISHED', data_status: { accounts: 'OK' } }),
  },
  'entities-entities.getEntitiesForCustomer': {
    params: () => ({ customer_id: ID.customers.C1 }),
    status: 200,
    check: (v) => expect(arrayOf(v).map((e) => e.id)).toContain(ID.entities.E_OK),
  },
  'entities-entities.getEntityById': {
    params: () => ({ customer_id: ID.customers.C1, entity_id: ID.entities.E_OK }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ id: ID.entities.E_OK, customer_id: ID.customers.C1 }),
  },
  'entities-entities.retrieveEntitiesForDateRange': {
    params: () => ({ start_date: '2026-01-01', end_date: '2026-05-01' }),
    status: 200,
    check: (v) => expect(v.data.map((e: Any) => e.id)).toContain(ID.entities.E_OK),
  },
  'insights-cashflows.getCashflows': {
    params: () => ({}),
    status: 200,
    check: (v) => expect(v).toMatchObject({ status: 'OK', type: 'cashflow', insights: { total: { inwards: [expect.objectContaining({ amount: expect.objectContaining({ currency: 'AED' }) })] } } }),
  },
  'insights-expenses.getExpenses': {
    params: () => ({}),
    status: 200,
    check: (v) => expect(v).toMatchObject({ status: 'OK', type: 'expenses', insights: { currency: 'AED' } }),
  },
  'insights-income.computeIncome': {
    params: () => ({ body: { entity_id: ID.entities.E_OK, income_type: 'ALL' } }),
    status: 200,
    check: (v) => expect(v.insights.salary.total.amount).toBeGreaterThan(0),
  },
  'payment-sources-payment-sources.listCustomerPaymentSources': {
    params: () => ({ customer_id: ID.customers.C1 }),
    status: 200,
    check: (v) => expect(arrayOf(v).length).toBeGreaterThan(0),
  },
  'payment-sources-payment-sources.getPaymentSourceById': {
    params: () => ({ customer_id: ID.customers.C1, payment_source_id: ID.paymentSources.PS1 }),
    status: 200,
    check: (v) => expect(v.id).toBe(ID.paymentSources.PS1),
  },
  'payment-sources-payment-sources.deletePaymentSource': {
    params: (s) => ({ customer_id: ID.customers.C1, payment_source_id: s === 'rest' ? ID.paymentSources.PS2 : ID.paymentSources.PS1 }),
    status: 200,
    check: (v) => expect(v).toEqual({}),
  },
  'payments-aof.createAofConsent': {
    params: (s) => ({
      body: {
        customer_id: ID.customers.C1,
        destination_account_id: ID.destinations.D1,
        currency: 'AED',
        reference: `e2e-${s}-consent`,
        purpose: 'GDS',
        control_parameters: { period_type: 'Month', max_individual_amount: 5000, max_cumulative_amount_per_period: 20000 },
      },
    }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ customer_id: ID.customers.C1, status: 'AWAITING_AUTHORISATION' }),
  },
  'payments-aof.initiateAofPayment': {
    params: (s) => ({ body: { consent_id: ID.consents.K1, amount: 120.5, purpose: 'GDS', reference: `e2e-${s}-aof` } }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ consent_id: ID.consents.K1, type: 'ACCOUNT_ON_FILE' }),
  },
  'payments-consents.listCustomerConsents': {
    params: () => ({ customer_id: ID.customers.C1 }),
    status: 200,
    check: (v) => expect(v.data.map((c: Any) => c.consent_id)).toContain(ID.consents.K1),
  },
  'payments-consents.getConsentDetails': {
    params: () => ({ consent_id: ID.consents.K1 }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ consent_id: ID.consents.K1, status: 'AUTHORISED' }),
  },
  'payments-consents.fetchConsentBalance': {
    params: () => ({ consent_id: ID.consents.K1 }),
    status: 200,
    check: (v) => expect(v.currency).toBe('AED'),
  },
  'payments-consents.getConsentHistory': {
    params: () => ({ consent_id: ID.consents.K1 }),
    status: 200,
    check: (v) => expect(v.data.map((e: Any) => e.type)).toContain('CONSENT_CREATED'),
  },
  'payments-intents.createPaymentIntent': {
    params: () => ({ body: { customer_id: ID.customers.C1, amount: 150, currency: 'AED', payment_destination_id: ID.destinations.D1 } }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ customer_id: ID.customers.C1, currency: 'AED', payments: [] }),
  },
  'payments-intents.listPaymentIntents': {
    params: () => ({}),
    status: 200,
    check: (v) => expect(v.data.map((i: Any) => i.payment_intent_id)).toContain(ID.intents.PI1),
  },
  'payments-intents.getPaymentByIntentId': {
    params: () => ({ intent_id: ID.intents.PI1 }),
    status: 200,
    check: (v) => expect(v.payment_intent_id).toBe(ID.intents.PI1),
  },
  'payments-intents.getPaymentByPaymentId': {
    params: () => ({ payment_id: ID.payments.PAY1 }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ id: ID.payments.PAY1, status: 'ACCEPTED_BY_BANK' }),
  },
  'payouts-destinations.createPayoutDestination': {
    // Lean wants an array; the capability types the body `object`, so MCP can only send one destination (lean.md §3.15).
    params: (s) => {
      const destination = { name: `E2E ${s} Supplier LLC`, iban: 'AE070331234567890123456', address: 'Office 12, Business Bay', country: 'ARE', city: 'Dubai', currency_iso_code: 'AED' };
      return { body: s === 'rest' ? [destination] : destination };
    },
    status: 200,
    check: (v) => expect(arrayOf(v)[0].destination_id).toMatch(/^[0-9a-f-]{36}$/),
  },
  'payouts-destinations.listPayoutDestinations': {
    params: () => ({}),
    status: 200,
    check: (v) => expect(arrayOf(v).length).toBeGreaterThan(0),
  },
  'payouts-destinations.getPayoutDestination': {
    params: () => ({ destination_id: ID.destinations.D2 }),
    status: 200,
    check: (v) => expect(v.id).toBe(ID.destinations.D2),
  },
  'payouts-payments.createPayoutPayment': {
    params: (s) => ({
      body: {
        payment_details: [
          {
            account_id: ID.accounts.PAYOUT_SOURCE,
            currency: 'AED',
            destination_details: [{ payment_destination_id: ID.destinations.D2, amount: 250, description: `e2e ${s} payout`, authorize_payment: true }],
          },
        ],
      },
    }),
    status: 200,
    check: (v) => expect(v.payouts_payment_details.length).toBe(1),
  },
  'payouts-payments.listPayouts': {
    params: () => ({}),
    status: 200,
    check: (v) => expect(Array.isArray(v.content)).toBe(true),
  },
  'payouts-payments.getPayoutPaymentHistory': {
    params: () => ({ payment_id: ID.payouts.P1 }),
    status: 200,
    check: (v) => expect(v.content.length).toBeGreaterThan(0),
  },
  'payouts-payments.getPayout': {
    params: () => ({ payment_id: ID.payouts.P1 }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ id: ID.payouts.P1, post_initiation_status: 'PROCESSED' }),
  },
  'payouts-payments.getPayoutIntent': {
    params: () => ({ payment_intent_id: ID.payouts.P1_INTENT }),
    status: 200,
    check: (v) => expect(v.payment_intent_id).toBe(ID.payouts.P1_INTENT),
  },
  'refunds-refunds.listRefunds': {
    params: () => ({}),
    status: 200,
    check: (v) => expect(v.content.map((r: Any) => r.refund_id)).toContain(ID.refunds.R_CREATED),
  },
  'refunds-refunds.createRefund': {
    // An array upstream; one object through MCP (the capability types the body `object`, lean.md §3.17).
    params: (s) => {
      const refund = { payment_id: ID.payments.PAY1, amount: 1, currency: 'AED', reason_code: 'CUSTOMER_REQUEST', description: `e2e ${s} refund` };
      return { body: s === 'rest' ? [refund] : refund };
    },
    status: 201,
    check: (v) => expect(arrayOf(v)[0]).toMatchObject({ payment_id: ID.payments.PAY1, status: 'CREATED' }),
  },
  // The capability declares no body for PUT /payouts/refunds (lean.md §3.17): Lean answers 400.
  'refunds-refunds.processRefunds': { params: () => ({}), status: 400, error: 'INVALID_PARAMETERS' },
  'refunds-refunds.getRefundReasons': {
    params: () => ({}),
    status: 200,
    check: (v) => expect(arrayOf(v).map((r) => r.code)).toEqual(expect.arrayContaining(['CUSTOMER_REQUEST', 'DUPLICATED_PAYMENT', 'FRAUDULENT_PAYMENT', 'ORDER_CANCELLED'])),
  },
  'verifications-accounts.verifyAccount': {
    params: () => ({
      body: {
        country_code: 'AE',
        type: 'PERSONAL',
        account_details: { type: 'IBAN', value: 'AE420260001015819612801' },
        identifications: [{ type: 'FULL_NAME', value: HOLDER_C1 }],
      },
    }),
    status: 200,
    check: (v) => expect(v).toMatchObject({ status: 'OK', verifications: { account_ownership_verified: true } }),
  },
  'verifications-names.verifyName': {
    params: () => ({ body: { entity_id: ID.entities.E_OK, full_name: HOLDER_C1 } }),
    status: 200,
    check: (v) => expect(v.data).toMatchObject({ match_type: 'PERFECT_MATCH' }),
  },
};
