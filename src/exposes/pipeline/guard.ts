/**
 * DNS-rebinding and cross-site guard: a browser page on another origin must
 * not reach a local listener. Requests whose `Host` is not an allowed host
 * name get 403 (a rebinding attack keeps the attacker's host name in `Host`).
 * A foreign `Origin` gets 403 too — on every method for MCP (its one endpoint
 * is a POST anyway), and on unsafe methods (POST, PUT, PATCH, DELETE…) for
 * REST and control, where a cross-site GET is already unreadable without CORS;
 * a request the browser marks `Sec-Fetch-Site: cross-site` is refused on unsafe
 * methods unless its Origin is allowed.
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
  const host = checkHost(headers, policy);
  if (host !== undefined) return host;
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

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface GuardOptions {
  /** Check `Origin` and `Sec-Fetch-Site` on unsafe methods only (REST, control); MCP checks every request. */
  unsafeOnly?: boolean;
}

/** Why a request is refused, by the rules above; undefined when it may pass. */
export function checkRequest(headers: HeaderSource, method: string, policy: OriginPolicy, options: GuardOptions = {}): string | undefined {
  if (!options.unsafeOnly || !SAFE_METHODS.has(method)) {
    const rejected = checkOrigin(headers, policy);
    if (rejected !== undefined) return rejected;
    if (headers.get('sec-fetch-site') === 'cross-site') {
      const origin = headers.get('origin');
      // An allowed Origin passed checkOrigin above; without one, a cross-site request has nothing to vouch for it.
      if (origin === null) return 'Cross-site requests are not allowed.';
    }
    return undefined;
  }
  return checkHost(headers, policy);
}

function checkHost(headers: HeaderSource, policy: OriginPolicy): string | undefined {
  const host = headers.get('host');
  if (host === null || policy.allowedHosts.includes('*')) return undefined;
  const name = hostName(host);
  return LOOPBACK_HOSTS.has(name) || policy.allowedHosts.includes(name) ? undefined : `Host \`${name}\` is not allowed.`;
}

/** The guard as a stage: refuses with ForbiddenOriginError before anything else runs. */
export function guard(policy: OriginPolicy, options: GuardOptions = {}): Stage {
  return (next) => (exchange) => {
    const rejected = checkRequest(exchange, exchange.method, policy, options);
    if (rejected !== undefined) return Promise.reject(new ForbiddenOriginError(rejected));
    return next(exchange);
  };
}
