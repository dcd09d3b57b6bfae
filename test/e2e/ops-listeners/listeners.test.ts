/**
 * Drop-in folder serving: every capability file of a folder shares the REST
 * and MCP listeners of its port; cross-file conflicts are reported naming both
 * files and lines; `runtime list --format json` shows the merged plan.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { planListeners } from '../../../src/server/plan.js';
import { StartupError } from '../../../src/server/gateway.js';
import { loadCapabilities } from '../../../src/capability/loader.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { hasShared, leanCapabilitiesDir, sharedSkipReason } from '../../helpers/paths.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { capabilityYaml, listTools, tempDir, type TempDir } from '../ops-helpers/fixtures.js';

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    process.exitCode = undefined;
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

describe.skipIf(!hasShared)('the Lean folder (19 files) on shared listeners', () => {
  if (!hasShared) it.skip(sharedSkipReason(), () => undefined);
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    upstream = await startEchoUpstream(() => ({ body: { ok: true } }));
    rt = await startTestRuntime({
      paths: [leanCapabilitiesDir],
      upstream: { 'https://api2.leantech.me': upstream.url, 'https://auth.leantech.me': upstream.url },
      env: { LEAN_API_TOKEN: 'token-for-tests', LEAN_CLIENT_ID: 'id', LEAN_CLIENT_SECRET: 'secret-for-tests' },
    });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
  });

  it('serves one REST listener with every route and one MCP listener with 51 tools', async () => {
    const rest = rt.runtime.summaries.filter((s) => s.kind === 'rest');
    const mcp = rt.runtime.summaries.filter((s) => s.kind === 'mcp');
    expect(rest).toHaveLength(1);
    expect(mcp).toHaveLength(1);
    expect(rest[0]!.adapters).toHaveLength(19);
    expect(mcp[0]!.adapters).toHaveLength(19);
    expect(new Set(rest[0]!.routes.map((r) => r.file)).size).toBe(19);
    expect(rest[0]!.routes.length).toBe(51);
    const tools = await listTools(rt.mcpUrl);
    expect(tools).toHaveLength(51);
    expect(new Set(tools).size).toBe(51);
  });

  it('routes a request for every route to its own operation (no 404 / 405)', async () => {
    const routes = rt.runtime.summaries.find((s) => s.kind === 'rest')!.routes;
    for (const route of routes) {
      const path = route.path.replace(/\{\{?\s*([^}\s]+)\s*\}?\}/g, 'x1');
      const res = await fetch(`${rt.restUrl}${path}`, { method: route.method, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }) });
      await res.arrayBuffer();
      expect([404, 405], `${route.method} ${route.path} (${route.file})`).not.toContain(res.status);
    }
  });

  it('`runtime list --format json` shows the same merged plan', async () => {
    const { code, stdout } = await runCli(['list', leanCapabilitiesDir, '--format', 'json']);
    expect(code).toBe(0);
    const { listeners } = JSON.parse(stdout) as { listeners: { kind: string; url: string; adapters: string[]; routes: unknown[]; tools: unknown[] }[] };
    expect(listeners.map((l) => [l.kind, l.url, l.adapters.length, l.routes.length, l.tools.length])).toEqual([
      ['rest', 'http://127.0.0.1:8080', 19, 51, 0],
      ['mcp', 'http://127.0.0.1:9090/mcp', 19, 0, 51],
    ]);
  });
});

describe('cross-file conflicts', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir();
    dir.write('a.yaml', capabilityYaml({ name: 'alpha', routes: ['/v1/shared/{id}', '/v1/alpha'], tools: ['shared-tool', 'alpha-tool'] }));
    dir.write('b.yaml', capabilityYaml({ name: 'beta', routes: ['/v1/beta', '/v1/shared/{other}'], tools: ['beta-tool', 'shared-tool'] }));
  });
  afterAll(() => dir.cleanup());

  it('names both files and lines for a duplicated route and tool', async () => {
    const loaded = await loadCapabilities([dir.path]);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const { diagnostics } = planListeners(loaded.capabilities, { host: '127.0.0.1' });
    const route = diagnostics.find((d) => d.code === 'rest-route-duplicate')!;
    const tool = diagnostics.find((d) => d.code === 'mcp-tool-duplicate')!;
    expect(route.file).toMatch(/b\.yaml$/);
    expect(route.position?.line).toBeGreaterThan(0);
    expect(route.message).toMatch(/GET \/v1\/shared\/\{other\} is declared twice on port 8080 \(also declared at .*a\.yaml:\d+:\d+\)/);
    expect(tool.file).toMatch(/b\.yaml$/);
    expect(tool.message).toMatch(/`shared-tool` is declared twice on port 9090 \(also declared at .*a\.yaml:\d+:\d+\)/);
  });

  it('`runtime list` and `serve` refuse them with both places', async () => {
    const { code, stderr } = await runCli(['list', dir.path]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/b\.yaml:\d+:\d+ error rest-route-duplicate/);
    expect(stderr).toMatch(/a\.yaml:\d+:\d+\)/);
    const error = await startTestRuntime({ paths: [dir.path] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).diagnostics.map((d) => d.code).sort()).toEqual(['mcp-tool-duplicate', 'rest-route-duplicate']);
  });

  it('a REST and an MCP adapter on one port, and the control port on a user port, are conflicts', async () => {
    const other = tempDir();
    try {
      other.write('r.yaml', capabilityYaml({ name: 'gamma', tools: [], restPort: 7000 }));
      other.write('m.yaml', capabilityYaml({ name: 'delta', routes: [], mcpPort: 7000 }));
      const loaded = await loadCapabilities([other.path]);
      const kinds = planListeners(loaded.capabilities, { host: '127.0.0.1' }).diagnostics;
      expect(kinds.map((d) => d.code)).toEqual(['port-kind-conflict']);
      expect(kinds[0]!.file).toMatch(/r\.yaml$/);
      expect(kinds[0]!.message).toMatch(/A rest adapter and an mcp adapter cannot share port 7000 \(also declared at .*m\.yaml:\d+:\d+\)/);
      const control = planListeners(loaded.capabilities.slice(0, 1), { host: '127.0.0.1', controlPort: 7000 }).diagnostics;
      expect(control[0]?.message).toMatch(/control listener \(--control-port\) cannot share port 7000/);
    } finally {
      other.cleanup();
    }
  });

  it('adapters of many files on one port share it; different ports get their own listeners', async () => {
    const other = tempDir();
    try {
      other.write('one.yaml', capabilityYaml({ name: 'one', restPort: 7100, mcpPort: 7200 }));
      other.write('two.yaml', capabilityYaml({ name: 'two', restPort: 7100, mcpPort: 7200 }));
      other.write('three.yaml', capabilityYaml({ name: 'three', restPort: 7101, mcpPort: 7200 }));
      const loaded = await loadCapabilities([other.path]);
      const { listeners, diagnostics } = planListeners(loaded.capabilities, { host: '127.0.0.1' });
      expect(diagnostics).toEqual([]);
      expect(listeners.map((l) => `${l.kind}:${l.port}:${l.rest.length + l.mcp.length}`).sort()).toEqual(['mcp:7200:3', 'rest:7100:2', 'rest:7101:1']);
    } finally {
      other.cleanup();
    }
  });
});
