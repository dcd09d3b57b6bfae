/**
 * "Lean, for real": the 19 Lean capability files (../shared/lean/capabilities)
 * plus capabilities/lean-tokens.yaml, served together against the Lean sandbox
 * with the runtime's token provider supplying LEAN_API_TOKEN. Every REST
 * operation and every MCP tool is called with realistic inputs (the list comes
 * from the loader, so a new operation without inputs fails the test); token
 * caching, expiry, 401 → refresh → retry once, single-flight and secret
 * hygiene are checked on the sandbox journal and the runtime's log lines.
 */
import { resolve } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/engine/redact.js';
import { parseTokenProviderSpec, type TokenProviders } from '../../../src/engine/tokens/index.js';
import { UpstreamRoutes } from '../../../src/engine/upstream/routes.js';
import { loadCapabilities } from '../../../src/capability/loader.js';
import {
  DISABLED_CLIENT_SECRET,
  LEAN_IDS,
  LIMITED_CLIENT_SECRET,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  startLeanSandbox,
  type JournalEntry,
  type LeanSandbox,
} from '../../fakes/lean/index.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { hasShared, leanCapabilitiesDir, repoRoot, sharedSkipReason } from '../../helpers/paths.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { CASES } from './inputs.js';
import { deriveCases, restRequest, toolArguments, type RestCase, type ToolCase } from './operations.js';

const leanTokens = resolve(repoRoot, 'capabilities/lean-tokens.yaml');
const PROVIDER_UA = 'token-provider';
const CANARIES = [SANDBOX_CLIENT_SECRET, LIMITED_CLIENT_SECRET, DISABLED_CLIENT_SECRET];
const TOKEN_FLAG =
  'LEAN_API_TOKEN=client_credentials:https://auth.leantech.me/oauth2/token?client_id_env=LEAN_CLIENT_ID&client_secret_env=LEAN_CLIENT_SECRET&scope=api';

if (!hasShared) console.warn(sharedSkipReason());

describe.skipIf(!hasShared)('Lean, for real: 19 capabilities + lean-tokens against the sandbox, token provider on', () => {
  let lean: LeanSandbox;
  let rt: TestRuntime;
  let providers: TokenProviders;
  let mcp: Client;
  let rest: RestCase[];
  let tools: ToolCase[];
  /** Every response text and tool result seen, for the canary check. */
  const outputs: string[] = [];

  const providerTokenRequests = (): JournalEntry[] => lean.journal.filter((e) => e.listener === 'auth' && e.path === '/oauth2/token' && (e.headers['user-agent'] ?? '').includes(PROVIDER_UA));
  const apiRequests = (): JournalEntry[] => lean.journal.filter((e) => e.listener === 'api');

  async function callRest(c: RestCase, surface: 'rest' = 'rest'): Promise<{ status: number; text: string; value: unknown }> {
    const req = restRequest(c, CASES[c.ref]!.params(surface));
    const res = await fetch(`${rt.restUrl}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
    const text = await res.text();
    outputs.push(text);
    let value: unknown;
    try {
      value = text ? JSON.parse(text) : undefined;
    } catch {
      value = undefined;
    }
    return { status: res.status, text, value };
  }

  async function listAllTools(): Promise<Awaited<ReturnType<Client['listTools']>>['tools']> {
    const all: Awaited<ReturnType<Client['listTools']>>['tools'] = [];
    let cursor: string | undefined;
    do {
      const page = await mcp.listTools(cursor ? { cursor } : {});
      all.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  async function get(path: string): Promise<Response> {
    const res = await fetch(`${rt.restUrl}${path}`);
    outputs.push(await res.clone().text());
    return res;
  }

  beforeAll(async () => {
    // Lenient: the corpus capabilities cannot pass entity_id/page/Idempotency-Key (lean.md §3, §5.6).
    lean = await startLeanSandbox({ strict: false, clock: { start: '2026-05-10T10:00:00Z' } });
    const loaded = await loadCapabilities([leanCapabilitiesDir, leanTokens]);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(loaded.capabilities).toHaveLength(20);
    ({ rest, tools } = deriveCases(loaded.capabilities));

    const env = { LEAN_CLIENT_ID: SANDBOX_CLIENT_ID, LEAN_CLIENT_SECRET: SANDBOX_CLIENT_SECRET };
    const upstreams = new UpstreamRoutes([
      ['https://auth.leantech.me', lean.authUrl],
      ['https://api2.leantech.me', lean.apiUrl],
    ]);
    const redactor = new Redactor();
    // The provider reads the sandbox's fake clock, so moving it ages the cached token too.
    providers = parseTokenProviderSpec(TOKEN_FLAG).create({ routes: upstreams, env, redactor, now: () => lean.clock.now() });
    rt = await startTestRuntime({ paths: [leanCapabilitiesDir, leanTokens], upstreams, env, providers, redactor });
    providers.useLogger(rt.runtime.logger);
    mcp = await connectMcp(rt.mcpUrl);
  });

  afterAll(async () => {
    await mcp?.close();
    await rt?.close();
    await providers?.close();
    await lean?.close();
  });

  it('derives 53 REST operations and 52 MCP tools, each with inputs in the table', () => {
    expect(rest).toHaveLength(53);
    expect(tools).toHaveLength(52);
    const missing = [...rest, ...tools].map((c) => c.ref).filter((ref) => !CASES[ref]);
    expect(missing).toEqual([]);
    expect(Object.keys(CASES).sort()).toEqual([...new Set(rest.map((c) => c.ref))].sort());
  });

  it('32 concurrent first calls share exactly one token request', async () => {
    lean.clearJournal();
    // (trailing-slash routing, `/v1/banks/v1/`, is covered by the every-operation test below)
    const reads = rest.filter((c) => c.method === 'GET' && CASES[c.ref]!.status === 200 && !c.path.endsWith('/'));
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => callRest(reads[i % reads.length]!)));
    expect(results.map((r) => r.status)).toEqual(Array(32).fill(200));
    expect(providerTokenRequests()).toHaveLength(1);
    expect(providerTokenRequests()[0]!.tokenRequest).toMatchObject({ clientId: SANDBOX_CLIENT_ID, authMethod: 'client_secret_post', scope: 'api', grantType: 'client_credentials', secretValid: true });
    expect(providerTokenRequests()[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(apiRequests().every((e) => e.status === 200)).toBe(true);
    expect(new Set(apiRequests().map((e) => e.token?.jti)).size).toBe(1);
  });

  it('calls every REST operation with realistic inputs: status and mapped output', async () => {
    lean.clearJournal();
    const failures: string[] = [];
    for (const c of rest) {
      const expected = CASES[c.ref]!;
      const { status, text, value } = await callRest(c);
      if (process.env.LEAN_E2E_DUMP) console.log(`${c.ref} ${status} ${text.slice(0, 600)}`);
      try {
        expect(status, `${c.method} ${c.path}: ${text.slice(0, 300)}`).toBe(expected.status);
        if (expected.check) expected.check(value);
        if (expected.error) expect(text).toContain(expected.error);
      } catch (error) {
        failures.push(`${c.ref} (${c.method} ${c.path}): ${(error as Error).message.split('\n')[0]}`);
      }
    }
    expect(failures).toEqual([]);
    // one api token served all of them (cached from the previous test)
    expect(providerTokenRequests()).toHaveLength(0);
    expect(apiRequests().filter((e) => e.status === 401)).toEqual([]);
  });

  it('calls every MCP tool with realistic inputs: result and mapped output', async () => {
    const listed = await listAllTools();
    expect(listed.map((t) => t.name).sort()).toEqual(tools.map((t) => t.name).sort());
    const failures: string[] = [];
    for (const c of tools) {
      const expected = CASES[c.ref]!;
      const result = await mcp.callTool({ name: c.name, arguments: toolArguments(c, expected.params('mcp')) });
      const raw = JSON.stringify(result);
      outputs.push(raw);
      const text = (result.content as { text: string }[])[0]?.text ?? '';
      try {
        if (expected.status >= 400) {
          expect(result.isError, `${c.name}: ${text.slice(0, 300)}`).toBe(true);
          expect(text).toContain(`HTTP ${expected.status}`);
          if (expected.error) expect(text).toContain(expected.error);
          expect(result.structuredContent).toBeUndefined();
        } else {
          expect(result.isError, `${c.name}: ${text.slice(0, 300)}`).toBe(false);
          const value = JSON.parse(text) as unknown;
          expected.check?.(value);
          expect(result.structuredContent).toEqual(Array.isArray(value) ? { result: value } : value);
        }
      } catch (error) {
        failures.push(`${c.name}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('lean-tokens: the MCP tool takes only a customer id (validated), never a secret', async () => {
    const listed = await listAllTools();
    const tool = listed.find((t) => t.name === 'lean-create-customer-token')!;
    expect(Object.keys(tool.inputSchema.properties ?? {})).toEqual(['customer_id']);
    expect(tool.inputSchema.required).toEqual(['customer_id']);
    expect(tool.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false });
    const injected = await mcp.callTool({ name: 'lean-create-customer-token', arguments: { customer_id: `${LEAN_IDS.customers.C1} api` } });
    expect(injected.isError).toBe(true);
    const withSecret = await mcp.callTool({ name: 'lean-create-customer-token', arguments: { customer_id: LEAN_IDS.customers.C1, client_secret: 'x' } });
    expect(withSecret.isError).toBe(true);
    outputs.push(JSON.stringify(injected), JSON.stringify(withSecret));
    // the token request carried the runtime's credentials, form-encoded
    lean.clearJournal();
    const res = await fetch(`${rt.restUrl}/v1/tokens/customer/${LEAN_IDS.customers.C2}`, { method: 'POST' });
    outputs.push(await res.text());
    expect(res.status).toBe(200);
    const sent = lean.journal.find((e) => e.path === '/oauth2/token')!;
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.tokenRequest).toMatchObject({ clientId: SANDBOX_CLIENT_ID, scope: `customer.${LEAN_IDS.customers.C2}`, secretValid: true });
  });

  it('token expiry mid-run: the provider refreshes ahead of expiry, the caller never sees an error', async () => {
    lean.clearJournal();
    lean.clock.advance(3599 - 45); // 45 s left: inside the 60 s refresh margin
    const res = await get('/v1/payouts/refunds/reasons');
    expect(res.status).toBe(200);
    expect(providerTokenRequests()).toHaveLength(1);
    expect(apiRequests().map((e) => e.status)).toEqual([200]);
    // and long after: another refresh, still no 401
    lean.clock.advance(2 * 3600);
    expect((await get(`/v1/customers/v1/${LEAN_IDS.customers.C1}`)).status).toBe(200);
    expect(providerTokenRequests()).toHaveLength(2);
    expect(apiRequests().filter((e) => e.status === 401)).toEqual([]);
  });

  it('a token that dies early (expires_in lies) → 401 → one refresh → one retry → 200', async () => {
    lean.setTokenOverrides({ expiresIn: 7200 }); // the JWT still expires after 3600 s
    lean.clock.advance(2 * 3600); // force a fresh mint under the override
    expect((await get('/v1/payouts/refunds/reasons')).status).toBe(200);
    lean.setTokenOverrides(undefined);
    lean.clearJournal();
    lean.clock.advance(3601); // the provider believes 3599 s remain; Lean says expired
    const res = await get(`/v1/consents/${LEAN_IDS.consents.K1}`);
    expect(res.status).toBe(200);
    expect(apiRequests().map((e) => e.status)).toEqual([401, 200]);
    expect(providerTokenRequests()).toHaveLength(1);
    expect(lean.journal.map((e) => `${e.listener}:${e.status}`)).toEqual(['api:401', 'auth:200', 'api:200']);
  });

  it('revoked tokens → refresh once and retry once; a second 401 reaches the caller (no loop)', async () => {
    lean.clearJournal();
    lean.revokeTokens();
    // Sandbox quirk: revokeTokens() also rejects tokens minted within the next second (revokedBefore = now + 1 s, nbf < revokedBefore).
    lean.clock.advance(2);
    expect((await get('/v1/payments/v1/intents')).status).toBe(200);
    expect(lean.journal.map((e) => `${e.listener}:${e.status}`)).toEqual(['api:401', 'auth:200', 'api:200']);

    lean.clearJournal();
    lean.clock.advance(61); // forced refreshes are bounded per minute (max_401_refreshes, default 3)
    lean.faults.set({ listener: 'api', route: '/customers/v1', kind: 'status', status: 401, template: 'empty' }, { times: 5 });
    const res = await get('/v1/customers/v1');
    expect(res.status).toBe(401);
    expect(apiRequests()).toHaveLength(2);
    expect(providerTokenRequests()).toHaveLength(1);
    lean.faults.clear();
  });

  it('a dead credential: 503 naming the provider, no token-request loop, no secret in the answer', async () => {
    lean.rotateSecret(SANDBOX_CLIENT_ID); // the dashboard re-revealed the secret
    lean.revokeTokens();
    lean.clock.advance(2);
    lean.clearJournal();
    const first = await get('/v1/payouts/refunds/reasons');
    const body = (await first.json()) as { detail: string; status: number };
    expect(first.status).toBe(503);
    expect(body.detail).toContain(`The token provider for \`LEAN_API_TOKEN\` was refused by https://auth.leantech.me/oauth2/token (via ${lean.authUrl}/oauth2/token): HTTP 401 invalid_client`);
    expect(body.detail).toContain('$LEAN_CLIENT_ID / $LEAN_CLIENT_SECRET');
    for (let i = 0; i < 5; i++) expect((await get(`/v1/customers/v1/${LEAN_IDS.customers.C1}`)).status).toBe(503);
    const tool = await mcp.callTool({ name: 'lean-listbanks', arguments: {} });
    outputs.push(JSON.stringify(tool));
    expect(tool.isError).toBe(true);
    expect((tool.content as { text: string }[])[0]!.text).toMatch(/token provider for `LEAN_API_TOKEN` was refused/);
    expect(providerTokenRequests()).toHaveLength(1); // negative cache: 7 calls, one token request
    expect(apiRequests().map((e) => e.status)).toEqual([401]);
  });

  it('no canary secret in any response, tool result or log line; token requests logged by fingerprint', () => {
    expect(outputs.length).toBeGreaterThan(100);
    for (const canary of CANARIES) {
      for (const text of outputs) expect(text).not.toContain(canary);
      for (const line of rt.logs) expect(line).not.toContain(canary);
    }
    const minted = rt.logs.filter((l) => l.includes('token provider LEAN_API_TOKEN: token minted'));
    expect(minted.length).toBeGreaterThanOrEqual(4);
    expect(minted[0]).toMatch(/"token":"jti:[0-9a-f-]{36}"/);
    expect(rt.logs.some((l) => l.includes('token request failed'))).toBe(true);
    expect(providers.provider('LEAN_API_TOKEN')!.stats.hits).toBeGreaterThan(100);
  });
});
