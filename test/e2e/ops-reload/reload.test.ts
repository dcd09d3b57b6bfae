/**
 * Hot reload under load: continuous REST and MCP traffic while files are
 * changed, added, broken, fixed and removed (and listeners started and
 * stopped). Not one request may fail; each change shows up (or, when the file
 * is invalid, the old version keeps serving and the error is logged).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicies } from '../../../src/policies/config.js';
import { FileWatcher } from '../../../src/server/watch.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { callTool, capabilityYaml, listTools, tempDir, waitFor, type TempDir } from '../ops-helpers/fixtures.js';

const UPSTREAMS = ['stable', 'beta', 'gamma', 'epsilon', 'zeta'];

/** The same scenario bare and with every inbound policy on (limits generous enough never to refuse): still zero failures. */
const VARIANTS = [
  { name: 'no policies', policies: undefined },
  {
    name: 'policies on',
    policies: parsePolicies({
      rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
      cors: { origins: ['https://app.example.com'] },
      retry: { enabled: true },
      circuitBreaker: { enabled: true },
      overrides: [{ match: { adapter: 'stable-rest', operation: 'get0' }, rateLimit: { requestsPerSecond: 500_000 } }],
    }),
  },
];

describe.each(VARIANTS)('hot reload under load ($name)', ({ policies }) => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  let rt: TestRuntime;
  /**
   * The runtime serves every REST and every MCP adapter on an ephemeral port (port 0 overrides the
   * files' ports), and the URLs are read back from it.
   */
  const ports = () => ({});

  beforeAll(async () => {
    // A few milliseconds upstream, so requests are in flight while handlers are swapped.
    upstream = await startEchoUpstream(async (req) => {
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
      return { body: { path: req.path } };
    });
    dir = tempDir();
    dir.write('stable.yaml', capabilityYaml({ name: 'stable', ...ports() }));
    dir.write('beta.yaml', capabilityYaml({ name: 'beta', ...ports() }));
    rt = await startTestRuntime({
      paths: [dir.path],
      policies,
      upstream: Object.fromEntries(UPSTREAMS.map((n) => [n, upstream.url])),
      allowUnmatchedUpstreams: true, // overrides for files the test adds later
    });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
    dir?.cleanup();
  });

  it('serves every request while files change, with zero failures', async () => {
    const rest = rt.restUrl;
    const mcp = rt.mcpUrl;
    let running = true;
    let requests = 0;
    let completed = 0;
    let onCompleted: (() => void) | undefined;
    const done = () => {
      completed++;
      onCompleted?.();
    };
    const failures: string[] = [];
    const restLoop = async () => {
      while (running) {
        requests++;
        try {
          const res = await fetch(`${rest}/v1/stable/items`);
          const body = await res.text();
          if (res.status !== 200) failures.push(`REST ${res.status} ${body}`);
        } catch (error) {
          failures.push(`REST ${(error as Error).message}`);
        }
        done();
      }
    };
    const mcpLoop = async () => {
      while (running) {
        requests++;
        try {
          const { status, body } = await callTool(mcp, 'stable-list');
          if (status !== 200 || body.error || body.result?.isError) failures.push(`MCP ${status} ${JSON.stringify(body)}`);
        } catch (error) {
          failures.push(`MCP ${(error as Error).message}`);
        }
        done();
      }
    };
    const load = [...Array.from({ length: 8 }, restLoop), ...Array.from({ length: 8 }, mcpLoop)];
    // Between steps, let the load run: wait for 40 more answered requests (not for time).
    const pause = () =>
      new Promise<void>((resolve) => {
        const target = completed + 40;
        onCompleted = () => {
          if (completed < target) return;
          onCompleted = undefined;
          resolve();
        };
      });
    const runtime = rt.runtime;
    await pause();

    // 1. a changed file: a new route and a new tool appear
    dir.write('beta.yaml', capabilityYaml({ name: 'beta', ...ports(), routes: ['/v1/beta/items', '/v1/beta/more'], tools: ['beta-list', 'beta-more'] }));
    let result = await runtime.reload();
    expect(result).toMatchObject({ result: 'applied', changed: [expect.stringMatching(/beta\.yaml$/)], added: [], removed: [] });
    expect((await fetch(`${rest}/v1/beta/more`)).status).toBe(200);
    expect(await listTools(mcp)).toContain('beta-more');
    await pause();

    // 2. an added file
    dir.write('gamma.yaml', capabilityYaml({ name: 'gamma', ...ports() }));
    result = await runtime.reload();
    expect(result.added).toEqual([expect.stringMatching(/gamma\.yaml$/)]);
    expect((await fetch(`${rest}/v1/gamma/items`)).status).toBe(200);
    await pause();

    // 3. an added invalid file: not served, error logged
    dir.write('delta.yaml', capabilityYaml({ name: 'delta', ...ports() }).replace('method: GET', 'method: FETCH'));
    result = await runtime.reload();
    expect(result.skipped).toEqual([expect.stringMatching(/delta\.yaml$/)]);
    expect(result.errors.length).toBeGreaterThan(0);
    expect((await fetch(`${rest}/v1/delta/items`)).status).toBe(404);
    expect(rt.logs.some((l) => l.includes('delta.yaml') && l.includes('"level":50'))).toBe(true);
    await pause();

    // 4. a changed file that breaks: its previous version keeps serving
    dir.write('beta.yaml', 'naftiko: 1.0.0-alpha2\ncapability: [unclosed\n');
    result = await runtime.reload();
    expect(result.keptPrevious).toEqual([expect.stringMatching(/beta\.yaml$/)]);
    expect((await fetch(`${rest}/v1/beta/more`)).status).toBe(200);
    expect(rt.logs.some((l) => l.includes('beta.yaml') && l.includes('previous version keeps serving'))).toBe(true);
    await pause();

    // 5. fixed again, without the extra route
    dir.write('beta.yaml', capabilityYaml({ name: 'beta', ...ports() }));
    result = await runtime.reload();
    expect(result.changed).toEqual([expect.stringMatching(/beta\.yaml$/)]);
    expect((await fetch(`${rest}/v1/beta/more`)).status).toBe(404);
    expect(await listTools(mcp)).not.toContain('beta-more');
    await pause();

    // 6. a file on a new port: a new listener starts
    // (another loopback address: a listener of its own, on its own ephemeral port)
    dir.write('epsilon.yaml', capabilityYaml({ name: 'epsilon', restAddress: '127.0.0.2' }));
    result = await runtime.reload();
    expect(result.added).toEqual([expect.stringMatching(/epsilon\.yaml$/)]);
    const epsilon = runtime.summaries.find((l) => l.kind === 'rest' && l.url.includes('127.0.0.2'))!.url;
    expect(epsilon).not.toBe(rest);
    expect((await fetch(`${epsilon}/v1/epsilon/items`)).status).toBe(200);
    await pause();

    // 7. a file that conflicts with another: the whole reload is rejected, nothing changes
    dir.write('zeta.yaml', capabilityYaml({ name: 'zeta', ...ports(), routes: ['/v1/stable/items'], tools: ['zeta-list'] }));
    result = await runtime.reload();
    expect(result.result).toBe('rejected');
    expect(result.errors[0]?.code).toBe('rest-route-duplicate');
    expect(await listTools(mcp)).not.toContain('zeta-list');
    dir.remove('zeta.yaml');
    await pause();

    // 8. removed files: their routes go, and a listener with no adapters left stops
    dir.remove('epsilon.yaml');
    dir.remove('gamma.yaml');
    result = await runtime.reload();
    expect(result.removed.map((f) => f.replace(/.*\//, '')).sort()).toEqual(['epsilon.yaml', 'gamma.yaml']);
    expect((await fetch(`${rest}/v1/gamma/items`)).status).toBe(404);
    await waitFor(() => fetch(`${epsilon}/v1/epsilon/items`).then(() => undefined, () => true), 5000, 'the epsilon listener to stop');
    await pause();

    // 9. nothing changed
    result = await runtime.reload();
    expect(result.result).toBe('unchanged');

    running = false;
    await Promise.all(load);
    const reloads = runtime.status() as { reloads: { applied: number; partial: number; rejected: number; unchanged: number } };
    console.log(`reload under load: ${requests} requests during ${reloads.reloads.applied + reloads.reloads.rejected + reloads.reloads.unchanged} reloads, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(200);
    // Steps 3 and 4 (a new invalid file, a changed file that breaks) refuse what changed: rejected, not applied (issue 11).
    expect(reloads.reloads).toMatchObject({ applied: 5, partial: 0, rejected: 3, unchanged: 1 });
  }, 60_000);

  it('--watch: a file dropped into the folder is served within a second or two', async () => {
    const watcher = await FileWatcher.start([dir.path], () => void rt.runtime.reload(), { debounceMs: 100 });
    try {
      dir.write('watched.yaml', capabilityYaml({ name: 'gamma', ...ports(), routes: ['/v1/watched'], tools: ['watched-list'] }));
      await waitFor(async () => ((await fetch(`${rt.restUrl}/v1/watched`)).status === 200 ? true : undefined), 5000, 'the watched route');
      dir.remove('watched.yaml');
      await waitFor(async () => ((await fetch(`${rt.restUrl}/v1/watched`)).status === 404 ? true : undefined), 5000, 'the watched route to go');
    } finally {
      watcher.close();
    }
  });

  it('concurrent reloads are coalesced and never run two builds at once', async () => {
    const results = await Promise.all([rt.runtime.reload(), rt.runtime.reload(), rt.runtime.reload(), rt.runtime.reload()]);
    expect(results.every((r) => r.result !== 'rejected')).toBe(true);
    // the 2nd-4th calls share one follow-up run
    expect(results[1]).toBe(results[3]);
  });
});
