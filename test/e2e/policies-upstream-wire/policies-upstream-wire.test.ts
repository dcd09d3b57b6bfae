/**
 * Upstream policies on the wire (issue 14 items 1, 2, 4; issue 11 item 6 and
 * Low items): a flapping upstream where a GET succeeds through retries while a
 * POST is not retried; a breaker that opens, stops upstream traffic (counted
 * at the fake) and half-opens; a cache whose hits never reach the upstream and
 * are never shared across credentials; header values with control characters
 * refused as bad input; an upstream redirect reported as an MCP error.
 */
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream, type RecordedRequest, type Reply } from '../../helpers/echo-upstream.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import type { PartialUpstreamPolicies } from '../../../src/engine/upstream/policies.js';

const FILE = resolve(import.meta.dirname, 'capability.yaml');
const TOKEN = 'backend-token-77c1e0';

let upstream: EchoUpstream | undefined;
let rt: TestRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  await upstream?.close();
  rt = undefined;
  upstream = undefined;
});

async function start(handler: (req: RecordedRequest) => Reply, upstreamPolicies: PartialUpstreamPolicies, controlPort = false): Promise<{ up: EchoUpstream; rt: TestRuntime }> {
  upstream = await startEchoUpstream(handler);
  rt = await startTestRuntime({
    paths: [FILE],
    upstream: { backend: upstream.url },
    env: { BACKEND_TOKEN: TOKEN },
    upstreamPolicies,
    ...(controlPort ? { controlPort: 0 } : {}),
  });
  return { up: upstream, rt };
}

const FAST_RETRY = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };

describe('retries on a flapping upstream', () => {
  it('a GET succeeds through retries while a POST is not retried', async () => {
    const failures = new Map<string, number>([
      ['GET', 2],
      ['POST', 1],
    ]);
    const { up, rt } = await start((req) => {
      const left = failures.get(req.method) ?? 0;
      if (left > 0) {
        failures.set(req.method, left - 1);
        return { status: 503, body: { error: 'flap' } };
      }
      return { status: req.method === 'POST' ? 201 : 200, body: { ok: true } };
    }, FAST_RETRY);
    const list = await fetch(`${rt.restUrl}/items`);
    expect(list.status).toBe(200);
    expect(up.requests.filter((r) => r.method === 'GET')).toHaveLength(3);

    const create = await fetch(`${rt.restUrl}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(create.status).toBe(503);
    expect(up.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    // A POST that sends an Idempotency-Key upstream (here: the caller's, declared as a header parameter) is retried.
    failures.set('POST', 1);
    const keyed = await fetch(`${rt.restUrl}/items`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' }, body: '{"name":"y"}' });
    expect(keyed.status).toBe(201);
  });
});

describe('circuit breaker', () => {
  it('opens after N failures, stops upstream traffic with 503 + Retry-After, shows in /status and metrics, then half-opens', async () => {
    let healthy = false;
    const { up, rt } = await start(() => (healthy ? { body: { ok: true } } : { status: 502, body: { error: 'down' } }), {
      retry: { enabled: false },
      circuitBreaker: { failureThreshold: 3, windowMs: 60_000, openMs: 400, halfOpenProbes: 1 },
    }, true);
    const control = rt.runtime.summaries.find((s) => s.kind === 'control')!.url;
    for (let i = 0; i < 3; i++) expect((await fetch(`${rt.restUrl}/items`)).status).toBe(502);
    const refused = await fetch(`${rt.restUrl}/items`);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { type: string }).type).toMatch(/circuit-open$/);
    expect(up.requests).toHaveLength(3); // no upstream call while open

    const status = (await (await fetch(`${control}/status`)).json()) as { upstream?: { breakers: { state: string }[] } };
    expect(status.upstream?.breakers[0]?.state).toBe('open');
    const metrics = await (await fetch(`${control}/metrics`)).text();
    expect(metrics).toMatch(/runtime_circuit_breaker_state\{origin="http:\/\/127\.0\.0\.1:\d+",state="open"\} 1/);
    expect(metrics).toMatch(/runtime_circuit_breaker_rejected_total\{origin="[^"]+"\} 1/);

    // Wait for the half-open state (the event), then one probe goes through and closes the circuit.
    for (;;) {
      const s = (await (await fetch(`${control}/status`)).json()) as { upstream: { breakers: { state: string }[] } };
      if (s.upstream.breakers[0]!.state === 'half-open') break;
      await new Promise((r) => setImmediate(r));
    }
    healthy = true;
    expect((await fetch(`${rt.restUrl}/items`)).status).toBe(200);
    expect(up.requests).toHaveLength(4);
    expect((await fetch(`${rt.restUrl}/items`)).status).toBe(200);
  });
});

describe('response cache', () => {
  it('hits never reach the upstream and are never shared across credentials; no-cache bypasses', async () => {
    let n = 0;
    const { up, rt } = await start((req) => ({ body: { customer: req.headers['x-customer-key'], n: ++n } }), { cache: { enabled: true, ttlMs: 60_000 } }, true);
    const accounts = (key: string, headers: Record<string, string> = {}) => fetch(`${rt.restUrl}/accounts`, { headers: { 'x-customer-key': key, ...headers } }).then((r) => r.json());
    expect(await accounts('alice-key')).toEqual({ customer: 'alice-key', n: 1 });
    expect(await accounts('alice-key')).toEqual({ customer: 'alice-key', n: 1 });
    expect(up.requests).toHaveLength(1);
    expect(await accounts('bob-key')).toEqual({ customer: 'bob-key', n: 2 });
    expect(up.requests).toHaveLength(2);
    expect(await accounts('alice-key', { 'cache-control': 'no-cache' })).toEqual({ customer: 'alice-key', n: 3 });
    expect(await accounts('alice-key')).toEqual({ customer: 'alice-key', n: 3 });
    expect(up.requests).toHaveLength(3);
    const control = rt.runtime.summaries.find((s) => s.kind === 'control')!.url;
    const metrics = await (await fetch(`${control}/metrics`)).text();
    expect(metrics).toContain('runtime_cache_requests_total{result="hit"} 2');
    expect(metrics).toContain('runtime_cache_requests_total{result="miss"} 2');
    expect(metrics).toContain('runtime_cache_requests_total{result="bypass"} 1');
    // The key is a digest: no credential is kept in the clear anywhere in the status document.
    const status = JSON.stringify(await (await fetch(`${control}/status`)).json());
    expect(status).not.toContain('alice-key');
  });
});

describe('response cache on MCP', () => {
  it('a repeated tool call is answered from the cache; Cache-Control: no-cache on the POST asks for a fresh one', async () => {
    let n = 0;
    const { up, rt } = await start((req) => ({ body: { note: req.headers['x-note'], n: ++n } }), { cache: { enabled: true, ttlMs: 60_000 } });
    const call = async (headers: Record<string, string> = {}) => {
      const response = await fetch(rt.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'note', arguments: { note: 'same' } } }),
      });
      const { result } = (await response.json()) as { result: { structuredContent?: { n: number }; content: { text: string }[] } };
      return (JSON.parse(result.content[0]!.text) as { n: number }).n;
    };
    expect(await call()).toBe(1);
    expect(await call()).toBe(1);
    expect(up.requests).toHaveLength(1);
    expect(await call({ 'cache-control': 'no-cache' })).toBe(2);
    expect(await call()).toBe(2); // the fresh answer refreshed the entry
    expect(up.requests).toHaveLength(2);
  });
});

describe('bad input bound for a header (issue 11, Low)', () => {
  it('a control character is a 400 / isError naming the parameter, and nothing is sent', async () => {
    const { up, rt } = await start(() => ({ body: { ok: true } }), {});
    const res = await fetch(`${rt.restUrl}/note?note=${encodeURIComponent('a\u0001b')}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toContain('x-note');
    const mcp = await connectMcp(rt.mcpUrl);
    try {
      const result = (await mcp.callTool({ name: 'note', arguments: { note: 'tab\tok but bell \u0007 not' } })) as { isError?: boolean; content: { text: string }[] };
      expect(result.isError).toBe(true);
      expect(result.content[0]!.text).toContain('x-note');
      expect(up.requests).toHaveLength(0);
      const fine = (await mcp.callTool({ name: 'note', arguments: { note: 'plain' } })) as { isError?: boolean };
      expect(fine.isError).toBeFalsy();
    } finally {
      await mcp.close();
    }
  });
});

describe('an upstream redirect on MCP (issue 11, Low)', () => {
  it('is reported as a tool error, not as success with empty text', async () => {
    await start(() => ({ status: 302, headers: { location: 'https://elsewhere.example/login?next=x' } }), {});
    const mcp = await connectMcp(rt!.mcpUrl);
    try {
      const result = (await mcp.callTool({ name: 'moved', arguments: {} })) as { isError?: boolean; content: { text: string }[] };
      expect(result.isError).toBe(true);
      expect(result.content[0]!.text).toContain('302');
    } finally {
      await mcp.close();
    }
  });
});
