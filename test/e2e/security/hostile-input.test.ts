/**
 * Issue 11 (Low): hostile request shapes get a clear 4xx, never a 500 without a
 * cause: 30,000-level nested JSON bodies (REST and MCP), and JSON-RPC ids that
 * cannot be answered faithfully (a 5000-digit number parses to Infinity and
 * would be answered with `id: null`; huge strings would be echoed back).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoUpstream } from '../../helpers/echo-upstream.js';
import { rawMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { BASIC_PASSWORD, VAULT_KEY, startHostileUpstream } from './hostile-upstream.js';

const capability = resolve(import.meta.dirname, 'capability.yaml');
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('hostile request shapes', () => {
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    upstream = await startHostileUpstream();
    rt = await startTestRuntime({ paths: [capability], upstream: { vault: upstream.url, people: upstream.url }, env: { VAULT_KEY, BASIC_PASSWORD } });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
  });

  it('REST: a 30,000-level nested JSON body is a 400 naming the limit, and never reaches the upstream', async () => {
    const before = upstream.requests.length;
    for (const body of [nested(30_000), nestedObject(30_000), `{"x": ${nested(200)}}`]) {
      const res = await fetch(`${rt.restUrl}/v1/items/i1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
      const problem = (await res.json()) as { detail: string };
      expect(res.status, problem.detail).toBe(400);
      expect(problem.detail).toMatch(/nests deeper than \d+ levels/);
    }
    expect(upstream.requests.length).toBe(before);
    // A reasonable depth still goes through.
    const ok = await fetch(`${rt.restUrl}/v1/items/i1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: `{"x": ${nested(20)}}` });
    expect(ok.status).toBe(200);
  });

  it('MCP: a 30,000-level nested message or argument is refused with a JSON-RPC error, not a 500', async () => {
    const deepArguments = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"put-item","arguments":{"item_id":"i1","body":${nestedObject(30_000)}}}}`;
    for (const message of [deepArguments, `{"jsonrpc":"2.0","id":8,"method":"tools/list","params":{"x":${nested(30_000)}}}`]) {
      const res = await rawMcp(rt.mcpUrl, message);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { id: unknown; error: { code: number; message: string } };
      expect(body.error.code).toBe(-32600);
      expect(body.error.message).toMatch(/nests deeper than \d+ levels/);
    }
  });

  it('MCP: ids that cannot be answered faithfully are refused (never answered with id: null as if valid)', async () => {
    for (const id of ['9'.repeat(5000), '1e400', '-1e400', '9007199254740993000', JSON.stringify('x'.repeat(5000))]) {
      const res = await rawMcp(rt.mcpUrl, `{"jsonrpc":"2.0","id":${id},"method":"tools/list"}`);
      const body = (await res.json()) as { id: unknown; result?: unknown; error?: { code: number; message: string } };
      expect(res.status, id.slice(0, 20)).toBe(400);
      expect(body.result).toBeUndefined();
      expect(body.error?.code).toBe(-32600);
      expect(body.error?.message).toContain('`id`');
      expect(body.id).toBeNull();
    }
    // Ordinary ids are answered with the same id.
    for (const id of [1, 0, -5, 2 ** 53 - 1, 'abc-123']) {
      const res = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id, method: 'tools/list' });
      expect(((await res.json()) as { id: unknown }).id).toEqual(id);
    }
  });

  it('logs a cause for every 4xx/5xx it answers here (no silent 500)', () => {
    expect(rt.logs.some((l) => l.includes('"status":500'))).toBe(false);
  });
});
