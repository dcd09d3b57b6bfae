/**
 * Issue 11 item 1: REST and control listeners get the DNS-rebinding guard MCP
 * has. A page on attacker.example that rebinds its name to 127.0.0.1 sends
 * `Host: attacker.example:PORT`; a cross-site page sends its own `Origin` (or
 * `Sec-Fetch-Site: cross-site`). Neither may reach the token endpoint — and
 * no upstream call may happen.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLeanSandbox, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, type LeanSandbox } from '../../fakes/lean/index.js';
import { seedCapability } from '../../helpers/paths.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const TOKEN_FORM = new URLSearchParams({ client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, grant_type: 'client_credentials', scope: 'api' }).toString();

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, because fetch will not send a Host header of our choosing. */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawAnswer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const tokenPost = (base: string, headers: Record<string, string>) =>
  send(base, 'POST', '/v1/oauth2/token', { 'content-type': 'application/x-www-form-urlencoded', ...headers }, TOKEN_FORM);

describe('REST and control listeners: DNS-rebinding and cross-site guard', () => {
  let lean: LeanSandbox;
  let rt: TestRuntime;
  let widened: TestRuntime;
  let controlUrl: string;

  beforeAll(async () => {
    lean = await startLeanSandbox();
    const common = {
      paths: [seedCapability],
      upstream: { 'https://auth.leantech.me': lean.authUrl },
      env: { LEAN_CLIENT_ID: SANDBOX_CLIENT_ID, LEAN_CLIENT_SECRET: SANDBOX_CLIENT_SECRET },
    };
    rt = await startTestRuntime({ ...common, controlPort: 0 });
    controlUrl = rt.runtime.url('control');
    widened = await startTestRuntime({ ...common, allowedHosts: ['gateway.internal'], allowedOrigins: ['https://app.example'] });
  });
  afterAll(async () => {
    await rt?.close();
    await widened?.close();
    await lean?.close();
  });

  const authCalls = () => lean.journal.filter((r: { listener: string }) => r.listener === 'auth').length;

  it('refuses a foreign Host with 403 problem+json, before any upstream call', async () => {
    const port = new URL(rt.restUrl).port;
    const before = authCalls();
    const res = await tokenPost(rt.restUrl, { host: `attacker.example:${port}`, origin: `http://attacker.example:${port}` });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(res.body) as Record<string, unknown>;
    expect(problem.status).toBe(403);
    expect(String(problem.detail)).toContain('attacker.example');
    expect(problem.requestId).toBeTypeOf('string');
    expect(authCalls()).toBe(before);
  });

  it('refuses a foreign Host on unknown routes too (no route probing through a rebound name)', async () => {
    const res = await send(rt.restUrl, 'GET', '/v1/nope', { host: 'attacker.example' });
    expect(res.status).toBe(403);
  });

  it('refuses an unsafe request from a foreign Origin, and a cross-site one without Origin', async () => {
    const before = authCalls();
    const foreign = await tokenPost(rt.restUrl, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['content-type']).toBe('application/problem+json');
    const opaque = await tokenPost(rt.restUrl, { origin: 'null' });
    expect(opaque.status).toBe(403);
    const crossSite = await tokenPost(rt.restUrl, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(authCalls()).toBe(before);
  });

  it('serves loopback callers, same-origin pages and loopback origins as before', async () => {
    expect((await tokenPost(rt.restUrl, {})).status).toBe(200);
    expect((await tokenPost(rt.restUrl, { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' })).status).toBe(200);
    expect((await tokenPost(rt.restUrl, { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });

  it('--allowed-host and --allowed-origin widen the rules for REST as for MCP', async () => {
    const port = new URL(widened.restUrl).port;
    expect((await tokenPost(widened.restUrl, { host: `gateway.internal:${port}` })).status).toBe(200);
    expect((await tokenPost(widened.restUrl, { origin: 'https://app.example', 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    expect((await tokenPost(widened.restUrl, { host: `attacker.example:${port}` })).status).toBe(403);
    const mcp = await send(widened.mcpUrl, 'POST', '/mcp', { host: `gateway.internal:${new URL(widened.mcpUrl).port}`, 'content-type': 'application/json', accept: 'application/json' }, '{"jsonrpc":"2.0","id":1,"method":"ping"}');
    expect(mcp.status).toBe(200);
  });

  it('guards the control listener: a foreign Host or a cross-site POST is refused', async () => {
    const port = new URL(controlUrl).port;
    expect((await send(controlUrl, 'GET', '/health/live', {})).status).toBe(200);
    const rebound = await send(controlUrl, 'GET', '/metrics', { host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toEqual({ error: 'Forbidden: Host `attacker.example` is not allowed.' });
    expect((await send(controlUrl, 'POST', '/reload', { origin: 'https://evil.example' })).status).toBe(403);
  });
});
