/**
 * MCP over stdio (src/exposes/mcp/stdio.ts): an SDK client over a pair of
 * in-memory pipes, and raw lines for the wire rules (one JSON-RPC message per
 * line and nothing else on the output, cancellation, malformed input,
 * list_changed after a reload, both protocol eras).
 */
import { PassThrough, Writable } from 'node:stream';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CapabilityEngine } from '../../../src/engine/capability-engine.js';
import { Redactor } from '../../../src/engine/redact.js';
import { UpstreamClient } from '../../../src/engine/upstream/client.js';
import { UpstreamRoutes } from '../../../src/engine/upstream/routes.js';
import { McpProtocol } from '../../../src/exposes/mcp/protocol.js';
import { McpRegistry } from '../../../src/exposes/mcp/registry.js';
import { serveStdio, type StdioServer } from '../../../src/exposes/mcp/stdio.js';
import { createLogger } from '../../../src/server/logger.js';
import { loadCapabilities } from '../../../src/capability/loader.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { repoRoot } from '../../helpers/paths.js';

const fixture = resolve(repoRoot, 'test/e2e/mcp-protocol/fixtures/capability.yaml');
type Json = Record<string, any>;

let upstream: EchoUpstream;
let client: UpstreamClient;
const logs: string[] = [];
const redactor = new Redactor();
const logger = createLogger({ level: 'debug', redactor, destination: new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }) });

/** What `runtime serve --stdio` builds for the MCP adapters of the given files. */
async function buildRegistry(keep: (name: string) => boolean = () => true): Promise<McpRegistry> {
  const { capabilities } = await loadCapabilities([fixture]);
  const services = { client, routes: new UpstreamRoutes([['api', upstream.url]]), environment: { env: { API_TOKEN: 'stdio-token-1234' }, providers: new Map(), redactor } };
  const registry = new McpRegistry({ name: 'proto', version: '0.0.0-test' });
  for (const capability of capabilities) {
    const runtime = new CapabilityEngine(capability, services);
    for (const adapter of capability.exposes) {
      if (adapter.type !== 'mcp') continue;
      registry.addInstructions(adapter.description);
      for (const tool of adapter.tools) if (keep(tool.name)) registry.addTool(tool, runtime.compile(tool, adapter.namespace), adapter.namespace, capability.file);
      for (const resource of adapter.resources) registry.addResource(resource, resource.invocable ? runtime.compile(resource.invocable, adapter.namespace) : undefined, adapter.namespace);
      for (const prompt of adapter.prompts) registry.addPrompt(prompt, adapter.namespace);
    }
  }
  return registry;
}

/** A client transport over two streams (what StdioClientTransport does over a child's stdin/stdout). */
class StreamTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly buffer = new ReadBuffer();
  constructor(
    private readonly toServer: PassThrough,
    private readonly fromServer: PassThrough,
  ) {}
  async start(): Promise<void> {
    this.fromServer.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (let m = this.buffer.readMessage(); m; m = this.buffer.readMessage()) this.onmessage?.(m);
    });
  }
  async send(message: JSONRPCMessage): Promise<void> {
    this.toServer.write(serializeMessage(message));
  }
  async close(): Promise<void> {
    this.toServer.end();
    this.onclose?.();
  }
}

interface Session {
  input: PassThrough;
  output: PassThrough;
  server: StdioServer;
  protocol: McpProtocol;
  /** Every line the server wrote. */
  lines: string[];
  /** Sends one raw line, resolves with the next message carrying that id. */
  request(message: Json | string, id?: number | string): Promise<Json>;
}

const sessions: Session[] = [];

async function open(maxMessageBytes?: number): Promise<Session> {
  const input = new PassThrough();
  const output = new PassThrough();
  const protocol = new McpProtocol(await buildRegistry(), { redactor, logger, pageSize: 50, maxErrorText: 4096 });
  const server = serveStdio(protocol, input, output, logger, { maxMessageBytes });
  const lines: string[] = [];
  const waiters: { id: unknown; resolve: (m: Json) => void }[] = [];
  let partial = '';
  output.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    let newline = partial.indexOf('\n');
    while (newline >= 0) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      lines.push(line);
      const message = JSON.parse(line) as Json;
      const waiter = waiters.find((w) => w.id === message.id);
      if (waiter) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
      newline = partial.indexOf('\n');
    }
  });
  const session: Session = {
    input,
    output,
    server,
    protocol,
    lines,
    request(message, id) {
      const wanted = id ?? (typeof message === 'string' ? null : message.id);
      return new Promise((resolve) => {
        waiters.push({ id: wanted, resolve });
        input.write(typeof message === 'string' ? `${message}\n` : `${JSON.stringify(message)}\n`);
      });
    },
  };
  sessions.push(session);
  return session;
}

/**
 * The upstream's `/slow` answers only when a test releases it, and tells the test when a call has
 * arrived: the tests wait for these events, never for time.
 */
let slow = slowGate();
function slowGate() {
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((r) => (arrive = r));
  const released = new Promise<void>((r) => (release = r));
  return { arrived, arrive, released, release };
}

beforeAll(async () => {
  client = new UpstreamClient({ timeoutMs: 2000 });
  upstream = await startEchoUpstream(async (req) => {
    if (req.path === '/slow') {
      const gate = slow;
      gate.arrive();
      await gate.released;
      return { body: { late: true } };
    }
    return { body: { id: req.path.split('/').pop(), balance: '1' } };
  });
});

afterEach(async () => {
  slow.release();
  slow = slowGate();
  for (const s of sessions.splice(0)) {
    s.input.end();
    await s.server.close();
  }
});

afterAll(async () => {
  await upstream?.close();
  await client?.close();
});

describe('stdio transport', () => {
  it('serves an SDK client: initialize (with listChanged), tools, resources, prompts', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const protocol = new McpProtocol(await buildRegistry(), { redactor, logger, pageSize: 50, maxErrorText: 4096 });
    const server = serveStdio(() => protocol, input, output, logger);
    const sdk = new Client({ name: 'stdio-test', version: '1.0.0' }, { capabilities: {} });
    await sdk.connect(new StreamTransport(input, output));
    try {
      expect(sdk.getServerCapabilities()).toEqual({ tools: { listChanged: true }, resources: { listChanged: true }, prompts: { listChanged: true }, logging: {}, completions: {} });
      const { tools } = await sdk.listTools();
      expect(tools).toHaveLength(7);
      expect((await sdk.callTool({ name: 'greet', arguments: { name: 'Lin' } })).structuredContent).toEqual({ greeting: 'Hello, Lin!' });
      const account = await sdk.callTool({ name: 'get-account', arguments: { account_id: 'acc-3' } });
      expect(account.structuredContent).toMatchObject({ id: 'acc-3' });
      expect(upstream.last().headers.authorization).toBe('Bearer stdio-token-1234');
      const readme = await sdk.readResource({ uri: 'docs://readme' });
      expect(readme.contents[0]).toMatchObject({ text: '# Readme\nThe service overview.\n' });
      const prompt = await sdk.getPrompt({ name: 'summarize-account', arguments: { account_id: 'a1', audience: 'ops' } });
      expect(prompt.messages).toHaveLength(2);
      await sdk.ping();

      // A reload that changes the tools: the client is told.
      const changed = new Promise<void>((done) => sdk.setNotificationHandler(ToolListChangedNotificationSchema, () => done()));
      protocol.setRegistry(await buildRegistry((name) => name !== 'slow'));
      await changed;
      expect((await sdk.listTools()).tools).toHaveLength(6);
    } finally {
      await sdk.close();
      await server.closed;
    }
  });

  it('writes nothing but one JSON-RPC message per line, and answers malformed input', async () => {
    const s = await open();
    expect(await s.request('{"jsonrpc": "2.0", "id": 1, "method": "ping"', null as never)).toMatchObject({ id: null, error: { code: -32700 } });
    expect(await s.request('[{"jsonrpc":"2.0","id":2,"method":"ping"}]', null as never)).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await s.request({ jsonrpc: '2.0', id: 3, method: 'ping' })).toEqual({ jsonrpc: '2.0', id: 3, result: {} });
    // A message split across writes, and CRLF line ends.
    const answer = s.request('', 4);
    s.input.write('{"jsonrpc":"2.0",');
    s.input.write('"id":4,"method":"tools/call","params":{"name":"greet","arguments":{"name":"line\\nbreak"}}}\r\n');
    expect((await answer).result.structuredContent).toEqual({ greeting: 'Hello, line\nbreak!' });
    s.input.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n\n   \n');
    expect(await s.request({ jsonrpc: '2.0', id: 5, method: 'ping' })).toMatchObject({ id: 5 });
    for (const line of s.lines) {
      expect(line).not.toContain('\n');
      expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    }
    expect(s.lines).toHaveLength(5);
  });

  it('skips a line over the size limit with an error and keeps serving', async () => {
    const s = await open(1024);
    const error = s.request(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(5000)}"}}`, null as never);
    expect(await error).toMatchObject({ id: null, error: { code: -32600, message: 'Message larger than 1024 bytes: skipped.' } });
    expect(await s.request({ jsonrpc: '2.0', id: 2, method: 'ping' })).toMatchObject({ id: 2, result: {} });
  });

  it('cancels an in-flight request on notifications/cancelled: no answer for it, the rest still served', async () => {
    const s = await open();
    s.input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 'slow-1', method: 'tools/call', params: { name: 'slow', arguments: {} } })}\n`);
    await slow.arrived;
    s.input.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'slow-1', reason: 'user' } })}\n`);
    expect(await s.request({ jsonrpc: '2.0', id: 'after', method: 'ping' })).toMatchObject({ result: {} });
    // Let the upstream answer, then end the session: `closed` resolves once every in-flight
    // request has settled, so an answer to the cancelled one would be in `lines` by then.
    slow.release();
    s.input.end();
    await s.server.closed;
    expect(s.lines.map((l) => JSON.parse(l).id)).toEqual(['after']);
  });

  it('serves 2026-07-28 requests (no list_changed promised) and sends list_changed only to initialized legacy sessions', async () => {
    const s = await open();
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const discover = await s.request({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta } });
    expect(discover.result).toMatchObject({ resultType: 'complete', capabilities: { tools: {}, resources: {}, prompts: {}, completions: {} }, supportedVersions: expect.arrayContaining(['2026-07-28']) });
    const list = await s.request({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: meta } });
    expect(list.result).toMatchObject({ ttlMs: 60_000, cacheScope: 'public' });
    s.protocol.setRegistry(await buildRegistry((name) => name !== 'greet'));
    expect(await s.request({ jsonrpc: '2.0', id: 3, method: 'ping' })).toMatchObject({ result: {} });
    expect(s.lines.some((l) => l.includes('list_changed'))).toBe(false);
  });

  it('finishes in-flight requests when the input ends, then resolves `closed`', async () => {
    const s = await open();
    s.input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow', arguments: {} } })}\n`);
    await slow.arrived;
    s.input.end();
    slow.release();
    await s.server.closed;
    expect(s.lines).toHaveLength(1);
    expect(JSON.parse(s.lines[0]!)).toMatchObject({ id: 1, result: { isError: false, structuredContent: { late: true } } });
  });
});
