/**
 * Conformance harness: one capability file served by the real runtime
 * (in-process, ephemeral ports) in front of a recording upstream. Tests assert
 * the exact upstream request (method, URL, headers, body bytes) and the exact
 * answer on REST and MCP.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEchoUpstream, type EchoUpstream, type RecordedRequest, type Reply } from '../../helpers/echo-upstream.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

export interface Fixture {
  rt: TestRuntime;
  upstream: EchoUpstream;
  /** Fetches a REST path of the runtime. */
  rest(path: string, init?: RequestInit): Promise<Response>;
  /** Calls an MCP tool (one SDK client per fixture). */
  tool(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  mcp(): Promise<Client>;
  close(): Promise<void>;
}

export interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: unknown;
}

export interface FixtureOptions {
  /** Capability file. */
  file: string;
  /** Upstream handler (default: `{"ok": true}`). */
  handler?: (req: RecordedRequest) => Reply | Promise<Reply>;
  /** Consumes namespaces routed to the recording upstream. */
  namespaces?: string[];
  /** Bind environment; a function receives the recording upstream's URL (to bind a host). */
  env?: Record<string, string> | ((upstreamUrl: string) => Record<string, string>);
}

export async function startFixture(options: FixtureOptions): Promise<Fixture> {
  const upstream = await startEchoUpstream(options.handler);
  let rt: TestRuntime;
  try {
    rt = await startTestRuntime({
      paths: [options.file],
      upstream: Object.fromEntries((options.namespaces ?? []).map((ns) => [ns, upstream.url])),
      env: typeof options.env === 'function' ? options.env(upstream.url) : (options.env ?? {}),
      // These fixtures check how each request and answer is rendered: one upstream call per request,
      // whatever the status (the retry and breaker policies have their own e2e scenarios).
      upstreamPolicies: { circuitBreaker: { enabled: false }, retry: { enabled: false } },
    });
  } catch (error) {
    await upstream.close();
    const diagnostics = (error as { diagnostics?: { severity: string; code: string; message: string; position?: { line: number } }[] }).diagnostics ?? [];
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => `  line ${d.position?.line ?? '?'} ${d.code}: ${d.message}`);
    if (errors.length > 0) (error as Error).message += `\n${errors.join('\n')}`;
    throw error;
  }
  let client: Client | undefined;
  const mcp = async () => (client ??= await connectMcp(rt.mcpUrl));
  return {
    rt,
    upstream,
    rest: (path, init) => fetch(`${rt.restUrl}${path}`, init),
    mcp,
    tool: async (name, args = {}) => (await (await mcp()).callTool({ name, arguments: args })) as ToolResult,
    close: async () => {
      await client?.close().catch(() => undefined);
      await rt.close();
      await upstream.close();
    },
  };
}

/** Transport headers that say nothing about what the engine decided to send. */
const TRANSPORT = new Set(['host', 'connection', 'keep-alive', 'x-request-id']);

export interface Wire {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The request as the engine built it: method, URL (path + query), headers (minus transport ones), body text. */
export function wire(req: RecordedRequest): Wire {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (TRANSPORT.has(name) || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: req.method, url: req.url, headers, body: req.body.toString('utf8') };
}

/** Headers every upstream request carries (accept depends on the operation's outputRawFormat). */
export const BASE_HEADERS = { 'user-agent': 'capability-runtime/0.1', accept: 'application/json, */*;q=0.5' };

/** The JSON text of the first content item of a tool result. */
export function toolJson(result: ToolResult): unknown {
  return JSON.parse(result.content[0]!.text);
}
