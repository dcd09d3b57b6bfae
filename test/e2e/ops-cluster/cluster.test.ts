/**
 * --workers 2: two processes share the listeners; the primary serves the
 * control endpoints with metrics summed over workers, forwards SIGHUP and
 * drains every worker on SIGTERM (exit 0).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { runCli } from '../ops-helpers/cli.js';
import { callTool, capabilityYaml, freePort, tempDir, waitFor, type TempDir } from '../ops-helpers/fixtures.js';

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
    const [rest, mcp, control] = [await freePort(), await freePort(), await freePort()];
    const cli = runCli(['serve', dir.path, '--workers', '2', '--rest-port', String(rest), '--mcp-port', String(mcp), '--control-port', String(control), '--log-level', 'warn', '--upstream', `alpha=${upstream.url}`]);
    const base = `http://127.0.0.1:${control}`;
    try {
      await waitFor(() => fetch(`${base}/health/ready`).then((r) => (r.status === 200 ? true : undefined)), 30_000, 'two ready workers');
      const status = (await (await fetch(`${base}/status`)).json()) as { mode: string; workers: { pid: number; ready: boolean }[] };
      expect(status.mode).toBe('cluster');
      expect(status.workers).toHaveLength(2);
      expect(new Set(status.workers.map((w) => w.pid)).size).toBe(2);

      const answers = await Promise.all(Array.from({ length: 40 }, () => fetch(`http://127.0.0.1:${rest}/v1/alpha/items`, { headers: { connection: 'close' } }).then((r) => r.status)));
      expect(answers.every((s) => s === 200)).toBe(true);
      const tool = await callTool(`http://127.0.0.1:${mcp}/mcp`, 'alpha-list');
      expect(tool.body.result?.isError).toBe(false);

      const metrics = await (await fetch(`${base}/metrics`)).text();
      const total = metrics
        .split('\n')
        .filter((l) => l.startsWith('runtime_requests_total{') && l.includes('surface="rest"'))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
      expect(total).toBe(40);

      dir.write('beta.yaml', capabilityYaml({ name: 'alpha', routes: ['/v1/beta'], tools: ['beta-list'] }));
      cli.kill('SIGHUP');
      // both workers reload: every connection (spread over both) finds the new route
      await waitFor(async () => {
        const codes = await Promise.all(Array.from({ length: 10 }, () => fetch(`http://127.0.0.1:${rest}/v1/beta`, { headers: { connection: 'close' } }).then((r) => r.status)));
        return codes.every((c) => c === 200) || undefined;
      }, 10_000, 'the new route on every worker');

      cli.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      await expect(fetch(`http://127.0.0.1:${rest}/v1/alpha/items`)).rejects.toThrow();
    } finally {
      dir.remove('beta.yaml');
      cli.kill('SIGKILL');
    }
  }, 60_000);
});
