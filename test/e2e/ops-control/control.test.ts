/**
 * The management plane: /health/live, /health/ready, /metrics (Prometheus
 * text from a per-runtime registry) and /status on --control-port, and on
 * `type: control` adapters declared in capability files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, StartupError } from '../../../src/server/gateway.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { callTool, capabilityYaml, probedControlPort, tempDir, type TempDir } from '../ops-helpers/fixtures.js';

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('--control-port', () => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  let rt: TestRuntime;
  let control: string;
  let failing = false;
  beforeAll(async () => {
    upstream = await startEchoUpstream(() => (failing ? { status: 503, body: { down: true } } : { body: { ok: true } }));
    dir = tempDir();
    dir.write('alpha.yaml', capabilityYaml({ name: 'alpha', routes: ['/v1/alpha/items', '/v1/alpha/fail'] }));
    rt = await startTestRuntime({ paths: [dir.path], controlPort: 0, upstream: { alpha: upstream.url } });
    control = rt.runtime.url('control');
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
    dir?.cleanup();
  });

  it('is its own listener, never a user port', () => {
    const kinds = rt.runtime.summaries.map((s) => `${s.kind}:${s.port}`);
    expect(new Set(kinds.map((k) => k.split(':')[1])).size).toBe(3);
    expect(rt.runtime.summaries.find((s) => s.kind === 'control')?.adapters).toEqual(['--control-port']);
  });

  it('answers /health/live and /health/ready', async () => {
    const live = await fetch(`${control}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'UP' });
    const ready = await fetch(`${control}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; listeners: { kind: string; up: boolean }[] };
    expect(body.status).toBe('UP');
    expect(body.listeners.map((l) => l.kind).sort()).toEqual(['control', 'mcp', 'rest']);
    expect(body.listeners.every((l) => l.up)).toBe(true);
    // user routes are not on the control port, nor control routes on user ports
    expect((await fetch(`${control}/v1/alpha/items`)).status).toBe(404);
    expect((await fetch(`${rt.restUrl}/health/live`)).status).toBe(404);
  });

  it('counts requests and upstream calls in /metrics by adapter, operation and status', async () => {
    for (let i = 0; i < 3; i++) await (await fetch(`${rt.restUrl}/v1/alpha/items`)).text();
    failing = true;
    await (await fetch(`${rt.restUrl}/v1/alpha/fail`)).text();
    failing = false;
    await callTool(rt.mcpUrl, 'alpha-list');
    const res = await fetch(`${control}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'runtime_requests_total', { surface: 'rest', adapter: 'alpha-rest', operation: 'alpha-rest.get0', status: '200' })).toBe(3);
    expect(sample(text, 'runtime_requests_total', { operation: 'alpha-rest.get1', status: '503' })).toBe(1);
    expect(sample(text, 'runtime_requests_total', { surface: 'mcp', adapter: 'alpha-mcp', operation: 'alpha-list', status: '200' })).toBe(1);
    expect(sample(text, 'runtime_request_duration_seconds_count', { operation: 'alpha-rest.get0', status: '200' })).toBe(3);
    expect(sample(text, 'runtime_request_duration_seconds_bucket', { operation: 'alpha-rest.get0', le: '+Inf' })).toBe(3);
    expect(sample(text, 'runtime_upstream_requests_total', { operation: 'alpha-rest.get1', status: '503' })).toBe(1);
    expect(sample(text, 'runtime_upstream_duration_seconds_count', { operation: 'alpha-rest.get0' })).toBe(3);
    expect(sample(text, 'runtime_ready')).toBe(1);
    expect(sample(text, 'runtime_capability_files')).toBe(1);
    expect(sample(text, 'runtime_listeners', { kind: 'rest' })).toBe(1);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts reloads and validation errors', async () => {
    const before = await (await fetch(`${control}/metrics`)).text();
    dir.write('broken.yaml', 'naftiko: 1.0.0-alpha2\ninfo: {label: x}\ncapability:\n  exposes: 3\n');
    expect((await rt.runtime.reload()).skipped).toHaveLength(1);
    dir.remove('broken.yaml');
    expect((await rt.runtime.reload()).result).toBe('applied');
    const after = await (await fetch(`${control}/metrics`)).text();
    expect(sample(after, 'runtime_reloads_total', { result: 'applied' })! - (sample(before, 'runtime_reloads_total', { result: 'applied' }) ?? 0)).toBe(2);
    expect(sample(after, 'runtime_validation_errors_total')!).toBeGreaterThan(sample(before, 'runtime_validation_errors_total')!);
    expect(sample(after, 'runtime_generation')).toBe(3);
  });

  it('describes files, versions and listeners in /status', async () => {
    const status = (await (await fetch(`${control}/status`)).json()) as {
      status: string;
      generation: { id: number };
      files: { file: string; version: string; state: string }[];
      listeners: { kind: string; url: string; routes: number; tools: number }[];
      reloads: { applied: number; last: { result: string } };
    };
    expect(status.status).toBe('ready');
    expect(status.files).toEqual([expect.objectContaining({ file: expect.stringMatching(/alpha\.yaml$/), version: expect.stringMatching(/^[0-9a-f]{16}$/), state: 'current' })]);
    expect(status.listeners.find((l) => l.kind === 'rest')).toMatchObject({ routes: 2, tools: 0 });
    expect(status.listeners.find((l) => l.kind === 'mcp')).toMatchObject({ routes: 0, tools: 1 });
    expect(status.reloads.last.result).toBe('applied');
  });

  it('keeps metrics per runtime: a second runtime in the same process starts from zero', async () => {
    const second = await startTestRuntime({ paths: [dir.path], controlPort: 0, upstream: { alpha: upstream.url } });
    try {
      const text = await (await fetch(`${second.runtime.url('control')}/metrics`)).text();
      expect(sample(text, 'runtime_requests_total', { operation: 'alpha-rest.get0' })).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it('answers 503 on /health/ready while draining', async () => {
    const third = await startTestRuntime({ paths: [dir.path], controlPort: 0, upstream: { alpha: upstream.url } });
    const url = third.runtime.url('control');
    const closing = third.runtime.close(500);
    const res = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (res) expect(res.status).toBe(503);
    expect(third.runtime.ready()).toBe(false);
    await closing;
  });
});

describe('type: control adapters in capability files', () => {
  let dir: TempDir;
  afterAll(() => dir?.cleanup());

  it('serves health and metrics, and /status only with management.info', async () => {
    dir = tempDir();
    const [portA, portB] = [await probedControlPort(), await probedControlPort()];
    dir.write('a.yaml', capabilityYaml({ name: 'alpha', extraExposes: `  - type: control\n    port: ${portA}\n` }));
    dir.write('b.yaml', capabilityYaml({ name: 'beta', routes: ['/v1/beta'], tools: ['beta-list'], extraExposes: `  - type: control\n    port: ${portB}\n    management:\n      info: true\n    observability:\n      metrics:\n        local:\n          enabled: false\n` }));
    const rt = await startTestRuntime({ paths: [dir.path] });
    try {
      const a = `http://127.0.0.1:${portA}`;
      const b = `http://127.0.0.1:${portB}`;
      expect((await fetch(`${a}/health/ready`)).status).toBe(200);
      expect((await fetch(`${a}/metrics`)).status).toBe(200);
      expect((await fetch(`${a}/status`)).status).toBe(404);
      expect((await fetch(`${b}/status`)).status).toBe(200);
      expect((await fetch(`${b}/metrics`)).status).toBe(404);
    } finally {
      await rt.close();
    }
  });

  it('refuses a control adapter on a port that serves user routes', async () => {
    const other = tempDir();
    try {
      // Refused while planning, before anything listens: these ports are never bound.
      const port = 18_080;
      other.write('a.yaml', capabilityYaml({ name: 'alpha', restPort: port, mcpPort: 18_090 }));
      other.write('b.yaml', capabilityYaml({ name: 'beta', routes: ['/v1/beta'], tools: [], restPort: 18_081, extraExposes: `  - type: control\n    port: ${port}\n` }));
      const error = await Gateway.start({ paths: [other.path], env: {}, logLevel: 'silent' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as StartupError).diagnostics[0]).toMatchObject({ code: 'port-kind-conflict', message: expect.stringMatching(new RegExp(`cannot share port ${port}`)) });
    } finally {
      other.cleanup();
    }
  });
});
