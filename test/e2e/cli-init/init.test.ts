/**
 * `runtime init`: the scaffold validates, its runtime.yaml is read by `serve`,
 * and the sample capability serves over REST and MCP; existing files are never overwritten.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProject } from '../../../src/cli/init.js';
import { resolveServeConfig } from '../../../src/cli/config.js';
import { validateFiles } from '../../../src/cli/validate-files.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const quiet = () => ({ stdout: new PassThrough(), stderr: new PassThrough() });

describe('runtime init', () => {
  let dir: string;
  let rt: TestRuntime | undefined;
  beforeAll(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'runtime-init-')), 'my-api');
  });
  afterAll(async () => {
    await rt?.close();
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('scaffolds a folder that validates and serves REST and MCP', async () => {
    expect(await initProject(dir, quiet())).toBe(0);
    const { diagnostics } = await validateFiles([join(dir, 'capabilities')], { keepInfos: false });
    expect(diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const config = resolveServeConfig({ config: join(dir, 'runtime.yaml') }, {}, []);
    expect(config.paths).toEqual([join(dir, 'capabilities')]);
    expect(config.restPort).toBe(8080);
    rt = await startTestRuntime({ paths: config.paths });
    const res = await fetch(`${rt.restUrl}/hello/world`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ greeting: 'Hello, world!' });
    const mcp = await connectMcp(rt.mcpUrl);
    try {
      const result = await mcp.callTool({ name: 'greet', arguments: { name: 'agent' } });
      expect(result.isError).toBeFalsy();
      expect(JSON.stringify(result.content)).toContain('Hello, agent!');
    } finally {
      await mcp.close();
    }
  });

  it('never overwrites: a second init in the same folder exits 2 and leaves the files alone', async () => {
    const before = await readFile(join(dir, 'runtime.yaml'), 'utf8');
    const io = quiet();
    let stderr = '';
    io.stderr.on('data', (c) => (stderr += String(c)));
    expect(await initProject(dir, io)).toBe(2);
    expect(stderr).toMatch(/already exists/);
    expect(await readFile(join(dir, 'runtime.yaml'), 'utf8')).toBe(before);
  });
});
