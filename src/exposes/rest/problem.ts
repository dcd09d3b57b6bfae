/**
 * RFC 9457 problem documents for every error the runtime itself produces on
 * the REST surface (upstream errors pass through untouched instead). Headers
 * the error needs (`Allow`, `WWW-Authenticate`, `Retry-After`…) come from the
 * error itself.
 */
import type { RuntimeError } from '../../engine/errors.js';
import type { Redactor } from '../../engine/redact.js';
import type { Reply } from '../../http/reply.js';

export function problemReply(error: RuntimeError, redactor: Redactor, requestId?: string): Reply {
  const problem = redactor.redactValue(error.toProblem());
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (requestId) {
    headers['x-request-id'] = requestId;
    problem.requestId = requestId;
  }
  const extra = error.responseHeaders();
  if (extra) Object.assign(headers, extra);
  return { status: error.status, headers, body: JSON.stringify(problem) };
}
