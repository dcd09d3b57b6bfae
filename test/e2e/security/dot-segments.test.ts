/**
 * Issue 11 item 2: `.` and `..` as a whole path-parameter value (raw or
 * percent-encoded, any case) would move the upstream path once the URL is
 * normalised (`/items/{id}` with `..` → `/`). They are refused — 400 problem on
 * REST, `isError` on MCP, naming the parameter — before any upstream request,
 * on plain calls, steps and aggregate functions alike.
 */
import { request } from 'node:http';
import { resolve } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoUpstream } from '../../helpers/echo-upstream.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { BASIC_PASSWORD, VAULT_KEY, startHostileUpstream } from './hostile-upstream.js';

const capability = resolve(import.meta.dirname, 'capability.yaml');

/** A raw GET: fetch() would normalise `..` and `%2e%2e` away before sending. */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((done, fail) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

const DOTS = ['.', '..', '%2e', '%2E%2e', '.%2E', '%2e.', '%252e%252E'];

describe('dot segments in path parameters', () => {
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  let mcp: Client;
  beforeAll(async () => {
    upstream = await startHostileUpstream();
    rt = await startTestRuntime({ paths: [capability], upstream: { vault: upstream.url, people: upstream.url }, env: { VAULT_KEY, BASIC_PASSWORD } });
    mcp = await connectMcp(rt.mcpUrl);
  });
  afterAll(async () => {
    await mcp?.close();
    await rt?.close();
    await upstream?.close();
  });

  for (const tool of ['get-item', 'item-steps', 'item-aggregate']) {
    it(`MCP ${tool}: refuses ${DOTS.join(' ')} naming item_id, with no upstream request`, async () => {
      const before = upstream.requests.length;
      for (const value of DOTS) {
        const result = await mcp.callTool({ name: tool, arguments: { item_id: value } });
        const text = (result.content as { text: string }[])[0]!.text;
        expect(result.isError, `${tool} ${value}: ${text}`).toBe(true);
        expect(text).toContain('item_id');
        expect(text).toMatch(/`\.` or `\.\.`/);
      }
      expect(upstream.requests.length).toBe(before);
    });
  }

  for (const route of ['/v1/items', '/v1/steps', '/v1/aggregate']) {
    it(`REST ${route}/…: dot segments never reach the upstream; those that survive URL parsing get a 400 naming the parameter`, async () => {
      const before = upstream.requests.length;
      // The server's URL parser already resolves `..`, `%2e%2e`… in the request line (no route matches then).
      for (const value of ['..', '%2e%2e', '%2E', '.%2e', '%2E.']) {
        const res = await rawGet(rt.restUrl, `${route}/${value}`);
        expect(res.status, `${route}/${value}: ${res.body}`).toBe(404);
      }
      // A double-encoded value decodes to `%2e%2e` in the parameter: refused by the runtime itself.
      const res = await rawGet(rt.restUrl, `${route}/%252e%252E`);
      expect(res.status, res.body).toBe(400);
      const problem = JSON.parse(res.body) as { detail: string; parameter: string };
      expect(problem.parameter).toBe('item_id');
      expect(problem.detail).toContain('item_id');
      expect(upstream.requests.length).toBe(before);
    });
  }

  it('REST: a path parameter fed from a query value refuses every dot form', async () => {
    const before = upstream.requests.length;
    for (const value of DOTS) {
      const res = await fetch(`${rt.restUrl}/v1/lookup?id=${encodeURIComponent(value)}`);
      const problem = (await res.json()) as { detail: string; parameter: string };
      expect(res.status, `${value}: ${problem.detail}`).toBe(400);
      expect(problem.parameter).toBe('item_id');
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('still serves values that merely contain dots', async () => {
    for (const value of ['...', 'a..b', '.hidden', 'v1.2', '%2e%2e%2e']) {
      const result = await mcp.callTool({ name: 'get-item', arguments: { item_id: value } });
      expect(result.isError, value).toBe(false);
      expect(upstream.last().path).toBe(`/api/items/${encodeURIComponent(value)}`);
    }
  });
});
