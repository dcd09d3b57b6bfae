/**
 * DNS-rebinding guard for MCP over HTTP: a browser page on another origin must
 * not reach a local MCP server. Requests whose `Origin` is present and not
 * allowed get 403; requests whose `Host` is not an allowed host get 403 too
 * (a rebinding attack keeps the attacker's host name in `Host`).
 */
export interface OriginPolicy {
  /** Extra allowed origins (`https://app.example.com`); loopback origins are always allowed. */
  allowedOrigins: string[];
  /** Extra allowed host names (without port); loopback names are always allowed. `*` disables the Host check. */
  allowedHosts: string[];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** The one thing the guard needs from a request: its headers by (lower-case) name. */
export interface HeaderSource {
  get(name: string): string | null;
}

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
