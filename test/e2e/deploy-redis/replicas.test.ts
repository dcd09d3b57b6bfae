/**
 * Three replicas behind a real nginx load balancer, sharing state through a
 * real redis-server, in front of the fake Lean:
 *
 *  - 64 concurrent first calls → exactly one token request at Lean;
 *  - Redis killed mid-run → requests keep succeeding (each replica falls back
 *    to its own token; a warning and runtime_shared_state_fallbacks_total);
 *  - Redis restarted → sharing resumes (one mint for all replicas again);
 *  - the token never appears in clear in Redis.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startLeanSandbox, type LeanSandbox } from '../../fakes/lean/index.js';
import { nginxBinary, redisServer, scratch, servicesSkipReason, startNginx, startRedis, startReplica, type Nginx, type RedisServer, type Replica, type Scratch } from '../deploy-helpers/services.js';
import { leanBanksCapability, TOKEN_PROVIDER_FLAG } from '../deploy-helpers/capabilities.js';

const available = Boolean(redisServer && nginxBinary);
if (!available) console.warn(servicesSkipReason());

const STATE_KEY = 'test-only-state-key-0123456789abcdef0123456789';

describe.skipIf(!available)('3 replicas sharing Redis behind nginx', () => {
  let dir: Scratch;
  let lean: LeanSandbox;
  let redis: RedisServer;
  let replicas: Replica[] = [];
  let nginx: Nginx;

  const tokenRequests = () => lean.journal.filter((e) => e.path === '/oauth2/token').length;
  const burst = async (n: number) => {
    const answers = await Promise.all(
      Array.from({ length: n }, async () => {
        const res = await nginx.fetch('/v1/banks');
        const text = await res.text();
        return res.status === 200 ? 200 : `${res.status} ${text}`;
      }),
    );
    return answers.filter((a) => a !== 200);
  };
  const metric = async (replica: Replica, name: string) => {
    const text = await (await fetch(`${replica.control}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith(name));
  };

  beforeAll(async () => {
    dir = scratch();
    lean = await startLeanSandbox({ strict: false });
    redis = await startRedis(dir.path);
    const caps = join(dir.path, 'capabilities');
    leanBanksCapability(caps);
    const args = [
      caps,
      '--redis-url',
      redis.url,
      '--upstream',
      `https://auth.leantech.me=${lean.authUrl}`,
      '--upstream',
      `https://api2.leantech.me=${lean.apiUrl}`,
      '--token-provider',
      TOKEN_PROVIDER_FLAG,
      '--log-level',
      'info',
    ];
    const env = { LEAN_CLIENT_ID: SANDBOX_CLIENT_ID, LEAN_CLIENT_SECRET: SANDBOX_CLIENT_SECRET, RUNTIME_STATE_KEY: STATE_KEY };
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(args, env)));
    await Promise.all(replicas.map((r) => r.child.waitForLine(/shared state on Redis/)));
    nginx = await startNginx(dir.path, replicas.map((r) => `127.0.0.1:${r.port}`));
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(replicas.map((r) => r.stop()));
    await redis?.stop();
    await lean?.close();
    dir?.cleanup();
  });

  it('64 concurrent first calls through the load balancer: one token request at Lean', async () => {
    lean.clearJournal();
    const t0 = performance.now();
    expect(await burst(64)).toEqual([]);
    const t1 = performance.now();
    expect(await burst(64)).toEqual([]);
    console.log(`64 first calls: ${Math.round(t1 - t0)} ms; 64 more: ${Math.round(performance.now() - t1)} ms`);
    expect(tokenRequests()).toBe(1);
    // every replica served some of them (round robin), and two of them took the token from Redis
    const served = await Promise.all(replicas.map(async (r) => (await metric(r, 'runtime_requests_total{')).reduce((n, l) => n + Number(l.split(' ').pop()), 0)));
    expect(served.every((n) => n > 0)).toBe(true);
    const outcomes = (await Promise.all(replicas.map((r) => metric(r, 'runtime_token_store_total{')))).flat();
    const count = (outcome: string) => outcomes.filter((l) => l.includes(`outcome="${outcome}"`)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(count('minted')).toBe(1);
    expect(count('shared')).toBe(2);
    expect(count('local')).toBe(0);
  }, 30_000);

  it('keeps the token sealed in Redis: no token, client id or secret in clear', async () => {
    const client = new Redis({ path: redis.socket, lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await client.connect();
      const keys = await client.keys('*');
      const tokenKeys = keys.filter((k) => k.startsWith('capability-runtime:token:'));
      expect(tokenKeys).toHaveLength(1);
      const value = (await client.get(tokenKeys[0]!))!;
      expect(value).toMatch(/^[0-9a-f]{32}:v1\./);
      expect(value).not.toContain('eyJ'); // no JWT (header, payload) in clear
      expect(keys.join(' ') + value).not.toContain(SANDBOX_CLIENT_ID);
      expect(keys.join(' ') + value).not.toContain(SANDBOX_CLIENT_SECRET);
      expect(await client.pttl(tokenKeys[0]!)).toBeGreaterThan(3_000_000); // expires with the token (3599 s)
    } finally {
      client.disconnect();
    }
  });

  it('Redis killed mid-run: requests keep succeeding; restarted: sharing resumes', async () => {
    let running = true;
    const failures: string[] = [];
    let requests = 0;
    const loop = async () => {
      while (running) {
        requests++;
        const errors = await burst(1).catch((error: Error) => [error.message]);
        failures.push(...errors.map(String));
      }
    };
    const load = Array.from({ length: 6 }, loop);
    try {
      await redis.kill();
      await Promise.all(replicas.map((r) => r.child.waitForLine(/Redis at .* is unreachable/)));

      // While Redis is away the token is invalidated (Lean rotates its signing keys): each replica
      // mints its own token and every call still succeeds (a 401, then one retry with the new token).
      lean.clearJournal();
      await lean.rotateKeys();
      expect(await burst(30)).toEqual([]);
      expect(tokenRequests()).toBeGreaterThanOrEqual(1);
      expect(tokenRequests()).toBeLessThanOrEqual(3);
      const fallbacks = (await Promise.all(replicas.map((r) => metric(r, 'runtime_shared_state_fallbacks_total{store="tokens"}')))).flat();
      expect(fallbacks.length).toBeGreaterThan(0);
      const up = (await Promise.all(replicas.map((r) => metric(r, 'runtime_shared_state_up ')))).flat();
      expect(up).toEqual(['runtime_shared_state_up 0', 'runtime_shared_state_up 0', 'runtime_shared_state_up 0']);

      await redis.restart();
      await Promise.all(replicas.map((r) => r.child.waitForLine(/is reachable again; sharing resumes/)));

      // Shared again: the next invalidation is answered by one mint for all three replicas.
      lean.clearJournal();
      await lean.rotateKeys();
      expect(await burst(64)).toEqual([]);
      expect(tokenRequests()).toBe(1);
    } finally {
      running = false;
      await Promise.all(load);
    }
    console.log(`redis outage: ${requests} requests under load, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(20);
    for (const r of replicas) expect(r.child.lines.join('\n')).not.toContain(SANDBOX_CLIENT_SECRET);
  }, 60_000);

  it('nginx logged no upstream errors', () => {
    let errors = '';
    try {
      errors = readFileSync(join(dir.path, 'nginx-error.log'), 'utf8');
    } catch {
      // no log: no errors
    }
    expect(errors).not.toMatch(/\[error\]/);
  });
});
