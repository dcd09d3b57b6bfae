/**
 * Inbound rate limiting on the wire: REST answers 429 problem+json with
 * `RateLimit-*` and `Retry-After`, MCP `tools/call` answers a readable
 * `isError` result (the JSON-RPC call itself succeeds); refused calls never
 * reach the upstream; buckets are per caller, and a header the adapter does
 * not verify cannot buy a fresh one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicies } from '../../../src/policies/config.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { callTool, capabilityYaml, tempDir, type TempDir } from '../ops-helpers/fixtures.js';

describe('rate limiting', () => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  let rt: TestRuntime;

  beforeAll(async () => {
    upstream = await startEchoUpstream(() => ({ body: { items: [1, 2] } }));
    dir = tempDir('policies-rl-');
    // `open` has no inbound auth (callers are their address); `keyed` wants a bearer token.
    dir.write('open.yaml', capabilityYaml({ name: 'open', routes: ['/v1/open/items', '/v1/open/other'] }));
    dir.write('keyed.yaml', capabilityYaml({ name: 'keyed', secretVar: 'KEYED_TOKEN', tools: [] }).replace(/( {2}- type: rest\n(?:.*\n)*? {4}description: REST adapter of keyed\.\n)/, '$1    authentication:\n      type: bearer\n      token: "{{KEYED_TOKEN}}"\n'));
    rt = await startTestRuntime({
      paths: [dir.path],
      env: { KEYED_TOKEN: 'secret-token-one' },
      upstream: { open: upstream.url, keyed: upstream.url },
      // A refill of one token per 100 s: the test never races the clock.
      policies: parsePolicies({
        rateLimit: { requestsPerSecond: 0.01, burst: 2 },
        overrides: [{ match: { adapter: 'open-rest', operation: 'get1' }, rateLimit: { burst: 1 } }],
      }),
    });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
    dir?.cleanup();
  });

  it('REST: 429 problem+json with RateLimit-* and Retry-After, and the upstream is not called', async () => {
    const before = upstream.requests.length;
    const ok1 = await fetch(`${rt.restUrl}/v1/open/items`);
    const ok2 = await fetch(`${rt.restUrl}/v1/open/items`);
    expect([ok1.status, ok2.status]).toEqual([200, 200]);
    // Allowed answers carry the caller's budget too (ratelimit-headers), not only the refusal.
    expect([ok1.headers.get('ratelimit-limit'), ok1.headers.get('ratelimit-remaining'), ok2.headers.get('ratelimit-remaining')]).toEqual(['2', '1', '0']);
    expect(Number(ok2.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(ok1.headers.get('retry-after')).toBeNull();
    const refused = await fetch(`${rt.restUrl}/v1/open/items`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('ratelimit-limit')).toBe('2');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(90);
    expect(retryAfter).toBeLessThanOrEqual(100);
    expect(Number(refused.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(retryAfter);
    expect(refused.headers.get('x-request-id')).toBeTruthy();
    const problem = (await refused.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ type: 'https://capability-runtime.dev/problems/rate-limited', title: 'Too many requests', status: 429, retryAfterSeconds: retryAfter });
    expect(problem.detail).toMatch(/^Rate limit exceeded for adapter open-rest: 0\.01 requests per second, bursts of 2 per caller\. Retry after \d+ s\.$/);
    expect(upstream.requests.length - before).toBe(2);
  });

  it('an Authorization header the adapter does not verify does not buy a fresh bucket', async () => {
    const res = await fetch(`${rt.restUrl}/v1/open/items`, { headers: { authorization: `Bearer made-up-${Date.now()}` } });
    expect(res.status).toBe(429);
  });

  it('an operation override has its own bucket and size', async () => {
    expect((await fetch(`${rt.restUrl}/v1/open/other`)).status).toBe(200);
    const refused = await fetch(`${rt.restUrl}/v1/open/other`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-limit')).toBe('1');
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/^Rate limit exceeded for operation get1: /);
  });

  it('authenticated callers are told apart by their verified credential, not their address', async () => {
    const auth = { authorization: 'Bearer secret-token-one' };
    expect((await fetch(`${rt.restUrl}/v1/keyed/items`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${rt.restUrl}/v1/keyed/items`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${rt.restUrl}/v1/keyed/items`, { headers: auth })).status).toBe(429);
    // a wrong credential is refused by authentication (401), before any bucket is touched
    expect((await fetch(`${rt.restUrl}/v1/keyed/items`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('MCP: the third tools/call is a readable isError result; the JSON-RPC call succeeds', async () => {
    const first = await callTool(rt.mcpUrl, 'open-list');
    const second = await callTool(rt.mcpUrl, 'open-list');
    expect([first.body.result?.isError, second.body.result?.isError]).toEqual([false, false]);
    const refused = await callTool(rt.mcpUrl, 'open-list');
    expect(refused.status).toBe(200);
    expect(refused.body.error).toBeUndefined();
    const result = refused.body.result as { isError?: boolean; content?: { type: string; text: string }[] };
    expect(result.isError).toBe(true);
    expect(result.content?.[0]?.text).toMatch(/^Too many requests: Rate limit exceeded for adapter open-mcp: 0\.01 requests per second, bursts of 2 per caller\. Retry after \d+ s\.$/);
  });

  it('counts refusals in /metrics', async () => {
    const text = await rt.runtime.metrics.text();
    expect(text).toContain('runtime_rate_limited_total{surface="rest",adapter="open-rest",operation="get0"} 2');
    expect(text).toContain('runtime_rate_limited_total{surface="rest",adapter="open-rest",operation="get1"} 1');
    expect(text).toContain('runtime_rate_limited_total{surface="rest",adapter="keyed-rest",operation="get0"} 1');
    expect(text).toContain('runtime_rate_limited_total{surface="mcp",adapter="open-mcp",operation="open-list"} 1');
    expect(text).toMatch(/runtime_rate_limit_buckets [1-9]/);
    expect(text).toContain('runtime_requests_total{surface="rest",adapter="open-rest",operation="open-rest.get0",status="429"} 2');
  });
});
