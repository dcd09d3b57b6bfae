/**
 * Request ids: taken from `X-Request-Id`, else the trace id of a W3C
 * `traceparent`, else generated. Sent upstream and echoed to the caller.
 */
import { randomUUID } from 'node:crypto';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(headers: { get(name: string): string | null | undefined }): string {
  const given = headers.get('x-request-id');
  if (given && SAFE_ID.test(given)) return given;
  const traceparent = headers.get('traceparent');
  const trace = traceparent ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent.trim()) : null;
  if (trace) return trace[1]!;
  return randomUUID();
}
