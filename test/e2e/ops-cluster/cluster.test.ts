/**
 * --workers 2: two processes share the listeners; the primary serves the
 * control endpoints with metrics summed over workers, forwards SIGHUP and
 * drains every worker on SIGTERM (exit 0).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { listeningPorts, runCli } from '../ops-helpers/cli.js';
import { callTool, capabilityYaml, tempDir, waitFor, type TempDir } from '../ops-helpers/fixtures.js';

describe('--workers 2', () => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  beforeAll(async () => {
    upstream = await startEchoUpstream(() => ({ body: { ok: true } }));
    dir = tempDir();
    dir.write('alpha.yaml', capabilityYaml({ name: 'alpha' }));
  });
  afterAll(async () => {
    await upstream?.close();
    dir?.cleanup();
  });

  it('serves from two processes, aggregates metrics, reloads on SIGHUP and shuts down cleanly', async () => {
    // Port 0 everywhere: Node's cluster gives every worker's listener the same ephemeral port, and
    // the primary holds the listening sockets, so its listening ports are the REST, MCP and control ones.
    const cli = runCli(['serve', dir.path, '--workers', '2', '--rest-port', '0', '--mcp-port', '0', '--control-port', '0', '--log-level', 'info', '--upstream', `alpha=${upstream.url}`]);
    try {
      const base = await cli.listening('control');
      await cli.waitForLine(/ready: 2 workers/, 45_000);
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      const others = listeningPorts(cli.child.pid!).filter((port) => `http://127.0.0.1:${port}` !== base);
      expect(others).toHaveLength(2);
      // The REST listener serves the route; the MCP one does not.
      const statuses = await Promise.all(others.map((port) => fetch(`http://127.0.0.1:${port}/v1/alpha/items`).then((r) => r.status)));
      const restUrl = `http://127.0.0.1:${others[statuses.indexOf(200)]}`;
      const mcpUrl = `http://127.0.0.1:${others[1 - statuses.indexOf(200)]}/mcp`;
      const status = (await (await fetch(`${base}/status`)).json()) as { mode: string; workers: { pid: number; ready: boolean }[] };
      expect(status.mode).toBe('cluster');
      expect(status.workers).toHaveLength(2);
      expect(new Set(status.workers.map((w) => w.pid)).size).toBe(2);

      const answers = await Promise.all(Array.from({ length: 40 }, () => fetch(`${restUrl}/v1/alpha/items`, { headers: { connection: 'close' } }).then((r) => r.status)));
      expect(answers.every((s) => s === 200)).toBe(true);
      const tool = await callTool(mcpUrl, 'alpha-list');
      expect(tool.body.result?.isError).toBe(false);

      const metrics = await (await fetch(`${base}/metrics`)).text();
      const total = metrics
        .split('\n')
        .filter((l) => l.startsWith('runtime_requests_total{') && l.includes('surface="rest"'))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
      expect(total).toBe(41); // the 40 above and the probe that told REST from MCP

      dir.write('beta.yaml', capabilityYaml({ name: 'alpha', routes: ['/v1/beta'], tools: ['beta-list'] }));
      cli.kill('SIGHUP');
      // both workers reload: every connection (spread over both) finds the new route
      await waitFor(async () => {
        const codes = await Promise.all(Array.from({ length: 10 }, () => fetch(`${restUrl}/v1/beta`, { headers: { connection: 'close' } }).then((r) => r.status)));
        return codes.every((c) => c === 200) || undefined;
      }, 10_000, 'the new route on every worker');

      cli.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      await expect(fetch(`${restUrl}/v1/alpha/items`)).rejects.toThrow();
    } finally {
      dir.remove('beta.yaml');
      cli.kill('SIGKILL');
    }
  }, 60_000);
});
