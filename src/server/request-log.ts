/**
 * What happens to each observed request: counted in the metrics, and one
 * request log line (warn for 5xx, info otherwise) — built only when its level
 * is enabled.
 */
import type { Logger } from '../http/logger.js';
import type { RequestObserver } from '../http/observer.js';
import type { RuntimeMetrics } from './metrics.js';

export function requestObserver(logger: Logger, metrics: RuntimeMetrics): RequestObserver {
  return (event) => {
    metrics.request(event);
    const level = event.status >= 500 ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level)) return; // no line to write: build nothing
    const fields = {
      surface: event.surface,
      adapter: event.adapter,
      operation: event.operation,
      status: event.status,
      durationMs: round(event.durationMs),
      upstreamStatus: event.upstreamStatus,
      upstreamMs: event.upstreamMs === undefined ? undefined : round(event.upstreamMs),
      requestId: event.requestId,
      ...(event.error ? { error: event.error } : {}),
    };
    logger[level](fields, 'request');
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
