/**
 * Hot reload under load, scaled to three replicas: three `runtime serve
 * --watch` processes behind nginx read one ConfigMap-style folder (as the
 * pods of a Deployment read one ConfigMap), sharing Redis. While continuous
 * traffic goes through the load balancer, the ConfigMap is updated (a route
 * added, a file added, a version broken, fixed, a file removed); every
 * replica picks up each change by itself, and not one request fails.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { ConfigMapVolume } from '../deploy-helpers/configmap.js';
import { nginxBinary, redisServer, scratch, servicesSkipReason, startNginx, startRedis, startReplica, type Nginx, type RedisServer, type Replica, type Scratch } from '../deploy-helpers/services.js';
import { capabilityYaml, waitFor } from '../ops-helpers/fixtures.js';

const available = Boolean(redisServer && nginxBinary);
if (!available) console.warn(servicesSkipReason());

describe.skipIf(!available)('hot reload under load on 3 replicas (ConfigMap updates, nginx, Redis)', () => {
  let dir: Scratch;
  let upstream: EchoUpstream;
  let redis: RedisServer;
  let volume: ConfigMapVolume;
  let replicas: Replica[] = [];
  let nginx: Nginx;
  const files: Record<string, string> = {};
  const publish = () => volume.update({ ...files });

  beforeAll(async () => {
    dir = scratch();
    upstream = await startEchoUpstream(async (req) => {
      await new Promise((r) => setTimeout(r, 1 + Math.random() * 5));
      return { body: { path: req.path } };
    });
    redis = await startRedis(dir.path);
    volume = new ConfigMapVolume(join(dir.path, 'capabilities'));
    files['stable.yaml'] = capabilityYaml({ name: 'stable', tools: [] });
    files['beta.yaml'] = capabilityYaml({ name: 'beta', tools: [] });
    publish();
    const args = [volume.dir, '--watch', '--redis-url', redis.url, '--log-level', 'info', ...['stable', 'beta', 'gamma'].flatMap((n) => ['--upstream', `${n}=${upstream.url}`])];
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(args, {})));
    nginx = await startNginx(dir.path, replicas.map((r) => `127.0.0.1:${r.port}`));
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(replicas.map((r) => r.stop()));
    await redis?.stop();
    await upstream?.close();
    dir?.cleanup();
  });

  /** Waits until every replica answers `path` with `status` (each picks the change up on its own). */
  const everywhere = (path: string, status: number, what: string) =>
    waitFor(async () => {
      const codes = await Promise.all(replicas.map(async (r) => (await fetch(`${r.rest}${path}`)).status));
      return codes.every((c) => c === status) || undefined;
    }, 15_000, `${what} on all 3 replicas`);

  it('serves every request while the ConfigMap changes, with zero failures', async () => {
    let running = true;
    let requests = 0;
    const failures: string[] = [];
    const loop = async () => {
      while (running) {
        requests++;
        try {
          const res = await nginx.fetch('/v1/stable/items');
          const body = await res.text();
          if (res.status !== 200) failures.push(`${res.status} ${body}`);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    const load = Array.from({ length: 12 }, loop);
    try {
      // 1. a changed file: a new route
      files['beta.yaml'] = capabilityYaml({ name: 'beta', tools: [], routes: ['/v1/beta/items', '/v1/beta/more'] });
      publish();
      await everywhere('/v1/beta/more', 200, 'the new route');

      // 2. an added file
      files['gamma.yaml'] = capabilityYaml({ name: 'gamma', tools: [] });
      publish();
      await everywhere('/v1/gamma/items', 200, 'the added file');

      // 3. a broken version: the previous one keeps serving, the error is logged by each replica
      files['beta.yaml'] = 'naftiko: 1.0.0-alpha2\ncapability: [unclosed\n';
      publish();
      await Promise.all(replicas.map((r) => r.child.waitForLine(/beta\.yaml.*previous version keeps serving|previous version keeps serving.*beta\.yaml/)));
      await everywhere('/v1/beta/more', 200, 'the previous version');

      // 4. fixed, without the extra route
      files['beta.yaml'] = capabilityYaml({ name: 'beta', tools: [] });
      publish();
      await everywhere('/v1/beta/more', 404, 'the route to go');
      await everywhere('/v1/beta/items', 200, 'the fixed file');

      // 5. a removed file
      delete files['gamma.yaml'];
      publish();
      await everywhere('/v1/gamma/items', 404, 'the removed file to go');
    } finally {
      running = false;
      await Promise.all(load);
    }
    const reloads = await Promise.all(replicas.map(async (r) => ((await (await fetch(`${r.control}/status`)).json()) as { reloads: { applied: number } }).reloads.applied));
    console.log(`reload under load on 3 replicas: ${requests} requests through nginx, reloads applied per replica ${reloads.join('/')}, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(30);
    for (const applied of reloads) expect(applied).toBeGreaterThanOrEqual(4);
  }, 90_000);
});
