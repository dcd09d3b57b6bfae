/**
 * Issue 12, class 2: a REST operation with a `call` and no inputParameters/`with`
 * takes each consumed parameter from the request by name (path, query, header,
 * body field); an MCP tool without inputParameters offers the consumed parameters
 * its `with` does not feed as arguments. The upstream receives them all.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCapabilities } from '../../../src/capability/loader.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const file = resolve(import.meta.dirname, 'capability.yaml');

describe('dialect: units without declared inputs', () => {
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    upstream = await startEchoUpstream(() => ({ body: { ok: true } }));
    rt = await startTestRuntime({ paths: [file], upstream: { ledger: upstream.url } });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
  });

  it('validates without errors', async () => {
    const loaded = await loadCapabilities([file]);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('REST GET: path, query and header parameters come from the request by name', async () => {
    const response = await fetch(`${rt.restUrl}/v1/accounts/A1/transactions?from=2024-01-01`, { headers: { 'X-Version': '2' } });
    expect(response.status).toBe(200);
    expect(upstream.last().url).toBe('/accounts/A1/transactions?from=2024-01-01');
    expect(upstream.last().headers['x-version']).toBe('2');
  });

  it('REST GET: a required parameter the caller leaves out is a 400 before the upstream', async () => {
    const before = upstream.requests.length;
    const response = await fetch(`${rt.restUrl}/v1/accounts/A1/transactions`, { headers: { 'X-Version': '2' } });
    expect(response.status).toBe(400);
    expect(upstream.requests.length).toBe(before);
  });

  it('REST POST: body fields come from the request body by name', async () => {
    const response = await fetch(`${rt.restUrl}/v1/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi', tag: 't', ignored: 1 }) });
    expect(response.status).toBe(200);
    expect(JSON.parse(upstream.last().body.toString())).toEqual({ text: 'hi', tag: 't' });
  });

  it('MCP: the tool offers the parameters its with does not feed, and passes them on', async () => {
    const client = await connectMcp(rt.mcpUrl);
    const { tools } = await client.listTools();
    const schema = tools.find((t) => t.name === 'list-transactions')!.inputSchema;
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(['X-Version', 'account', 'from']);
    expect([...(schema.required ?? [])].sort()).toEqual(['X-Version', 'account', 'from']);
    const result = await client.callTool({ name: 'list-transactions', arguments: { account: 'B2', from: '2025', 'X-Version': '3' } });
    expect(result.isError).toBe(false);
    expect(upstream.last().url).toBe('/accounts/B2/transactions?from=2025');
    expect(upstream.last().headers['x-version']).toBe('3');
    await client.close();
  });
});
