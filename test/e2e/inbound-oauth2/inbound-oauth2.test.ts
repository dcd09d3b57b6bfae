/**
 * Inbound `oauth2`: the adapters are OAuth 2.1 resource servers in front of the
 * fake Lean authorization server (metadata + JWKS discovered through
 * `--upstream`). Signature, expiry, issuer, audience and scopes are checked;
 * MCP serves RFC 9728 metadata and points every challenge at it.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLeanSandbox, type LeanSandbox } from '../../fakes/lean/index.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { rawMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const ISSUER = 'https://auth.leantech.me';

describe('inbound oauth2', () => {
  let lean: LeanSandbox;
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    lean = await startLeanSandbox();
    upstream = await startEchoUpstream((req) => ({ body: { id: req.path.split('/').pop() } }));
    rt = await startTestRuntime({
      paths: [resolve(import.meta.dirname, 'capability.yaml')],
      upstream: { things: upstream.url, [ISSUER]: lean.authUrl },
    });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
    await lean?.close();
  });

  const token = (o: { audience?: string; expiresIn?: number; permissions?: string[]; issuer?: string; unknownKey?: boolean } = {}) =>
    lean.issueToken({ issuer: ISSUER, audience: 'https://gateway.test/v1', ...o });
  const get = (auth?: string) => fetch(`${rt.restUrl}/v1/things/a`, auth ? { headers: { authorization: `Bearer ${auth}` } } : {});

  it('accepts a valid token and answers 401 with a Bearer challenge without one', async () => {
    expect((await get(await token())).status).toBe(200);
    const none = await get();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('rejects expired, foreign-issuer, wrong-audience and unknown-key tokens with invalid_token', async () => {
    for (const bad of [
      await token({ expiresIn: -60 }),
      await token({ issuer: 'https://evil.test' }),
      await token({ audience: 'https://other.test' }),
      await token({ unknownKey: true }),
      'not-a-jwt',
    ]) {
      const res = await get(bad);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    }
  });

  it('answers 403 insufficient_scope when a required scope is missing', async () => {
    const res = await get(await token({ permissions: ['customer.read'] }));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(res.headers.get('www-authenticate')).toContain('scope="data.read"');
  });

  it('MCP: serves RFC 9728 metadata and points challenges at it; a valid token calls tools', async () => {
    const meta = await fetch(new URL('/.well-known/oauth-protected-resource/mcp', rt.mcpUrl));
    expect(meta.status).toBe(200);
    expect(await meta.json()).toEqual({
      resource: 'https://gateway.test/mcp',
      authorization_servers: [ISSUER],
      bearer_methods_supported: ['header'],
      scopes_supported: ['data.read'],
    });
    const denied = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('resource_metadata="https://gateway.test/.well-known/oauth-protected-resource/mcp"');
    const ok = await rawMcp(
      rt.mcpUrl,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get-thing', arguments: { id: 'z' } } },
      { authorization: `Bearer ${await token({ audience: 'https://gateway.test/mcp' })}` },
    );
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { result: { structuredContent: unknown } }).result.structuredContent).toEqual({ id: 'z' });
  });

  it('answers 503, never open access, when the authorization server cannot be reached', async () => {
    const dark = await startTestRuntime({ paths: [resolve(import.meta.dirname, 'capability.yaml')], upstream: { things: upstream.url, [ISSUER]: 'http://127.0.0.1:9' } });
    try {
      const res = await fetch(`${dark.restUrl}/v1/things/a`, { headers: { authorization: `Bearer ${await token()}` } });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { detail: string }).detail).toContain('published no JWKS');
    } finally {
      await dark.close();
    }
  });
});
