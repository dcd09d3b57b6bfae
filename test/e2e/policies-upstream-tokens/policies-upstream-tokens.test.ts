/**
 * Tokens minted by the provider are secrets (issue 11 item 3): an upstream that
 * echoes Authorization never shows them to callers. After the 401-refresh cap,
 * a call is not retried with the same rejected token (issue 11, Low). Token
 * metrics are exported (issue 14 item 7).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTokenProviderSpec, type TokenProviders } from '../../../src/engine/tokens/index.js';
import { Redactor } from '../../../src/engine/redact.js';
import { UpstreamRoutes } from '../../../src/engine/upstream/routes.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

describe('minted tokens', () => {
  let idp: EchoUpstream;
  let api: EchoUpstream;
  let rt: TestRuntime;
  let providers: TokenProviders;
  let minted = 0;
  let reject = false;
  beforeAll(async () => {
    idp = await startEchoUpstream(() => ({ body: { access_token: `minted-${++minted}-c5b1e7f2a9`, token_type: 'Bearer', expires_in: 3600 } }));
    api = await startEchoUpstream((req) => (reject ? { status: 401, body: { error: 'invalid_token' } } : { body: { echoed: req.headers.authorization } }));
    const env = { IDP_ID: 'client-1', IDP_SECRET: 'idp-secret-value-0b8d' };
    const upstreams = new UpstreamRoutes([
      ['backend', api.url],
      ['https://idp.example.com', idp.url],
    ]);
    const redactor = new Redactor();
    providers = parseTokenProviderSpec('API_TOKEN=client_credentials:https://idp.example.com/oauth2/token?client_id_env=IDP_ID&client_secret_env=IDP_SECRET&scope=api').create({ routes: upstreams, env, redactor });
    rt = await startTestRuntime({ paths: [resolve(import.meta.dirname, 'capability.yaml')], upstreams, env, providers, redactor, controlPort: 0 });
  });
  afterAll(async () => {
    await rt?.close();
    await providers?.close();
    await api?.close();
    await idp?.close();
  });

  it('an upstream echoing Authorization never shows the minted token to the caller', async () => {
    const res = await fetch(`${rt.restUrl}/whoami`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(api.last().headers.authorization).toBe('Bearer minted-1-c5b1e7f2a9');
    expect(text).not.toContain('minted-1-c5b1e7f2a9');
    expect(text).toContain('[REDACTED]');
  });

  it('after the 401-refresh cap, a call is sent once, not retried with the same rejected token', async () => {
    reject = true;
    const before = api.requests.length;
    // Three forced refreshes per minute: each of these calls is sent twice (old token, then a new one).
    for (let i = 0; i < 3; i++) expect((await fetch(`${rt.restUrl}/whoami`)).status).toBe(401);
    expect(api.requests.length - before).toBe(6);
    const tokens = new Set(api.requests.slice(before).map((r) => r.headers.authorization));
    expect(tokens.size).toBe(4);
    // Cap reached: the provider keeps its token; the call is not repeated with it.
    const capped = api.requests.length;
    expect((await fetch(`${rt.restUrl}/whoami`)).status).toBe(401);
    expect(api.requests.length - capped).toBe(1);
    reject = false;
  });

  it('exports token provider metrics', async () => {
    const control = rt.runtime.summaries.find((s) => s.kind === 'control')!.url;
    const metrics = await (await fetch(`${control}/metrics`)).text();
    expect(metrics).toMatch(/runtime_token_mints_total\{provider="API_TOKEN"\} 4/);
    expect(metrics).toMatch(/runtime_token_cache_hits_total\{provider="API_TOKEN"\} \d+/);
    expect(metrics).toMatch(/runtime_token_expiry_seconds\{provider="API_TOKEN"\} \d+/);
    expect(metrics).toMatch(/runtime_token_mint_failures_total\{provider="API_TOKEN"\} 0/);
  });
});
