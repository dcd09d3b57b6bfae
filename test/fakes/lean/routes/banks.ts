/** Banks (§3.2): GET /banks/v1 — a bare array. Unknown params (the corpus's `country`, `capability`) are ignored. */
import { BANKS } from '../fixtures.js';
import { json } from '../http.js';
import type { RouteDef } from '../state.js';

function listFilter(q: URLSearchParams, name: string): string[] | undefined {
  const all = q.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase()).filter(Boolean);
  return all.length ? all : undefined;
}

export const bankRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/banks/v1',
    permission: 'bank.read',
    operation: 'listBanks',
    handler: ({ query }) => {
      const accountTypes = listFilter(query, 'account_types');
      const countries = listFilter(query, 'country_codes');
      const connections = listFilter(query, 'connection_types');
      const bankType = listFilter(query, 'bank_type');
      const banks = BANKS.filter(
        (b) =>
          (!accountTypes || accountTypes.includes(b.account_type)) &&
          (!countries || countries.includes(b.country_code)) &&
          (!connections || connections.includes(b.connection_type)) &&
          (!bankType || bankType.includes(b.bank_type)),
      );
      return json(200, banks);
    },
  },
];
