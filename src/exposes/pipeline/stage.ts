/**
 * The stage contract. A handler turns an exchange into a reply; a stage wraps
 * the next handler and returns a handler (a decorator, as in KrakenD's lura),
 * so a pipeline is built once per listener generation and costs no closure per
 * request. A stage may:
 * - act before (`guard`, `authenticate`, `readBody`) and after (`observe`) the rest;
 * - short-circuit by throwing a typed error (a RuntimeError, or a JsonRpcError
 *   on MCP): the surface's `renderErrors` stage turns it into that surface's
 *   reply (problem+json on REST, a JSON-RPC error on MCP);
 * - short-circuit by returning a reply of its own (a CORS preflight).
 */
import type { Reply } from '../../http/reply.js';
import type { Exchange } from './exchange.js';

export type Handler = (exchange: Exchange) => Promise<Reply>;
export type Stage = (next: Handler) => Handler;

/** `compose([a, b, c], h)` runs a → b → c → h; the first stage is the outermost. */
export function compose<H>(stages: readonly ((next: H) => H)[], terminal: H): H {
  let handler = terminal;
  for (let i = stages.length - 1; i >= 0; i--) handler = stages[i]!(handler);
  return handler;
}
