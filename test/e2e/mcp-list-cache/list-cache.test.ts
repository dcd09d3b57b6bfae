/**
 * Issue 17 item 2: `tools/list` is served from a serialisation cached per
 * registry generation. The cached page must answer exactly as a fresh one
 * would (the caller's id, both eras, paging), and a reload must never serve
 * the previous generation's list.
 */
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCapability } from '../../helpers/paths.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const MODERN_META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };

describe('MCP tools/list: cached serialisation per generation', () => {
  let dir: string;
  let file: string;
  let rt: TestRuntime;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'list-cache-'));
    file = join(dir, 'tokens.yaml');
    writeFileSync(file, readFileSync(seedCapability, 'utf8'));
    rt = await startTestRuntime({ paths: [dir], env: { LEAN_CLIENT_ID: 'x', LEAN_CLIENT_SECRET: 'y' } });
  });
  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const raw = async (message: unknown, extra: Record<string, string> = {}) => {
    const res = await fetch(rt.mcpUrl, { method: 'POST', headers: { ...HEADERS, ...extra }, body: JSON.stringify(message) });
    return { status: res.status, text: await res.text() };
  };

  it('answers the same bytes for the same request, with each caller id spliced in', async () => {
    const first = await raw({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const again = await raw({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(first.status).toBe(200);
    expect(again.text).toBe(first.text);
    const parsed = JSON.parse(first.text) as { id: unknown; result: { tools: { name: string }[] } };
    expect(parsed.id).toBe(1);
    expect(parsed.result.tools.length).toBeGreaterThan(0);
    const named = JSON.parse((await raw({ jsonrpc: '2.0', id: 'req-"7"', method: 'tools/list' })).text) as { id: unknown; result: unknown };
    expect(named.id).toBe('req-"7"');
    expect(named.result).toEqual(parsed.result);
  });

  it('keeps the 2026-07-28 shape (resultType, server _meta, cache hints) and refuses a bad cursor', async () => {
    const headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' };
    for (let i = 0; i < 2; i++) {
      const modern = JSON.parse((await raw({ jsonrpc: '2.0', id: i, method: 'tools/list', params: { _meta: MODERN_META } }, headers)).text) as { id: number; result: Record<string, unknown> };
      expect(modern.id).toBe(i);
      expect(modern.result).toMatchObject({ resultType: 'complete', cacheScope: 'public', _meta: { 'io.modelcontextprotocol/serverInfo': expect.any(Object) } });
    }
    const bad = JSON.parse((await raw({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: { cursor: 'not-a-cursor' } })).text) as { error: { code: number } };
    expect(bad.error.code).toBe(-32602);
  });

  it('serves the new list right after a reload, never the cached one of the previous generation', async () => {
    const before = JSON.parse((await raw({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).text) as { result: { tools: { description: string }[] } };
    expect(before.result.tools[0]!.description).not.toContain('(reloaded)');
    writeFileSync(file, readFileSync(seedCapability, 'utf8').replaceAll('description: Lean Generate Access Token', 'description: Lean Generate Access Token (reloaded)'));
    const reload = await rt.runtime.reload();
    expect(reload.result).toBe('applied');
    const after = JSON.parse((await raw({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).text) as { result: { tools: { description: string }[] } };
    expect(after.result.tools.some((t) => t.description.includes('(reloaded)'))).toBe(true);
  });
});
