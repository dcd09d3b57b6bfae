/**
 * RFC 9457 problem documents for every error the runtime itself produces on
 * the REST surface (upstream errors pass through untouched instead).
 */
import { MethodNotAllowedError, UpstreamUnavailableError, type RuntimeError } from '../../engine/errors.js';
import type { Redactor } from '../../engine/redact.js';
import { UnauthorizedError } from '../auth/inbound.js';
import { InsufficientScopeError } from '../auth/oauth2.js';

export function problemResponse(error: RuntimeError, redactor: Redactor, requestId?: string): Response {
  const problem = redactor.redactValue(error.toProblem());
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (requestId) {
    headers['x-request-id'] = requestId;
    problem.requestId = requestId;
  }
  if (error instanceof MethodNotAllowedError) headers.allow = error.allow.join(', ');
  if (error instanceof UpstreamUnavailableError) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error instanceof UnauthorizedError || error instanceof InsufficientScopeError) headers['www-authenticate'] = error.challenge;
  return new Response(JSON.stringify(problem), { status: error.status, headers });
}
