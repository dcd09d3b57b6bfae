/**
 * The error boundary: whatever a later stage throws becomes the surface's own
 * error reply (problem+json on REST, a JSON-RPC error on MCP). Sits just
 * inside `observe`, so a refused request is still observed with the status it
 * got.
 */
import type { Reply } from '../../http/reply.js';
import type { Exchange } from './exchange.js';
import type { Stage } from './stage.js';

export type ErrorRenderer = (error: unknown, exchange: Exchange) => Reply;

export function renderErrors(render: ErrorRenderer): Stage {
  return (next) => async (exchange) => {
    try {
      return await next(exchange);
    } catch (error) {
      return render(error, exchange);
    }
  };
}
