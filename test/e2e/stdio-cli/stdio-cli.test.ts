/**
 * `runtime serve --stdio` driven by a real MCP client as a desktop client would
 * (Claude Desktop, Cursor): the client spawns the process and speaks MCP over
 * its stdin/stdout; nothing but protocol may appear on stdout.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startLeanSandbox, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, type LeanSandbox } from '../../fakes/lean/index.js';
import { repoRoot } from '../../helpers/paths.js';

describe('serve --stdio', () => {
  let lean: LeanSandbox;
  let client: Client;
  let stderr = '';

  beforeAll(async () => {
    lean = await startLeanSandbox();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [resolve(repoRoot, 'bin/runtime.js'), 'serve', '--stdio', 'capabilities', '--upstream', `https://auth.leantech.me=${lean.authUrl}`, '--log-level', 'debug'],
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', LEAN_CLIENT_ID: SANDBOX_CLIENT_ID, LEAN_CLIENT_SECRET: SANDBOX_CLIENT_SECRET },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: 'stdio-test', version: '1.0.0' }, { capabilities: {} });
    await client.connect(transport);
  });
  afterAll(async () => {
    await client?.close();
    await lean?.close();
  });

  it('lists the tools of every bundled capability and calls the seed tool', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('lean-generate-access-token');
    const result = await client.callTool({
      name: 'lean-generate-access-token',
      arguments: { body: { client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, grant_type: 'client_credentials', scope: 'api' } },
    });
    expect(result.isError).toBe(false);
    expect((result.structuredContent as { token_type: string }).token_type).toBe('Bearer');
  });

  it('logs to stderr only, never the client secret', async () => {
    await client.ping();
    expect(stderr).toContain('MCP over stdio');
    expect(stderr).not.toContain(SANDBOX_CLIENT_SECRET);
  });
});
