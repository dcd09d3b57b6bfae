import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES, type CorsPolicy } from './config.js';
import { isPreflight, preflight, responseHeaders } from './cors.js';

const policy = (over: Partial<CorsPolicy> = {}): CorsPolicy => ({ ...DEFAULT_POLICIES.cors, enabled: true, origins: ['https://app.example'], headers: ['x-api-key'], ...over });
const headers = (h: Record<string, string>) => (name: string) => h[name] ?? null;

describe('CORS', () => {
  it('recognises a preflight', () => {
    expect(isPreflight('OPTIONS', headers({ origin: 'https://a', 'access-control-request-method': 'POST' }))).toBe(true);
    expect(isPreflight('OPTIONS', headers({ origin: 'https://a' }))).toBe(false);
    expect(isPreflight('GET', headers({ origin: 'https://a', 'access-control-request-method': 'POST' }))).toBe(false);
  });

  it('allows a listed origin, the path’s configured methods and the configured headers', () => {
    const answer = preflight(policy(), headers({ origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'Content-Type, X-Api-Key' }), ['GET', 'HEAD', 'POST']);
    expect(answer.status).toBe(204);
    expect(answer.headers).toEqual({
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-methods': 'GET, HEAD, POST',
      'access-control-allow-headers': 'content-type, x-api-key',
      'access-control-max-age': '600',
    });
  });

  it('says nothing to an unknown origin, an unoffered method or an unlisted header', () => {
    for (const asked of <Record<string, string>[]>[
      { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      { origin: 'https://app.example', 'access-control-request-method': 'DELETE' },
      { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    ]) {
      const answer = preflight(policy(), headers(asked), ['GET', 'HEAD', 'POST']);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    }
    // a method the policy allows but the path does not serve is not offered
    expect(preflight(policy(), headers({ origin: 'https://app.example', 'access-control-request-method': 'PUT' }), ['GET']).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends * only without credentials; with credentials it echoes the listed origin and varies on it', () => {
    const open = policy({ origins: ['*'] });
    expect(responseHeaders(open, 'https://anyone.example')).toEqual({ 'access-control-allow-origin': '*', 'access-control-expose-headers': 'x-request-id, retry-after, ratelimit-limit, ratelimit-remaining, ratelimit-reset' });
    expect(responseHeaders(open, null)).toBeUndefined();
    const credentialed = policy({ credentials: true, exposeHeaders: ['etag'] });
    expect(responseHeaders(credentialed, 'https://app.example')).toEqual({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-request-id, retry-after, ratelimit-limit, ratelimit-remaining, ratelimit-reset, etag',
      vary: 'Origin',
    });
    expect(responseHeaders(credentialed, 'https://evil.example')).toEqual({ vary: 'Origin' });
    // even if a `*` slipped past the config check, credentials never get a wildcard
    const slipped = policy({ origins: ['*'], credentials: true });
    expect(responseHeaders(slipped, 'https://evil.example')).toEqual({ vary: 'Origin' });
    expect(preflight(slipped, headers({ origin: 'https://evil.example', 'access-control-request-method': 'GET' }), ['GET']).headers['access-control-allow-origin']).toBeUndefined();
  });
});
