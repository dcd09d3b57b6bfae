/**
 * Observation, the outermost stage: once the reply is known, reports the
 * request (metrics and the request log) — only when it reached a labelled
 * operation, so label values stay bounded.
 */
import type { RequestObserver } from '../../http/observer.js';
import type { Stage } from './stage.js';

export function observe(surface: 'rest' | 'mcp', observer: RequestObserver | undefined): Stage {
  if (observer === undefined) return (next) => next;
  return (next) => async (exchange) => {
    const reply = await next(exchange);
    if (exchange.operation !== undefined) {
      observer({
        surface,
        adapter: exchange.adapter ?? exchange.operation,
        operation: exchange.operation,
        status: exchange.status ?? reply.status,
        durationMs: performance.now() - exchange.started,
        upstreamStatus: exchange.upstream?.status,
        upstreamMs: exchange.upstream?.durationMs,
        requestId: exchange.requestId,
        error: exchange.error,
      });
    }
    return reply;
  };
}
