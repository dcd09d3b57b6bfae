/**
 * Small, valid capability files written on the fly for the operations tests:
 * one consumed API (`<name>` namespace, base URI `https://<name>.invalid`, sent
 * to a test upstream with an upstream override) exposed as REST routes and
 * MCP tools on the given ports.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface FixtureOptions {
  /** Consumed namespace and base of every name. */
  name: string;
  /** REST paths, each `GET <path>` → `<name>.get` (upstream `/<name>/items`). */
  routes?: string[];
  /** MCP tool names (no arguments). */
  tools?: string[];
  /** Ports of the adapters (default 8080 and 9090; tests override them with port 0 when serving). */
  restPort?: number;
  mcpPort?: number;
  /** `address` of the REST adapter (another loopback address makes it a listener of its own). */
  restAddress?: string;
  /** Declare an `env` bind of this variable, used as a bearer token upstream. */
  secretVar?: string;
  /** Extra exposes entries, as YAML lines (indented for the exposes list). */
  extraExposes?: string;
}

export function capabilityYaml(o: FixtureOptions): string {
  const routes = o.routes ?? [`/v1/${o.name}/items`];
  const tools = o.tools ?? [`${o.name}-list`];
  const binds = o.secretVar ? `binds:\n- namespace: env\n  keys:\n    ${o.secretVar}: ${o.secretVar}\n` : '';
  const auth = o.secretVar ? `    authentication:\n      type: bearer\n      token: '{{${o.secretVar}}}'\n` : '';
  const lines = [
    'naftiko: 1.0.0-alpha2',
    'info:',
    `  label: Ops fixture ${o.name}`,
    `  description: Operations test capability ${o.name}.`,
    binds.trimEnd(),
    'capability:',
    '  consumes:',
    '  - type: http',
    `    namespace: ${o.name}`,
    `    baseUri: https://${o.name}.invalid`,
    `    description: Upstream of ${o.name}.`,
    '    resources:',
    '    - name: items',
    `      path: /${o.name}/items`,
    '      operations:',
    '      - name: get',
    '        method: GET',
    '        outputRawFormat: json',
    '        outputParameters:',
    '        - name: result',
    '          type: object',
    '          value: $.',
    auth.trimEnd(),
    '  exposes:',
  ];
  if (routes.length > 0) {
    lines.push('  - type: rest', `    namespace: ${o.name}-rest`, `    port: ${o.restPort ?? 8080}`, ...(o.restAddress ? [`    address: ${o.restAddress}`] : []), `    description: REST adapter of ${o.name}.`, '    resources:');
    routes.forEach((path, i) => {
      lines.push(`    - path: ${path}`, `      name: r${i}`, '      operations:', '      - method: GET', `        name: get${i}`, `        call: ${o.name}.get`);
    });
  }
  if (tools.length > 0) {
    lines.push('  - type: mcp', `    namespace: ${o.name}-mcp`, `    port: ${o.mcpPort ?? 9090}`, '    transport: http', `    description: MCP adapter of ${o.name}.`, '    tools:');
    for (const tool of tools) lines.push(`    - name: ${tool}`, `      description: List ${o.name} items.`, `      call: ${o.name}.get`);
  }
  if (o.extraExposes) lines.push(o.extraExposes.trimEnd());
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

export interface TempDir {
  path: string;
  write(name: string, text: string): string;
  remove(name: string): void;
  cleanup(): void;
}

export function tempDir(prefix = 'ops-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    write: (name, text) => {
      const file = join(path, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    remove: (name) => rmSync(join(path, name), { force: true }),
    cleanup: () => rmSync(path, { recursive: true, force: true }),
  };
}

/**
 * A port that was free a moment ago. Only for `type: control` adapters written into capability
 * files, whose schema requires a port >= 1; everything else listens on port 0 and reads the bound
 * port back (`cli.listening(kind)`, `gateway.summaries`), which cannot race.
 */
export async function probedControlPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Calls a tool over raw JSON-RPC (one POST, no session), returns the parsed answer. */
export async function callTool(mcpUrl: string, name: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { result?: { isError?: boolean }; error?: unknown } }> {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } }),
  });
  return { status: res.status, body: (await res.json()) as { result?: { isError?: boolean }; error?: unknown } };
}

export async function listTools(mcpUrl: string): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: cursor ? { cursor } : {} }),
    });
    const body = (await res.json()) as { result: { tools: { name: string }[]; nextCursor?: string } };
    names.push(...body.result.tools.map((t) => t.name));
    cursor = body.result.nextCursor;
  } while (cursor);
  return names;
}

export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
