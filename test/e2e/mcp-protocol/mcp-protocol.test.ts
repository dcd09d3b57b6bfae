/**
 * The MCP surface over HTTP, black box: every protocol era on the one `/mcp`
 * endpoint (SDK clients speaking 2025-11-25 and 2025-06-18, raw 2026-07-28
 * requests), the wire rules (headers, status codes, error codes), tools
 * (schemas, annotations, results, errors, redaction), resources (static
 * files and folders without escape, templates, dynamic) and prompts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { connectMcp, rawMcp } from '../../helpers/mcp-client.js';
import { repoRoot } from '../../helpers/paths.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const fixture = resolve(repoRoot, 'test/e2e/mcp-protocol/fixtures/capability.yaml');
const TOKEN = 'tok-very-secret-123456';
const MODERN = '2026-07-28';
const V = 'io.modelcontextprotocol/protocolVersion';
const CAPS = 'io.modelcontextprotocol/clientCapabilities';

type Json = Record<string, any>;

let upstream: EchoUpstream;
let rt: TestRuntime;
let nextId = 1;

/** A 2026-07-28 request: `_meta` in the body, mirrored headers (overridable). */
async function modern(method: string, params: Json = {}, headers: Record<string, string | undefined> = {}, meta: Json = {}): Promise<{ status: number; body: Json }> {
  const name = method === 'resources/read' ? params.uri : method === 'tools/call' || method === 'prompts/get' ? params.name : undefined;
  const h: Record<string, string> = {};
  const all: Record<string, string | undefined> = { 'mcp-protocol-version': MODERN, 'mcp-method': method, ...(name !== undefined ? { 'mcp-name': String(name) } : {}), ...headers };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) h[k] = v;
  const res = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: nextId++, method, params: { ...params, _meta: { [V]: MODERN, [CAPS]: {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, ...meta } } }, h);
  return { status: res.status, body: (await res.json()) as Json };
}

async function legacy(method: string, params: Json = {}, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: nextId++, method, params }, { 'mcp-protocol-version': '2025-11-25', ...headers });
  return { status: res.status, body: (await res.json()) as Json };
}

/** An SDK client that offers `version` in initialize (the SDK always offers its latest, 2025-11-25). */
class PinnedTransport extends StreamableHTTPClientTransport {
  readonly sentVersions: (string | null)[] = [];
  constructor(url: URL, private readonly pinned: string) {
    super(url, {
      fetch: (input, init) => {
        this.sentVersions.push(new Headers(init?.headers).get('mcp-protocol-version'));
        return fetch(input, init);
      },
    });
  }
  override send(message: JSONRPCMessage, options?: Parameters<StreamableHTTPClientTransport['send']>[1]): Promise<void> {
    if ('method' in message && message.method === 'initialize') message = { ...message, params: { ...message.params, protocolVersion: this.pinned } };
    return super.send(message, options);
  }
}

beforeAll(async () => {
  upstream = await startEchoUpstream(async (req) => {
    if (req.path.startsWith('/accounts/')) {
      const id = decodeURIComponent(req.path.slice('/accounts/'.length));
      if (id === 'acc-bad') return { body: { id, balance: 'lots' } };
      return { body: { id, balance: '12.50', currency: 'SAR' } };
    }
    if (req.path.startsWith('/transfers/')) return { status: 204 };
    if (req.path === '/failing') return { status: 500, headers: { 'content-type': 'text/plain' }, body: `upstream exploded ${'x'.repeat(10_000)}` };
    if (req.path === '/slow') {
      await new Promise((r) => setTimeout(r, 1500));
      return { body: { late: true } };
    }
    if (req.path === '/echo-auth') return { body: { received: req.headers.authorization } };
    return { status: 404 };
  });
  rt = await startTestRuntime({ paths: [fixture], upstream: { api: upstream.url }, env: { API_TOKEN: TOKEN }, upstreamTimeoutMs: 400 });
});

afterAll(async () => {
  await rt?.close();
  await upstream?.close();
});

describe('2025-11-25 and 2025-06-18 clients (SDK)', () => {
  it('initializes with 2025-11-25 and lists tools with schemas, titles and annotations', async () => {
    const client = await connectMcp(rt.mcpUrl);
    try {
      expect(client.getServerVersion()?.name).toBe('proto');
      expect(client.getInstructions()).toBe('MCP protocol test server.');
      // Stateless HTTP cannot push list_changed, so it is not promised.
      expect(client.getServerCapabilities()).toEqual({ tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} });
      const { tools } = await client.listTools();
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      expect(Object.keys(byName)).toEqual(['get-account', 'get-account-typed', 'cancel-transfer', 'failing', 'slow', 'leaky', 'greet']);
      expect(byName['get-account']!.title).toBe('Get account');
      expect(byName['get-account']!.inputSchema).toEqual({
        type: 'object',
        properties: { account_id: { type: 'string', description: 'Sent upstream as the path parameter `account_id`.' } },
        required: ['account_id'],
        additionalProperties: false,
      });
      expect(byName['get-account']!.annotations).toMatchObject({ title: 'Get account', readOnlyHint: true });
      expect(byName['get-account-typed']!.inputSchema.properties).toEqual({ account_id: { type: 'string', description: 'The account id.', pattern: '^[a-z0-9-]+$' } });
      expect(byName['get-account-typed']!.outputSchema).toEqual({
        type: 'object',
        properties: { id: { type: ['string', 'null'] }, balance: { type: ['number', 'null'] } },
      });
      expect(byName['cancel-transfer']!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
      expect(byName.greet!.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
      expect(byName.greet!.outputSchema).toEqual({ type: 'object', properties: { greeting: { type: ['string', 'null'] } } });
    } finally {
      await client.close();
    }
  });

  it('negotiates 2025-06-18 when the client asks for it, and accepts that version header afterwards', async () => {
    const transport = new PinnedTransport(new URL(rt.mcpUrl), '2025-06-18');
    const client = new Client({ name: 'old-client', version: '1.0.0' }, { capabilities: {} });
    await client.connect(transport);
    try {
      expect(transport.protocolVersion).toBe('2025-06-18');
      const result = await client.callTool({ name: 'greet', arguments: { name: 'Ada' } });
      expect(result.structuredContent).toEqual({ greeting: 'Hello, Ada!' });
      expect(transport.sentVersions.filter((v) => v !== null)).toContain('2025-06-18');
      expect(transport.sentVersions).not.toContain(MODERN);
    } finally {
      await client.close();
    }
  });

  it('answers an unknown initialize version with its latest legacy version', async () => {
    const { body } = await legacy('initialize', { protocolVersion: '2099-01-01', capabilities: {}, clientInfo: { name: 'x', version: '1' } }, { 'mcp-protocol-version': '2025-11-25' });
    expect(body.result.protocolVersion).toBe('2025-11-25');
  });

  it('calls tools: structured content that matches the output schema, text for the model', async () => {
    const client = await connectMcp(rt.mcpUrl);
    try {
      await client.listTools(); // lets the SDK validate structured content against the output schemas
      const typed = await client.callTool({ name: 'get-account-typed', arguments: { account_id: 'acc-1' } });
      expect(typed.isError).toBe(false);
      expect(typed.structuredContent).toEqual({ id: 'acc-1', balance: 12.5 });
      expect(JSON.parse((typed.content as { text: string }[])[0]!.text)).toEqual({ id: 'acc-1', balance: 12.5 });
      expect(upstream.last().headers.authorization).toBe(`Bearer ${TOKEN}`);

      const derived = await client.callTool({ name: 'get-account', arguments: { account_id: 'acc-2' } });
      expect(derived.structuredContent).toEqual({ id: 'acc-2', balance: '12.50', currency: 'SAR' });
      expect(upstream.last().path).toBe('/accounts/acc-2');

      const cancelled = await client.callTool({ name: 'cancel-transfer', arguments: { transfer_id: 't-9' } });
      expect(cancelled.isError).toBe(false);
      expect(upstream.last().method).toBe('DELETE');
    } finally {
      await client.close();
    }
  });

  it('reports a result that breaks the declared output schema as a tool error, with the data', async () => {
    const { body } = await legacy('tools/call', { name: 'get-account-typed', arguments: { account_id: 'acc-bad' } });
    expect(body.result.isError).toBe(true);
    expect(body.result.structuredContent).toBeUndefined();
    expect(body.result.content[0].text).toMatch(/does not match its declared outputs \(balance must be number,null\)/);
    expect(body.result.content[0].text).toContain('"lots"');
  });

  it('turns invalid arguments, upstream failures and timeouts into readable tool errors without structured content', async () => {
    const client = await connectMcp(rt.mcpUrl);
    try {
      const missing = await client.callTool({ name: 'get-account', arguments: {} });
      expect(missing.isError).toBe(true);
      expect((missing.content as { text: string }[])[0]!.text).toBe('Invalid arguments for tool get-account: missing required argument `account_id`.');
      const extra = await client.callTool({ name: 'get-account-typed', arguments: { account_id: 'BAD ID', nope: 1 } });
      expect((extra.content as { text: string }[])[0]!.text).toMatch(/unknown argument `nope`/);
      expect((extra.content as { text: string }[])[0]!.text).toMatch(/`account_id` must match pattern/);

      const failing = await client.callTool({ name: 'failing', arguments: {} });
      expect(failing.isError).toBe(true);
      expect(failing.structuredContent).toBeUndefined();
      const text = (failing.content as { text: string }[])[0]!.text;
      expect(text).toMatch(/The upstream call api\.get-failing failed with HTTP 500.*upstream exploded x+/);
      expect(text.length).toBeLessThan(4300);

      const slow = await client.callTool({ name: 'slow', arguments: {} });
      expect(slow.isError).toBe(true);
      expect((slow.content as { text: string }[])[0]!.text).toMatch(/^Gateway timeout: /);
    } finally {
      await client.close();
    }
  });

  it('never returns a secret an upstream echoes back', async () => {
    const { body } = await legacy('tools/call', { name: 'leaky', arguments: {} });
    expect(JSON.stringify(body)).not.toContain(TOKEN);
    expect(body.result.structuredContent.received).toBe('Bearer [REDACTED]');
    expect(rt.logs.join('\n')).not.toContain(TOKEN);
  });

  it('keeps protocol errors as JSON-RPC errors: unknown tool, malformed arguments', async () => {
    const unknown = await legacy('tools/call', { name: 'nope', arguments: {} });
    expect(unknown.status).toBe(200);
    expect(unknown.body.error).toEqual({ code: -32602, message: 'Unknown tool: nope' });
    const malformed = await legacy('tools/call', { name: 'greet', arguments: [1] });
    expect(malformed.body.error.code).toBe(-32602);
    const method = await legacy('nope/nope');
    expect(method.body.error.code).toBe(-32601);
  });

  it('serves ping, logging/setLevel and completion/complete', async () => {
    expect((await legacy('ping')).body.result).toEqual({});
    expect((await legacy('logging/setLevel', { level: 'info' })).body.result).toEqual({});
    expect((await legacy('logging/setLevel', { level: 'loud' })).body.error.code).toBe(-32602);
    const completion = await legacy('completion/complete', { ref: { type: 'ref/prompt', name: 'summarize-account' }, argument: { name: 'audience', value: 'a' } });
    expect(completion.body.result).toEqual({ completion: { values: [], total: 0, hasMore: false } });
  });
});

describe('2026-07-28 requests (raw)', () => {
  it('answers server/discover with versions, capabilities, cache hints and its identity', async () => {
    const { status, body } = await modern('server/discover');
    expect(status).toBe(200);
    expect(body.result).toEqual({
      supportedVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
      capabilities: { tools: {}, resources: {}, prompts: {}, completions: {} },
      instructions: 'MCP protocol test server.',
      ttlMs: 60_000,
      cacheScope: 'public',
      resultType: 'complete',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'proto', version: expect.any(String) } },
    });
  });

  it('lists and calls tools with resultType, ttlMs/cacheScope on lists and serverInfo in _meta', async () => {
    const list = await modern('tools/list');
    expect(list.body.result).toMatchObject({ resultType: 'complete', ttlMs: 60_000, cacheScope: 'public', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'proto' } } });
    expect(list.body.result.tools).toHaveLength(7);
    const call = await modern('tools/call', { name: 'greet', arguments: { name: 'Grace' } });
    expect(call.body.result).toMatchObject({ resultType: 'complete', isError: false, structuredContent: { greeting: 'Hello, Grace!' } });
    expect(call.body.result.ttlMs).toBeUndefined();
    const prompts = await modern('prompts/list');
    expect(prompts.body.result).toMatchObject({ resultType: 'complete', ttlMs: 60_000, cacheScope: 'public' });
  });

  it('requires MCP-Protocol-Version = _meta version, Mcp-Method and Mcp-Name (400, -32020)', async () => {
    const cases: [Record<string, string | undefined>, RegExp][] = [
      [{ 'mcp-protocol-version': undefined }, /MCP-Protocol-Version header is missing/],
      [{ 'mcp-protocol-version': '2025-11-25' }, /MCP-Protocol-Version header value '2025-11-25' does not match body value '2026-07-28'/],
      [{ 'mcp-method': undefined }, /Mcp-Method header is missing/],
      [{ 'mcp-method': 'tools/list' }, /Mcp-Method header value 'tools\/list' does not match body value 'tools\/call'/],
      [{ 'mcp-name': undefined }, /Mcp-Name header is missing/],
      [{ 'mcp-name': 'get-account' }, /Mcp-Name header value 'get-account' does not match body value 'greet'/],
      [{ 'mcp-name': '=?base64?!!!?=' }, /Mcp-Name header is not valid/],
    ];
    for (const [headers, message] of cases) {
      const { status, body } = await modern('tools/call', { name: 'greet', arguments: { name: 'x' } }, headers);
      expect(status).toBe(400);
      expect(body.error.code).toBe(-32020);
      expect(body.error.message).toMatch(message);
      expect(body.id).toEqual(expect.any(Number));
    }
  });

  it('decodes a base64 Mcp-Name (non-ASCII names and URIs)', async () => {
    const uri = 'docs://by-path/guides/setup.txt';
    const { status, body } = await modern('resources/read', { uri }, { 'mcp-name': `=?base64?${Buffer.from(uri).toString('base64')}?=` });
    expect(status).toBe(200);
    expect(body.result.contents[0].text).toBe('Step one, step two.\n');
  });

  it('rejects unsupported versions with -32022 and the supported list (400)', async () => {
    const res = await rawMcp(
      rt.mcpUrl,
      { jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: { [V]: '2099-01-01', [CAPS]: {} } } },
      { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/list' },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32022, message: 'Unsupported protocol version', data: { supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'], requested: '2099-01-01' } },
    });
    // A legacy request with a header version nobody speaks: the same error.
    const legacyUnknown = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 8, method: 'tools/list' }, { 'mcp-protocol-version': '1999-01-01' });
    expect(legacyUnknown.status).toBe(400);
    expect(((await legacyUnknown.json()) as Json).error.code).toBe(-32022);
  });

  it('rejects a modern request without clientCapabilities, and a modern header without _meta (400, -32602)', async () => {
    const res = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 9, method: 'tools/list', params: { _meta: { [V]: MODERN } } }, { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error).toMatchObject({ code: -32602, message: expect.stringContaining('clientCapabilities') });
    const noMeta = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 10, method: 'tools/list' }, { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' });
    expect(noMeta.status).toBe(400);
    expect(((await noMeta.json()) as Json).error.code).toBe(-32602);
    const discoverLegacy = await legacy('server/discover');
    expect(discoverLegacy.status).toBe(400);
  });

  it('answers methods removed in 2026-07-28 with 404 + -32601', async () => {
    for (const method of ['ping', 'initialize', 'logging/setLevel', 'resources/subscribe', 'subscriptions/listen']) {
      const { status, body } = await modern(method);
      expect(status).toBe(404);
      expect(body.error.code).toBe(-32601);
    }
  });

  it('reports an unknown resource as -32602 in 2026-07-28 and -32002 in 2025', async () => {
    const now = await modern('resources/read', { uri: 'docs://nope' });
    expect(now.body.error).toEqual({ code: -32602, message: 'Resource not found: docs://nope', data: { uri: 'docs://nope' } });
    const before = await legacy('resources/read', { uri: 'docs://nope' });
    expect(before.body.error.code).toBe(-32002);
  });
});

describe('HTTP transport rules', () => {
  it('answers GET and DELETE with 405, notifications and responses with 202', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(rt.mcpUrl, { method, headers: { accept: 'text/event-stream' } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
    expect((await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
    expect((await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 5, result: {} })).status).toBe(202);
  });

  it('rejects bad bodies: parse error, batches, wrong content type, non-JSON accept, oversized', async () => {
    const parse = await rawMcp(rt.mcpUrl, '{"jsonrpc":');
    expect(parse.status).toBe(400);
    expect(((await parse.json()) as Json).error.code).toBe(-32700);
    const batch = await rawMcp(rt.mcpUrl, [{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    expect(batch.status).toBe(400);
    const wrongType = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    const accept = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping' }, { accept: 'text/event-stream' });
    expect(accept.status).toBe(406);
    const big = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1024 * 1024 + 10) } });
    expect(big.status).toBe(413);
    const invalid = await rawMcp(rt.mcpUrl, { jsonrpc: '1.0', id: 1, method: 'ping' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as Json).error.code).toBe(-32600);
  });

  it('refuses foreign Origin and Host headers with 403 (DNS rebinding), accepts loopback ones', async () => {
    const evilOrigin = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: 'http://evil.example.com' });
    expect(evilOrigin.status).toBe(403);
    const port = new URL(rt.mcpUrl).port;
    const good = await rawMcp(rt.mcpUrl, { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: `http://localhost:${port}` });
    expect(good.status).toBe(200);
  });
});

describe('resources', () => {
  it('lists single files, one entry per folder file (no hidden files, no symlinks out) and templates', async () => {
    const { body } = await legacy('resources/list');
    expect(body.result.resources).toEqual([
      { uri: 'docs://readme', name: 'readme', title: 'Readme', description: 'A single static file.', mimeType: 'text/markdown', size: 31 },
      { uri: 'docs://files/guides/setup.txt', name: 'guides/setup.txt', title: 'Documentation', description: 'A folder of documents, one resource per file.', mimeType: 'text/plain', size: 20 },
      { uri: 'docs://files/readme.md', name: 'readme.md', title: 'Documentation', description: 'A folder of documents, one resource per file.', mimeType: 'text/markdown', size: 31 },
    ]);
    const templates = await legacy('resources/templates/list');
    expect(templates.body.result.resourceTemplates.map((t: Json) => t.uriTemplate)).toEqual(['docs://by-path/{+path}', 'accounts://{account_id}']);
  });

  it('reads static files, folder files and template matches', async () => {
    const readme = await legacy('resources/read', { uri: 'docs://readme' });
    expect(readme.body.result.contents).toEqual([{ uri: 'docs://readme', mimeType: 'text/markdown', text: '# Readme\nThe service overview.\n' }]);
    const inFolder = await legacy('resources/read', { uri: 'docs://files/guides/setup.txt' });
    expect(inFolder.body.result.contents[0].text).toBe('Step one, step two.\n');
    const byTemplate = await legacy('resources/read', { uri: 'docs://by-path/readme.md' });
    expect(byTemplate.body.result.contents[0]).toMatchObject({ mimeType: 'text/markdown', text: '# Readme\nThe service overview.\n' });
  });

  it('never reads outside the folder: traversal, encoded traversal, hidden files, symlinks, the folder itself', async () => {
    for (const uri of [
      'docs://files/../outside.txt',
      'docs://files/guides/../../outside.txt',
      'docs://by-path/..%2Foutside.txt',
      'docs://by-path/%2e%2e/outside.txt',
      'docs://files/.private/env',
      'docs://files/.hidden.txt',
      'docs://files/escape.txt',
      'docs://files',
      'docs://by-path/guides',
    ]) {
      const { body } = await legacy('resources/read', { uri });
      expect(body.error?.code, uri).toBe(-32002);
    }
  });

  it('reads a templated dynamic resource from the upstream', async () => {
    const { body } = await modern('resources/read', { uri: 'accounts://acc-7' });
    expect(body.result).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: 'private' });
    expect(body.result.contents[0]).toMatchObject({ uri: 'accounts://acc-7', mimeType: 'application/json' });
    expect(JSON.parse(body.result.contents[0].text)).toMatchObject({ id: 'acc-7' });
    expect(upstream.last().path).toBe('/accounts/acc-7');
  });
});

describe('prompts', () => {
  it('lists prompts with their arguments', async () => {
    const { body } = await legacy('prompts/list');
    expect(body.result.prompts).toEqual([
      {
        name: 'summarize-account',
        title: 'Summarize account',
        description: 'Asks for an account summary.',
        arguments: [
          { name: 'account_id', description: 'The account to summarize.', required: true },
          { name: 'audience', description: 'Who reads the summary.', required: false },
        ],
      },
    ]);
  });

  it('fills arguments literally (a value is never read as a template) and leaves optional ones empty', async () => {
    const client = await connectMcp(rt.mcpUrl);
    try {
      const result = await client.getPrompt({ name: 'summarize-account', arguments: { account_id: '{{audience}}', audience: 'the board' } });
      expect(result.messages).toEqual([
        { role: 'user', content: { type: 'text', text: 'Summarize the account {{audience}} for the board.' } },
        { role: 'assistant', content: { type: 'text', text: 'I will summarize account {{audience}}.' } },
      ]);
      const optional = await client.getPrompt({ name: 'summarize-account', arguments: { account_id: 'acc-1' } });
      expect((optional.messages[0]!.content as { text: string }).text).toBe('Summarize the account acc-1 for .');
    } finally {
      await client.close();
    }
  });

  it('rejects unknown prompts and missing required arguments with -32602', async () => {
    expect((await legacy('prompts/get', { name: 'nope' })).body.error.code).toBe(-32602);
    const missing = await legacy('prompts/get', { name: 'summarize-account', arguments: {} });
    expect(missing.body.error).toEqual({ code: -32602, message: 'Missing required argument `account_id` for prompt summarize-account.' });
  });
});

describe('pagination', () => {
  let dir: string;
  let many: TestRuntime;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-pages-'));
    const tools = Array.from({ length: 51 }, (_, i) => {
      const n = String(i + 1).padStart(2, '0');
      return `    - name: tool-${n}\n      description: Tool ${n}.\n      outputParameters:\n      - name: n\n        type: string\n        value: '${n}'\n`;
    }).join('');
    await writeFile(
      join(dir, 'many.yaml'),
      `naftiko: 1.0.0-alpha2\ninfo:\n  label: Many tools\n  description: Fifty-one tools.\ncapability:\n  exposes:\n  - type: mcp\n    namespace: many\n    port: 9998\n    description: Many tools.\n    tools:\n${tools}`,
    );
    many = await startTestRuntime({ paths: [dir] });
  });

  afterAll(async () => {
    await many?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('pages 51 tools as 50 + 1 with an opaque cursor, and refuses a bad cursor', async () => {
    const client = await connectMcp(many.mcpUrl);
    try {
      const first = await client.listTools();
      expect(first.tools).toHaveLength(50);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await client.listTools({ cursor: first.nextCursor });
      expect(second.tools.map((t) => t.name)).toEqual(['tool-51']);
      expect(second.nextCursor).toBeUndefined();
      await expect(client.listTools({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: -32602 });
      const result = await client.callTool({ name: 'tool-51', arguments: {} });
      expect(result.structuredContent).toEqual({ n: '51' });
    } finally {
      await client.close();
    }
  });
});
