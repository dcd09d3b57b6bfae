/**
 * HTTP Digest access authentication (RFC 7616): answers a `WWW-Authenticate:
 * Digest …` challenge with MD5, SHA-256 (and their -sess variants), qop=auth
 * (or the RFC 2069 form when the server offers no qop). The operation sends
 * the request once, and answers a 401 challenge once — never in a loop.
 */
import { createHash, randomBytes } from 'node:crypto';

export function answerDigestChallenge(
  header: string | string[] | undefined,
  credentials: { username: string; password: string },
  method: string,
  url: URL,
  /** Client nonce; random unless given (tests use the RFC 7616 example vectors). */
  cnonce: string = randomBytes(8).toString('hex'),
): string | undefined {
  const text = (Array.isArray(header) ? header : header ? [header] : []).find((h) => /^\s*digest\s/i.test(h));
  if (!text) return undefined;
  const params = parseChallenge(text.replace(/^\s*digest\s+/i, ''));
  const realm = params.realm ?? '';
  const nonce = params.nonce;
  if (!nonce) return undefined;
  const algorithm = (params.algorithm ?? 'MD5').toUpperCase();
  const hashName = algorithm.startsWith('SHA-256') ? 'sha256' : algorithm.startsWith('MD5') ? 'md5' : undefined;
  if (!hashName) return undefined;
  const h = (s: string) => createHash(hashName).update(s).digest('hex');
  const qop = params.qop?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
  const uri = url.pathname + url.search;
  const nc = '00000001';
  let ha1 = h(`${credentials.username}:${realm}:${credentials.password}`);
  if (algorithm.endsWith('-SESS')) ha1 = h(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const response = qop ? h(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${nonce}:${ha2}`);
  const parts = [
    usernameParameter(credentials.username),
    `realm=${quoted(realm)}`,
    `nonce=${quoted(nonce)}`,
    `uri=${quoted(uri)}`,
    `algorithm=${params.algorithm ?? 'MD5'}`,
    `response="${response}"`,
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quoted(cnonce)}`);
  if (params.opaque) parts.push(`opaque=${quoted(params.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

function parseChallenge(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/gi;
  for (const m of text.matchAll(re)) out[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  return out;
}

/** An RFC 7230 quoted-string: `"` and `\` escaped, so a value cannot end the string early. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * `username="…"` for printable ASCII; otherwise RFC 7616 §3.4.4's `username*=UTF-8''…`
 * (RFC 8187 percent-encoding), so non-ASCII names reach the server intact and control
 * characters can never break the header.
 */
function usernameParameter(username: string): string {
  if (/^[\x20-\x7e]*$/.test(username)) return `username=${quoted(username)}`;
  const encoded = encodeURIComponent(username).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `username*=UTF-8''${encoded}`;
}
