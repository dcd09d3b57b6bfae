/**
 * Graceful shutdown of the real command line: SIGTERM/SIGINT stop accepting,
 * let in-flight requests (held by a slow upstream) finish, and exit 0; the
 * drain is bounded by --drain-timeout. SIGHUP reloads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { runCli } from '../ops-helpers/cli.js';
import { capabilityYaml, tempDir, waitFor, type TempDir } from '../ops-helpers/fixtures.js';

describe('graceful shutdown (child process)', () => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  let delayMs = 1500;
  beforeAll(async () => {
    upstream = await startEchoUpstream(async () => {
      await new Promise((r) => setTimeout(r, delayMs));
      return { body: { slow: true } };
    });
    dir = tempDir();
    dir.write('slow.yaml', capabilityYaml({ name: 'slow' }));
  });
  afterAll(async () => {
    await upstream?.close();
    dir?.cleanup();
  });

  async function start(extra: string[] = []) {
    const cli = runCli(['serve', dir.path, '--rest-port', '0', '--mcp-port', '0', '--control-port', '0', '--upstream', `slow=${upstream.url}`, ...extra]);
    await cli.waitForLine(/"msg":"ready/);
    return { cli, rest: await cli.listening('rest'), control: await cli.listening('control') };
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: in-flight requests finish, new connections are refused, exit 0`, async () => {
      delayMs = 1500;
      // A drain timeout far above the 1.5 s the requests take: exiting well before it shows the
      // process waited for its in-flight requests only (a margin that survives a loaded machine).
      const { cli, rest, control } = await start(['--drain-timeout', '30000']);
      try {
        const seen = upstream.requests.length;
        const inFlight = [fetch(`${rest}/v1/slow/items`), fetch(`${rest}/v1/slow/items`)];
        await waitFor(() => upstream.requests.length >= seen + 2 || undefined, 5000, 'the requests to reach the upstream');
        const t0 = Date.now();
        cli.kill(signal);
        await cli.waitForLine(/shutting down/);
        // draining: readiness is down, new connections are refused
        const ready = await fetch(`${control}/health/ready`).catch(() => undefined);
        if (ready) expect(ready.status).toBe(503);
        await expect(fetch(`${rest}/v1/slow/items`, { headers: { connection: 'close' } })).rejects.toThrow();
        for (const res of await Promise.all(inFlight)) {
          expect(res.status).toBe(200);
          expect(await res.json()).toEqual({ slow: true });
        }
        expect(await cli.exited).toBe(0);
        expect(Date.now() - t0).toBeLessThan(20_000);
      } finally {
        cli.kill('SIGKILL');
      }
    }, 60_000);
  }

  it('--drain-timeout bounds the wait: a request that takes longer is cut and the process still exits 0', async () => {
    // The upstream would answer after 30 s; the 300 ms drain timeout ends the wait long before.
    delayMs = 30_000;
    const { cli, rest } = await start(['--drain-timeout', '300']);
    try {
      const seen = upstream.requests.length;
      const stuck = fetch(`${rest}/v1/slow/items`).then(
        (r) => r.status,
        () => 'cut',
      );
      await waitFor(() => upstream.requests.length > seen || undefined, 5000, 'the request to reach the upstream');
      const t0 = Date.now();
      cli.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(await stuck).toBe('cut');
    } finally {
      cli.kill('SIGKILL');
    }
  }, 60_000);

  it('SIGHUP reloads: an added file is served, an invalid one is logged and the old version keeps serving', async () => {
    delayMs = 0;
    const { cli, rest } = await start();
    try {
      dir.write('fast.yaml', capabilityYaml({ name: 'slow', routes: ['/v1/fast'], tools: ['fast-list'] }));
      dir.write('bad.yaml', 'naftiko: 1.0.0-alpha2\ncapability: {exposes: nope}\n');
      cli.kill('SIGHUP');
      await cli.waitForLine(/reload partially applied/); // fast.yaml applied, bad.yaml refused
      expect((await fetch(`${rest}/v1/fast`)).status).toBe(200);
      expect((await fetch(`${rest}/v1/slow/items`)).status).toBe(200);
      expect(cli.lines.some((l) => l.includes('bad.yaml') && l.includes('"level":50'))).toBe(true);
      cli.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      dir.remove('fast.yaml');
      dir.remove('bad.yaml');
      cli.kill('SIGKILL');
    }
  }, 60_000);
});
