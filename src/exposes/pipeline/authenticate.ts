/**
 * Inbound authentication as a stage: verifies the credential the adapter
 * declares (throws UnauthorizedError / InsufficientScopeError, which each
 * surface renders with its `WWW-Authenticate` challenge) and records who the
 * caller is for per-caller policies. Without inbound auth the caller is its
 * client address.
 */
import type { InboundAuth } from '../auth/inbound.js';
import type { Stage } from './stage.js';

export function authenticate(auth: InboundAuth | undefined): Stage {
  if (auth === undefined) return (next) => next;
  return (next) => async (exchange) => {
    exchange.caller = await auth.verify((name) => exchange.get(name), exchange.query);
    return next(exchange);
  };
}
