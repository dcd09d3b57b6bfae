import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream, type RecordedRequest, type Reply } from '../../../test/helpers/echo-upstream.js';
import { ConfigError, InputError, UpstreamError } from '../errors.js';
import { Redactor } from '../redact.js';
import { UpstreamClient } from '../upstream/client.js';
import { UpstreamRoutes } from '../upstream/routes.js';
import { createTokenProviders, parseTokenProviderSpecs, type ClientCredentialsProvider, type TokenProviderDeps } from './index.js';

const SECRET = 'unit-canary-secret-4d2f9a';
const ENV = { IDP_CLIENT_ID: 'client-1', IDP_CLIENT_SECRET: SECRET };

function jwt(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none' })}.${enc(claims)}.sig`;
}

let idp: EchoUpstream;
let reply: (req: RecordedRequest) => Reply | Promise<Reply>;
let minted = 0;
const client = new UpstreamClient({ timeoutMs: 2000 });
const tokenRequests = () => idp.requests.filter((r) => r.path === '/oauth2/token');

beforeAll(async () => {
  idp = await startEchoUpstream((req) => reply(req));
});
afterAll(async () => {
  await client.close();
  await idp.close();
});
beforeEach(() => {
  idp.requests.length = 0;
  minted = 0;
  reply = () => ({ body: { access_token: `tok-${++minted}`, token_type: 'Bearer', expires_in: 3599, scope: 'api' } });
});

function provider(options = '', deps: TokenProviderDeps = {}, variable = 'API_TOKEN'): ClientCredentialsProvider {
  const [spec] = parseTokenProviderSpecs(
    `${variable}=client_credentials:https://idp.example.com/oauth2/token?client_id_env=IDP_CLIENT_ID&client_secret_env=IDP_CLIENT_SECRET${options.includes('scope=') ? '' : '&scope=api'}${options}`,
  );
  const providers = createTokenProviders([spec!], { client, env: ENV, routes: new UpstreamRoutes([['https://idp.example.com', idp.url]]), ...deps });
  return providers.provider(variable)!;
}

describe('client-credentials token provider', () => {
  it('sends a form-encoded client_secret_post request through the --upstream origin override', async () => {
    const redactor = new Redactor();
    const p = provider('', { redactor });
    expect(await p.get('API_TOKEN')).toBe('tok-1');
    const sent = tokenRequests()[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.headers.accept).toBe('application/json');
    expect(Object.fromEntries(new URLSearchParams(sent.body.toString()))).toEqual({ grant_type: 'client_credentials', client_id: 'client-1', client_secret: SECRET, scope: 'api' });
    expect(redactor.redact(`x ${SECRET} y`)).toBe('x [REDACTED] y');
    expect(p.effectiveTokenUrl).toBe(`${idp.url}/oauth2/token`);
  });

  it('supports client_secret_basic and a namespace override', async () => {
    const [spec] = parseTokenProviderSpecs(
      'B=client_credentials:https://idp.example.com/oauth2/token?client_id_env=IDP_CLIENT_ID&client_secret_env=IDP_CLIENT_SECRET&auth=basic&namespace=my-idp',
    );
    const p = createTokenProviders([spec!], { client, env: { ...ENV, IDP_CLIENT_SECRET: 'a b:c' }, routes: UpstreamRoutes.parse([`my-idp=${idp.url}`]) }).provider('B')!;
    await p.get('B');
    const sent = tokenRequests()[0]!;
    expect(Buffer.from(String(sent.headers.authorization).replace('Basic ', ''), 'base64').toString()).toBe('client-1:a+b%3Ac');
    expect(new URLSearchParams(sent.body.toString()).get('client_secret')).toBeNull();
    expect(new URLSearchParams(sent.body.toString()).has('scope')).toBe(false);
  });

  it('caches, and refreshes ahead of expiry (skew capped at 10 % of the lifetime)', async () => {
    let now = 1_000_000;
    const p = provider('', { now: () => now, random: () => 0 });
    expect(await p.get('API_TOKEN')).toBe('tok-1');
    now += 3599_000 - 61_000;
    expect(await p.get('API_TOKEN')).toBe('tok-1');
    expect(tokenRequests()).toHaveLength(1);
    now += 2_000; // 59 s left: inside the 60 s skew
    expect(await p.get('API_TOKEN')).toBe('tok-2');
    expect(tokenRequests()).toHaveLength(2);
    expect(p.stats).toMatchObject({ requests: 2, hits: 1, failures: 0 });

    // a 100 s token refreshes 10 s early, not 60 s
    reply = () => ({ body: { access_token: `short-${++minted}`, token_type: 'bearer', expires_in: 100 } });
    const q = provider('', { now: () => now, random: () => 0 }, 'SHORT');
    await q.get('SHORT');
    now += 89_000;
    await q.get('SHORT');
    now += 2_000;
    await q.get('SHORT');
    expect(q.stats.requests).toBe(2);
  });

  it('single-flights concurrent first calls into one token request', async () => {
    reply = async () => {
      await new Promise((r) => setTimeout(r, 50));
      return { body: { access_token: `tok-${++minted}`, token_type: 'Bearer', expires_in: 3599 } };
    };
    const p = provider();
    const tokens = await Promise.all(Array.from({ length: 32 }, () => p.get('API_TOKEN')));
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
    expect(tokenRequests()).toHaveLength(1);
  });

  it('drops a rejected token once, ignores stale rejections, and bounds forced refreshes', async () => {
    let now = 5_000_000;
    const p = provider('&max_401_refreshes=2', { now: () => now });
    const first = await p.get('API_TOKEN');
    p.invalidate('API_TOKEN', first);
    p.invalidate('API_TOKEN', first); // a second caller with the same rejected token
    const second = await p.get('API_TOKEN');
    expect(second).toBe('tok-2');
    p.invalidate('API_TOKEN', 'tok-0-unknown');
    expect(await p.get('API_TOKEN')).toBe('tok-2');
    p.invalidate('API_TOKEN', second);
    expect(await p.get('API_TOKEN')).toBe('tok-3');
    // every fresh token is rejected at once (wrong audience/region): the third forced refresh this minute is refused
    now += 1_000;
    p.invalidate('API_TOKEN', 'tok-3');
    expect(await p.get('API_TOKEN')).toBe('tok-3');
    expect(tokenRequests()).toHaveLength(3);
    // a minute later a rejection is honoured again
    now += 60_000;
    p.invalidate('API_TOKEN', 'tok-3');
    expect(await p.get('API_TOKEN')).toBe('tok-4');
  });

  it('invalid_client: a ConfigError naming the provider and the env names, negative-cached, never the secret', async () => {
    let now = 0;
    reply = () => ({ status: 401, body: { error: 'invalid_client' } });
    const p = provider('&negative_ttl=30', { now: () => now });
    const error = await p.get('API_TOKEN').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `The token provider for \`API_TOKEN\` was refused by https://idp.example.com/oauth2/token (via ${idp.url}/oauth2/token): HTTP 401 invalid_client. The client credentials ($IDP_CLIENT_ID / $IDP_CLIENT_SECRET) are wrong or were rotated; not retried for 30 s.`,
    );
    expect((error as ConfigError).status).toBe(503);
    await expect(p.get('API_TOKEN')).rejects.toBe(error);
    now += 29_000;
    await expect(p.get('API_TOKEN')).rejects.toBe(error);
    expect(tokenRequests()).toHaveLength(1);
    now += 2_000;
    reply = () => ({ body: { access_token: 'tok-ok', token_type: 'Bearer', expires_in: 3599 } });
    expect(await p.get('API_TOKEN')).toBe('tok-ok');
    expect(tokenRequests()).toHaveLength(2);
  });

  it('other refusals, 5xx, HTML, bad answers and transport failures become typed errors', async () => {
    const cases: [Reply, new (...a: never[]) => Error, RegExp][] = [
      [{ status: 400, body: { error: 'invalid_scope', error_description: 'OAuth 2.0 Parameter: scope' } }, ConfigError, /HTTP 400 invalid_scope \(OAuth 2.0 Parameter: scope\); check its scope/],
      [{ status: 503, body: { error: 'temporarily_unavailable' } }, UpstreamError, /HTTP 503 temporarily_unavailable/],
      [{ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>cf</html>' }, UpstreamError, /HTTP 502 from/],
      [{ status: 200, body: { token_type: 'Bearer' } }, UpstreamError, /without an access_token/],
      [{ status: 200, body: 'not json' }, UpstreamError, /without an access_token/],
      [{ status: 200, body: { access_token: 'x', token_type: 'mac' } }, ConfigError, /type `mac`.*only Bearer/],
    ];
    for (const [answer, type, message] of cases) {
      reply = () => answer;
      const error = await provider().get('API_TOKEN').catch((e: unknown) => e);
      expect(error, JSON.stringify(answer)).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
    }
    const [spec] = parseTokenProviderSpecs('D=client_credentials:https://idp.example.com/oauth2/token?client_id=a&client_secret_env=IDP_CLIENT_SECRET');
    const down = createTokenProviders([spec!], { client, env: ENV, routes: UpstreamRoutes.parse(['https://idp.example.com=http://127.0.0.1:9']) }).provider('D')!;
    const error = await down.get('D').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toMatch(/token provider for `D` could not get a token: .*connection refused/);
  });

  it('keeps serving a still-valid token when a refresh fails transiently', async () => {
    let now = 0;
    const p = provider('', { now: () => now, random: () => 0 });
    await p.get('API_TOKEN');
    now += 3599_000 - 30_000; // inside the skew, 30 s left
    reply = () => ({ status: 503, body: { error: 'temporarily_unavailable' } });
    expect(await p.get('API_TOKEN')).toBe('tok-1');
    expect(await p.get('API_TOKEN')).toBe('tok-1'); // negative cache: no second request
    expect(tokenRequests()).toHaveLength(2);
  });

  it('falls back to the JWT lifetime when expires_in is missing', async () => {
    let now = 0;
    reply = () => ({ body: { access_token: jwt({ iat: 100, exp: 700, jti: 'j1' }), token_type: 'Bearer' } });
    const p = provider('', { now: () => now, random: () => 0 });
    await p.get('API_TOKEN');
    now += 530_000; // 600 s lifetime, 60 s skew
    await p.get('API_TOKEN');
    expect(tokenRequests()).toHaveLength(1);
    now += 20_000;
    await p.get('API_TOKEN');
    expect(tokenRequests()).toHaveLength(2);
  });

  it('mints customer-scoped tokens per parameter value, validated, with a minimum validity, LRU-bounded', async () => {
    reply = (req) => ({ body: { access_token: `t-${new URLSearchParams(req.body.toString()).get('scope')}-${++minted}`, token_type: 'Bearer', expires_in: 3599 } });
    let now = 0;
    const c1 = 'c0570000-0000-4000-8000-000000000001';
    const c2 = 'c0570000-0000-4000-8000-000000000002';
    const p = provider('&scope=customer.{customer_id}&param_pattern=uuid&min_validity=900&max_entries=2', { now: () => now, random: () => 0 }, 'CUSTOMER_TOKEN');
    expect(p.spec.scope).toBe('customer.{customer_id}');
    const a = await p.get('CUSTOMER_TOKEN', { params: { customer_id: c1 } });
    const b = await p.get('CUSTOMER_TOKEN', { params: { customer_id: c2 } });
    expect(a).toBe(`t-customer.${c1}-1`);
    expect(b).toBe(`t-customer.${c2}-2`);
    expect(await p.get('CUSTOMER_TOKEN', { params: { customer_id: c1 } })).toBe(a);
    // ≥ 15 min left is required: at 45 min + a bit the token is replaced
    now += (3599 - 900 - 61) * 1000;
    expect(await p.get('CUSTOMER_TOKEN', { params: { customer_id: c1 } })).toBe(a);
    now += 2_000;
    expect(await p.get('CUSTOMER_TOKEN', { params: { customer_id: c1 } })).not.toBe(a);
    await expect(p.get('CUSTOMER_TOKEN', { params: { customer_id: 'x api' } })).rejects.toBeInstanceOf(InputError);
    await expect(p.get('CUSTOMER_TOKEN', { params: {} })).rejects.toThrow(/needs the parameter `customer_id`/);
    await expect(p.get('CUSTOMER_TOKEN')).rejects.toThrow(/does not pass call parameters to providers/);
    await p.get('CUSTOMER_TOKEN', { params: { customer_id: 'c0570000-0000-4000-8000-000000000003' } });
    expect(p.stats.cached).toBe(2);
  });

  it('registers each minted token with the redactor and forgets it once it expired (issue 11 item 3)', async () => {
    reply = () => ({ body: { access_token: `minted-token-${++minted}`, token_type: 'Bearer', expires_in: 0 } });
    const redactor = new Redactor();
    const p = provider('', { redactor, redactGraceMs: 0 });
    const token = await p.get('API_TOKEN');
    expect(redactor.redact(`echo: Bearer ${token}`)).toBe('echo: Bearer [REDACTED]');
    // Expired (lifetime 0, no grace): the redactor lets go of it, so it does not grow with every mint.
    while (redactor.redact(token) !== token) await new Promise((r) => setTimeout(r, 1));
    expect(redactor.redact(`${SECRET}`)).toBe('[REDACTED]'); // the client secret stays
  });

  it('bounds its negative cache: failing scoped keys do not grow memory without end (issue 11, Low)', async () => {
    reply = () => ({ status: 400, body: { error: 'invalid_scope' } });
    const p = provider('&scope=customer.{customer_id}&param_pattern=uuid', {}, 'CUSTOMER_TOKEN');
    for (let i = 0; i < 1030; i++) {
      const id = `c0570000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      await expect(p.get('CUSTOMER_TOKEN', { params: { customer_id: id } })).rejects.toBeInstanceOf(ConfigError);
    }
    expect((p as unknown as { negative: Map<string, unknown> }).negative.size).toBeLessThanOrEqual(1024);
  });

  it('reports seconds to expiry of its soonest token (metrics)', async () => {
    let now = 0;
    const p = provider('', { now: () => now });
    expect(p.secondsToExpiry()).toBeUndefined();
    await p.get('API_TOKEN');
    now += 99_000;
    expect(p.secondsToExpiry()).toBe(3500);
  });
});
