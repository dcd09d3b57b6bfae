/**
 * Reads the request body within the listener's size limit. Over the limit,
 * reading stops (a chunked body cannot grow memory) and PayloadTooLargeError
 * short-circuits: 413 on both surfaces.
 */
import { PayloadTooLargeError } from '../../engine/errors.js';
import { readIncoming } from '../../http/body-reader.js';
import type { Exchange } from './exchange.js';
import type { Stage } from './stage.js';

export function readBody(limit: number, when: (exchange: Exchange) => boolean = () => true): Stage {
  return (next) => async (exchange) => {
    if (when(exchange)) {
      const body = await readIncoming(exchange.incoming, limit);
      if (body === undefined) throw new PayloadTooLargeError(`The request body is larger than the ${limit}-byte limit.`, { limit });
      exchange.body = body;
    }
    return next(exchange);
  };
}
