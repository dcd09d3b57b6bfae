/**
 * DNS-rebinding guard: a browser page on another origin must not reach a
 * local listener. Requests whose `Host` is not an allowed host name get 403 (a
 * rebinding attack keeps the attacker's host name in `Host`), and so do
 * requests whose `Origin` is present and not allowed.
 */
import { RuntimeError } from '../../engine/errors.js';
import type { HeaderSource } from '../../http/headers.js';
import type { Stage } from './stage.js';

export type { HeaderSource };

export interface OriginPolicy {
  /** Extra allowed origins (`https://app.example.com`); loopback origins are always allowed. */
  allowedOrigins: string[];
  /** Extra allowed host names (without port); loopback names are always allowed. `*` disables the Host check. */
  allowedHosts: string[];
}

/** The request came from a host or origin this listener does not serve. */
export class ForbiddenOriginError extends RuntimeError {
  readonly status = 403;
  readonly title = 'Forbidden';
  readonly slug = 'forbidden';
  constructor(readonly reason: string) {
    super(reason);
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** Why the request is refused, or undefined when it may pass. */
export function checkOrigin(headers: HeaderSource, policy: OriginPolicy): string | undefined {
  const host = headers.get('host');
  if (host !== null && !policy.allowedHosts.includes('*')) {
    const name = hostName(host);
    if (!LOOPBACK_HOSTS.has(name) && !policy.allowedHosts.includes(name)) return `Host \`${name}\` is not allowed.`;
  }
  const origin = headers.get('origin');
  if (origin !== null && origin !== 'null') {
    if (policy.allowedOrigins.includes(origin) || policy.allowedOrigins.includes('*')) return undefined;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return 'Origin is malformed.';
    }
    if (!LOOPBACK_HOSTS.has(url.hostname) && !LOOPBACK_HOSTS.has(`[${url.hostname}]`)) return `Origin \`${origin}\` is not allowed.`;
  } else if (origin === 'null') {
    return 'Opaque origins are not allowed.';
  }
  return undefined;
}

/** The guard as a stage: refuses with ForbiddenOriginError before anything else runs. */
export function guard(policy: OriginPolicy): Stage {
  return (next) => (exchange) => {
    const rejected = checkOrigin(exchange, policy);
    if (rejected !== undefined) return Promise.reject(new ForbiddenOriginError(rejected));
    return next(exchange);
  };
}
