/**
 * The seed capability end to end: the unchanged `authentication-tokens.yaml`
 * served over REST and MCP in front of the fake Lean auth server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { startLeanSandbox, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, type LeanSandbox } from '../../fakes/lean/index.js';
import { connectMcp, rawMcp } from '../../helpers/mcp-client.js';
import { seedCapability } from '../../helpers/paths.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('seed capability: Lean token endpoint', () => {
  let lean: LeanSandbox;
  let rt: TestRuntime;

  beforeAll(async () => {
    lean = await startLeanSandbox();
    rt = await startTestRuntime({
      paths: [seedCapability],
      upstream: { 'https://auth.leantech.me': lean.authUrl },
      env: { LEAN_CLIENT_ID: SANDBOX_CLIENT_ID, LEAN_CLIENT_SECRET: SANDBOX_CLIENT_SECRET },
    });
  });
  afterAll(async () => {
    await rt?.close();
    await lean?.close();
  });

  it('answers a form-encoded REST token request with the upstream token, sent form-encoded', async () => {
    lean.clearJournal();
    const res = await fetch(`${rt.restUrl}/v1/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, grant_type: 'client_credentials', scope: 'api' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3599);
    expect(body.scope).toBe('api');
    expect(decodeJwt(String(body.access_token)).scope).toContain('data.read');
    const sent = lean.journal.filter((r: { listener: string }) => r.listener === 'auth').at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/oauth2/token');
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(sent.body).get('client_id')).toBe(SANDBOX_CLIENT_ID);
  });

  it('sends a JSON REST token request form-encoded (RFC 6749 token requests are forms)', async () => {
    const res = await fetch(`${rt.restUrl}/v1/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, grant_type: 'client_credentials', scope: 'api' }),
    });
    expect(res.status).toBe(200);
  });

  it('passes the upstream 401 invalid_client through with its status and body', async () => {
    const res = await fetch(`${rt.restUrl}/v1/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ client_id: SANDBOX_CLIENT_ID, client_secret: 'wrong-secret', grant_type: 'client_credentials', scope: 'api' }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error).toBe('invalid_client');
  });

  it('answers 404 and 405 as problem documents', async () => {
    const missing = await fetch(`${rt.restUrl}/v1/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const wrong = await fetch(`${rt.restUrl}/v1/oauth2/token`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('rejects bodies over the size limit with 413', async () => {
    const res = await fetch(`${rt.restUrl}/v1/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { status: number }).status).toBe(413);
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await fetch(`${rt.restUrl}/v1/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"client_id": ' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('serves the tool to an MCP client: initialize, list (non-empty input schema), call', async () => {
    const client = await connectMcp(rt.mcpUrl);
    try {
      expect(client.getInstructions()).toContain('MCP adapter for Lean Authentication');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['lean-generate-access-token']);
      const tool = tools[0]!;
      expect(tool.inputSchema.properties).toHaveProperty('body');
      expect(tool.inputSchema.required).toEqual(['body']);
      expect(tool.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
      const result = await client.callTool({
        name: 'lean-generate-access-token',
        arguments: { body: { client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, grant_type: 'client_credentials', scope: 'api' } },
      });
      expect(result.isError).toBe(false);
      expect((result.structuredContent as Record<string, unknown>).token_type).toBe('Bearer');
      const text = (result.content as { type: string; text: string }[])[0]!.text;
      expect(JSON.parse(text).expires_in).toBe(3599);
    } finally {
      await client.close();
    }
  });

  it('reports invalid arguments and upstream errors as readable tool errors', async () => {
    const client = await connectMcp(rt.mcpUrl);
    try {
      const invalid = await client.callTool({ name: 'lean-generate-access-token', arguments: {} });
      expect(invalid.isError).toBe(true);
      expect((invalid.content as { text: string }[])[0]!.text).toContain('missing required argument `body`');
      const rejected = await client.callTool({
        name: 'lean-generate-access-token',
        arguments: { body: { client_id: SANDBOX_CLIENT_ID, client_secret: 'nope', grant_type: 'client_credentials', scope: 'api' } },
      });
      expect(rejected.isError).toBe(true);
      expect((rejected.content as { text: string }[])[0]!.text).toMatch(/HTTP 401.*invalid_client/);
      expect(rejected.structuredContent).toBeUndefined();
      await expect(client.callTool({ name: 'no-such-tool', arguments: {} })).rejects.toThrow(/Unknown tool/);
    } finally {
      await client.close();
    }
  });

  it('guards against DNS rebinding and answers GET with 405', async () => {
    const evil = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: 'http://evil.example.com' });
    expect(evil.status).toBe(403);
    const get = await fetch(rt.mcpUrl);
    expect(get.status).toBe(405);
    const ok = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: 'http://localhost:6274' });
    expect(ok.status).toBe(200);
  });
});

describe('seed capability: upstream down', () => {
  it('answers 502 problem+json on REST and a tool error on MCP', async () => {
    const rt = await startTestRuntime({ paths: [seedCapability], upstream: { 'https://auth.leantech.me': 'http://127.0.0.1:9' }, env: {} });
    try {
      const res = await fetch(`${rt.restUrl}/v1/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toMatch(/could not be reached/);
      const client = await connectMcp(rt.mcpUrl);
      const result = await client.callTool({ name: 'lean-generate-access-token', arguments: { body: { grant_type: 'client_credentials' } } });
      expect(result.isError).toBe(true);
      await client.close();
    } finally {
      await rt.close();
    }
  });
});
