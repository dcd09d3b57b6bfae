/**
 * Customers (§3.3), entities (§3.7) and payment sources (§3.11).
 * Routes: POST/GET /customers/v1, GET /customers/v1/{id}, GET /customers/v1/app-user-id/{app_user_id},
 * GET /customers/v1/{cid}/entities[/{eid}], GET /customers/v1/entities,
 * GET /customers/v1/{cid}/payment-sources[/{psid}], DELETE /customers/v1/{cid}/payment-sources/{psid}.
 */
import { ACCOUNTS_BY_ID, ENTITIES, ENTITIES_BY_ID, entityJson } from '../fixtures.js';
import { DAY_MS, LeanError, dateParam, intParam, invalidParam, isObject, json, paginate, reqString } from '../http.js';
import type { CustomerRec, PaymentSourceRec, RequestCtx, RouteDef } from '../state.js';

export function requireCustomer(ctx: RequestCtx, id: string | undefined): CustomerRec {
  const c = id ? ctx.sb.state.customers.get(id) : undefined;
  if (!c) throw new LeanError(404, 'CUSTOMER_NOT_FOUND', `No customer found for customer_id: ${id ?? 'null'}`);
  return c;
}

const customerJson = (c: CustomerRec) => ({ customer_id: c.customer_id, app_user_id: c.app_user_id });

function paymentSourceJson(ps: PaymentSourceRec, withBalances: boolean, appId: string): Record<string, unknown> {
  return {
    id: ps.id,
    customer_id: ps.customer_id,
    app_id: appId,
    status: ps.status,
    beneficiary_cool_off_expiry: ps.cool_off_expiry,
    bank_identifier: ps.bank_identifier,
    beneficiaries: ps.beneficiaries.map((b) => ({ ...b })),
    accounts: ps.accountIds.map((id) => {
      const a = ACCOUNTS_BY_ID.get(id)!;
      const base: Record<string, unknown> = {
        id: `5a${a.id.slice(2)}`,
        account_id: a.id,
        account_name: a.subType === 'CURRENT' ? 'CURRENT ACCOUNT' : 'SAVINGS ACCOUNT',
        account_number: a.bban,
        iban: a.iban,
      };
      if (withBalances) {
        base.balance = a.balance;
        base.currency = 'AED';
        base.balance_last_updated = '2026-04-30T20:00:00.000Z';
      } else {
        base.currency = 'AED';
      }
      return base;
    }),
  };
}

function paymentSourceOr404(ctx: RequestCtx): PaymentSourceRec {
  const ps = ctx.sb.state.paymentSources.get(ctx.params.payment_source_id!);
  if (!ps || ps.customer_id !== ctx.params.customer_id) {
    throw new LeanError(404, 'UNKNOWN_PAYMENT_SOURCE', `No payment source found for payment_source_id: ${ctx.params.payment_source_id}`);
  }
  return ps;
}

export const customerRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/customers/v1',
    permission: 'customer.write',
    operation: 'createCustomer',
    jsonBody: true,
    handler: (ctx) => {
      const body = ctx.body;
      if (!isObject(body)) throw invalidParam('body', ctx.bodyText.slice(0, 64));
      const appUserId = reqString(body, 'app_user_id', { max: 255 });
      let govIds: CustomerRec['government_identifiers'] = null;
      if (body.government_identifiers !== undefined && body.government_identifiers !== null) {
        const g = body.government_identifiers;
        if (!Array.isArray(g)) throw invalidParam('government_identifiers', g);
        govIds = g.map((item, i) => {
          if (!isObject(item) || !['EMIRATES_ID', 'TRADE_LICENSE_NUMBER'].includes(String(item.type)) || typeof item.value !== 'string') {
            throw invalidParam(`government_identifiers[${i}]`, item);
          }
          return { type: String(item.type), value: item.value };
        });
      }
      const state = ctx.sb.state;
      if (state.customersByAppUser.has(appUserId)) {
        throw new LeanError(409, 'CUSTOMER_ALREADY_EXISTS', 'A customer already exists for the app_user_id you have provided.');
      }
      const rec: CustomerRec = { customer_id: ctx.sb.ids.uuid(), app_user_id: appUserId, government_identifiers: govIds };
      state.customers.set(rec.customer_id, rec);
      state.customersByAppUser.set(appUserId, rec.customer_id);
      return json(200, customerJson(rec));
    },
  },
  {
    method: 'GET',
    path: '/customers/v1',
    permission: 'customer.read',
    operation: 'listCustomers',
    handler: (ctx) => {
      const page = intParam(ctx.query, 'page_number', 0);
      const size = intParam(ctx.query, 'page_size', 50, { min: 1, max: 1000 });
      const all = [...ctx.sb.state.customers.values()].map(customerJson);
      const p = paginate(all, page, size);
      return json(200, { data: p.items, page: p.page });
    },
  },
  {
    method: 'GET',
    path: '/customers/v1/app-user-id/{app_user_id}',
    permission: 'customer.read',
    operation: 'getCustomerByAppUserId',
    handler: (ctx) => {
      const id = ctx.sb.state.customersByAppUser.get(ctx.params.app_user_id!);
      if (!id) throw new LeanError(404, 'CUSTOMER_NOT_FOUND', `No customer found for app_user_id: ${ctx.params.app_user_id}`);
      return json(200, customerJson(ctx.sb.state.customers.get(id)!));
    },
  },
  {
    method: 'GET',
    path: '/customers/v1/entities',
    permission: 'customer.read',
    operation: 'retrieveEntitiesForDateRange',
    handler: (ctx) => {
      const { query, sb } = ctx;
      const strict = sb.behaviour.strict;
      let start = dateParam(query.get('start_date'), 'start_date');
      let end = dateParam(query.get('end_date'), 'end_date');
      const today = Math.floor(sb.clock.now() / DAY_MS) * DAY_MS;
      if (start === undefined) {
        if (strict) throw invalidParam('start_date', null);
        start = 0;
      }
      if (end === undefined) {
        if (strict) throw invalidParam('end_date', null);
        end = today;
      }
      if (start > today) throw invalidParam('start_date', query.get('start_date'), false, 'must not be in the future');
      if (end > today) throw invalidParam('end_date', query.get('end_date'), false, 'must not be in the future');
      if (end < start) throw invalidParam('end_date', query.get('end_date'), false, 'must be after start_date');
      const page = intParam(query, 'page_number', 0);
      const size = intParam(query, 'page_size', 100, { min: 1, max: 100 });
      const endExclusive = end + DAY_MS;
      const list = ENTITIES.filter((e) => {
        const t = Date.parse(e.createdAt);
        return t >= start! && t < endExclusive;
      }).map((e) => ({
        ...entityJson(e),
        status: e.consentStatus === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE',
        updated_at: e.createdAt,
      }));
      const p = paginate(list, page, size);
      return json(200, { data: p.items, page: p.page });
    },
  },
  {
    method: 'GET',
    path: '/customers/v1/{customer_id}',
    permission: 'customer.read',
    operation: 'getCustomerById',
    handler: (ctx) => json(200, customerJson(requireCustomer(ctx, ctx.params.customer_id))),
  },
  {
    method: 'GET',
    path: '/customers/v1/{customer_id}/entities',
    permission: 'customer.read',
    operation: 'getEntitiesForCustomer',
    handler: (ctx) => {
      const c = requireCustomer(ctx, ctx.params.customer_id);
      return json(200, ENTITIES.filter((e) => e.customerId === c.customer_id).map(entityJson));
    },
  },
  {
    method: 'GET',
    path: '/customers/v1/{customer_id}/entities/{entity_id}',
    permission: 'customer.read',
    operation: 'getEntityById',
    handler: (ctx) => {
      const c = requireCustomer(ctx, ctx.params.customer_id);
      const e = ENTITIES_BY_ID.get(ctx.params.entity_id!);
      if (!e || e.customerId !== c.customer_id) throw new LeanError(404, 'UNKNOWN_ENTITY', 'The entity_id provided did not match an account in our records.');
      return json(200, entityJson(e));
    },
  },
  {
    method: 'GET',
    path: '/customers/v1/{customer_id}/payment-sources',
    permission: 'customer.read',
    operation: 'listCustomerPaymentSources',
    handler: (ctx) => {
      const c = requireCustomer(ctx, ctx.params.customer_id);
      const app = ctx.token.clientId;
      const list = [...ctx.sb.state.paymentSources.values()].filter((ps) => ps.customer_id === c.customer_id);
      return json(200, list.map((ps) => paymentSourceJson(ps, true, app)));
    },
  },
  {
    method: 'GET',
    path: '/customers/v1/{customer_id}/payment-sources/{payment_source_id}',
    permission: 'customer.read',
    operation: 'getPaymentSourceById',
    handler: (ctx) => {
      requireCustomer(ctx, ctx.params.customer_id);
      return json(200, paymentSourceJson(paymentSourceOr404(ctx), false, ctx.token.clientId));
    },
  },
  {
    method: 'DELETE',
    path: '/customers/v1/{customer_id}/payment-sources/{payment_source_id}',
    permission: 'customer.write',
    operation: 'deletePaymentSource',
    handler: (ctx) => {
      requireCustomer(ctx, ctx.params.customer_id);
      const ps = paymentSourceOr404(ctx);
      if (ctx.bodyText.trim() !== '') {
        let b: unknown;
        try {
          b = JSON.parse(ctx.bodyText);
        } catch {
          throw invalidParam('body', ctx.bodyText.slice(0, 64));
        }
        if (isObject(b) && b.reason !== undefined && !['USER_REQUESTED', 'OTHER', 'PAYMENT_SOURCE_EXPIRED'].includes(String(b.reason))) {
          throw invalidParam('reason', b.reason);
        }
      }
      ctx.sb.state.paymentSources.delete(ps.id);
      return json(200, {});
    },
  },
];
