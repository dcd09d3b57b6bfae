/**
 * Logs: one JSON line per request with adapter, operation, status, duration,
 * upstream status and duration and the request id; the request id comes from
 * X-Request-Id or traceparent (else is generated) and is sent upstream. A
 * canary secret given through binds never appears in any log line, at any
 * level, in any phase (startup, requests, errors, reloads, shutdown).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { listeningPorts, runCli } from '../ops-helpers/cli.js';
import { callTool, capabilityYaml, tempDir, waitFor, type TempDir } from '../ops-helpers/fixtures.js';

const CANARY = 'canary-7d1f0b9e2c4a86e3';
const FILE_CANARY = 'filecanary-5e8a2b7c9d1f';

/** A capability whose upstream token comes from a bind file beside it. */
function bindFileCapability(name: string): string {
  return capabilityYaml({ name, routes: [`/v1/${name}/items`], tools: [`${name}-list`] })
    .replace('capability:\n', `binds:\n- namespace: vault-secrets\n  location: file://./secrets.env\n  keys:\n    VAULT_TOKEN: API_TOKEN\ncapability:\n`)
    .replace('  exposes:\n', `    authentication:\n      type: bearer\n      token: '{{VAULT_TOKEN}}'\n  exposes:\n`);
}

function requestLines(logs: string[]): Record<string, unknown>[] {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
}

describe('request logs and request ids', () => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  let rt: TestRuntime;
  beforeAll(async () => {
    upstream = await startEchoUpstream(() => ({ status: 201, body: { ok: true } }));
    dir = tempDir();
    dir.write('alpha.yaml', capabilityYaml({ name: 'alpha' }));
    rt = await startTestRuntime({ paths: [dir.path], upstream: { alpha: upstream.url } });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
    dir?.cleanup();
  });

  it('writes one line per REST request with every field', async () => {
    const before = requestLines(rt.logs).length;
    const res = await fetch(`${rt.restUrl}/v1/alpha/items`, { headers: { 'x-request-id': 'req-abc.123' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
    expect(upstream.last().headers['x-request-id']).toBe('req-abc.123');
    const lines = requestLines(rt.logs).slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      surface: 'rest',
      adapter: 'alpha-rest',
      operation: 'alpha-rest.get0',
      status: 201,
      upstreamStatus: 201,
      requestId: 'req-abc.123',
    });
    expect(typeof lines[0]!.durationMs).toBe('number');
    expect(typeof lines[0]!.upstreamMs).toBe('number');
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('takes the trace id of a traceparent, and generates an id otherwise — always sent upstream', async () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    let res = await fetch(`${rt.restUrl}/v1/alpha/items`, { headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01` } });
    expect(res.headers.get('x-request-id')).toBe(trace);
    expect(upstream.last().headers['x-request-id']).toBe(trace);
    res = await fetch(`${rt.restUrl}/v1/alpha/items`);
    const generated = res.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(upstream.last().headers['x-request-id']).toBe(generated);
    expect(requestLines(rt.logs).at(-1)?.requestId).toBe(generated);
    // an unsafe id is not trusted
    res = await fetch(`${rt.restUrl}/v1/alpha/items`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs MCP tool calls the same way, with the caller request id', async () => {
    const { body } = await callTool(rt.mcpUrl, 'alpha-list', { 'x-request-id': 'mcp-req-1' });
    expect(body.result?.isError).toBe(false);
    expect(upstream.last().headers['x-request-id']).toBe('mcp-req-1');
    expect(requestLines(rt.logs).at(-1)).toMatchObject({ surface: 'mcp', adapter: 'alpha-mcp', operation: 'alpha-list', status: 201, upstreamStatus: 201, requestId: 'mcp-req-1' });
  });
});

describe('the canary secret never reaches a log line', () => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  beforeAll(async () => {
    // The upstream echoes what it was sent (the token) in error bodies.
    upstream = await startEchoUpstream((req) => ({ status: 500, body: { error: 'boom', authorization: req.headers.authorization, url: req.url } }));
    dir = tempDir();
    dir.write('alpha.yaml', capabilityYaml({ name: 'alpha', secretVar: 'ALPHA_TOKEN' }));
    dir.write('vault.yaml', bindFileCapability('vault'));
    dir.write('secrets.env', `API_TOKEN=${FILE_CANARY}\n`);
  });
  afterAll(async () => {
    await upstream?.close();
    dir?.cleanup();
  });

  it('in-process, at trace level: requests, upstream errors, unreachable upstreams, reloads, invalid files', async () => {
    const rt = await startTestRuntime({ paths: [dir.path], env: { ALPHA_TOKEN: CANARY }, upstream: { alpha: upstream.url, vault: upstream.url }, controlPort: 0 });
    try {
      await (await fetch(`${rt.restUrl}/v1/alpha/items?q=${CANARY}`, { headers: { 'x-request-id': 'x', 'x-token': CANARY } })).text();
      await (await fetch(`${rt.restUrl}/v1/vault/items`)).text();
      expect(upstream.last().headers.authorization).toBe(`Bearer ${FILE_CANARY}`);
      await callTool(rt.mcpUrl, 'alpha-list');
      await callTool(rt.mcpUrl, 'vault-list');
      await (await fetch(`${rt.runtime.url('control')}/status`)).text();
      // A file where the secret was pasted by mistake: the reload error quotes the bad value.
      dir.write('broken.yaml', capabilityYaml({ name: 'broken' }).replace('method: GET', `method: ${CANARY}`));
      const rejected = await rt.runtime.reload();
      expect(JSON.stringify(rejected.errors)).toContain('[REDACTED]'); // the reload result (POST /reload, /status) is scrubbed too
      dir.remove('broken.yaml');
      await rt.runtime.reload();
      expect(rt.logs.length).toBeGreaterThan(6);
      expect(rt.logs.some((l) => l.includes('"level":10') || l.includes('"level":20') || l.includes('"level":30'))).toBe(true);
      expect(rt.logs.some((l) => l.includes('[REDACTED]'))).toBe(true);
      for (const line of rt.logs) {
        expect(line).not.toContain(CANARY);
        expect(line).not.toContain(FILE_CANARY);
      }
    } finally {
      await rt.close();
    }
    const unreachable = await startTestRuntime({ paths: [dir.path], env: { ALPHA_TOKEN: CANARY }, upstream: { alpha: `http://127.0.0.1:9/${CANARY}`, vault: 'http://127.0.0.1:9' } });
    try {
      await (await fetch(`${unreachable.restUrl}/v1/alpha/items`)).text();
      await callTool(unreachable.mcpUrl, 'vault-list');
      for (const line of unreachable.logs) expect(line).not.toContain(CANARY);
    } finally {
      await unreachable.close();
    }
  });

  it('through the CLI, at trace level, from startup to shutdown (including a SIGHUP reload of an invalid file)', async () => {
    const cli = runCli(
      ['serve', dir.path, '--rest-port', '0', '--mcp-port', '0', '--control-port', '0', '--log-level', 'trace', '--upstream', `alpha=${upstream.url}`, '--upstream', `vault=${upstream.url}`],
      { ALPHA_TOKEN: CANARY },
    );
    try {
      await cli.waitForLine(/"msg":"ready/);
      const [rest, mcp] = [await cli.listening('rest'), await cli.listening('mcp')];
      await (await fetch(`${rest}/v1/alpha/items`)).text();
      await (await fetch(`${rest}/v1/vault/items`)).text();
      await callTool(mcp, 'alpha-list');
      dir.write('broken.yaml', `naftiko: 1.0.0-alpha2\ninfo:\n  label: ${CANARY}\ncapability: {exposes: 1}\n`);
      cli.kill('SIGHUP');
      await cli.waitForLine(/reload/);
      await waitFor(() => cli.lines.some((l) => l.includes('"level":50')) || undefined, 5000, 'the reload error');
      cli.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      dir.remove('broken.yaml');
      cli.kill('SIGKILL');
    }
    const output = cli.output();
    expect(cli.lines.length).toBeGreaterThan(8);
    for (const line of cli.lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(output).toContain('"msg":"request"');
    expect(output).not.toContain(CANARY);
    expect(output).not.toContain(FILE_CANARY);
  }, 60_000);

  it('--log-level warn drops the per-request lines', async () => {
    // Only a REST listener, so the one port the process listens on is it (warn level prints no listener lines).
    const restOnly = tempDir();
    restOnly.write('alpha.yaml', capabilityYaml({ name: 'alpha', tools: [] }));
    const cli = runCli(['serve', restOnly.path, '--rest-port', '0', '--log-level', 'warn', '--upstream', `alpha=${upstream.url}`], { ALPHA_TOKEN: CANARY });
    try {
      const port = await waitFor(() => listeningPorts(cli.child.pid!)[0], 15_000, 'the REST listener');
      await (await fetch(`http://127.0.0.1:${port}/v1/alpha/items`)).text();
      cli.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      cli.kill('SIGKILL');
      restOnly.cleanup();
    }
    const requests = cli.lines.filter((l) => l.includes('"msg":"request"'));
    // the upstream answered 500, so the request line is a warning (kept); info lines are gone
    expect(requests.length).toBe(1);
    expect(requests[0]).toContain('"level":40');
    expect(cli.lines.filter((l) => l.includes('"level":30'))).toEqual([]);
  });
});
