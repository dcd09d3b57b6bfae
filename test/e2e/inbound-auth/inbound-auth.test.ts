/**
 * Inbound authentication declared on exposed adapters is enforced: no
 * credential, a wrong one, or a missing bind value never reaches the upstream.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { rawMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const capability = resolve(import.meta.dirname, 'capability.yaml');
const TOKEN = 'gateway-token-4d1f9a';
const KEY = 'gateway-key-88c2e1';

describe('inbound authentication', () => {
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    upstream = await startEchoUpstream((req) => ({ body: { id: req.path.split('/').pop() } }));
    rt = await startTestRuntime({ paths: [capability], upstream: { things: upstream.url }, env: { GATEWAY_TOKEN: TOKEN, GATEWAY_KEY: KEY } });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
  });

  it('REST: 401 with a Bearer challenge without or with a wrong token; 200 with the right one', async () => {
    const before = upstream.requests.length;
    const none = await fetch(`${rt.restUrl}/v1/things/a`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    const wrong = await fetch(`${rt.restUrl}/v1/things/a`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(upstream.requests.length).toBe(before);
    const ok = await fetch(`${rt.restUrl}/v1/things/a`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ id: 'a' });
  });

  it('MCP: 401 without the API key; a client sending it lists and calls tools', async () => {
    const denied = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('X-Api-Key');
    const client = new Client({ name: 't', version: '1' }, { capabilities: {} });
    await client.connect(new StreamableHTTPClientTransport(new URL(rt.mcpUrl), { requestInit: { headers: { 'x-api-key': KEY } } }));
    const result = await client.callTool({ name: 'get-thing', arguments: { id: 'b' } });
    expect(result.structuredContent).toEqual({ id: 'b' });
    await client.close();
  });

  it('answers 503, not open access, when the credential bind has no value', async () => {
    const open = await startTestRuntime({ paths: [capability], upstream: { things: upstream.url }, env: {} });
    try {
      const res = await fetch(`${open.restUrl}/v1/things/a`, { headers: { authorization: 'Bearer ' } });
      expect(res.status).toBe(503);
    } finally {
      await open.close();
    }
  });
});
