/**
 * The Redis stores in one process against a real redis-server, with several
 * providers / stores standing for several replicas: tokens minted once and
 * sealed, a different sealing key never reads them, a rejected token is
 * dropped for everyone, rate-limit buckets shared, and Redis down/up handled.
 */
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTokenProviders, parseTokenProviderSpecs, type ClientCredentialsProvider } from '../../../src/engine/tokens/index.js';
import { UpstreamClient } from '../../../src/engine/upstream/client.js';
import { UpstreamRoutes } from '../../../src/engine/upstream/routes.js';
import { RedisBucketStore, type BucketRule, type BucketStore, type TakeResult } from '../../../src/server/shared-state/redis-bucket-store.js';
import { RedisState, RedisTokenStore, Sealer } from '../../../src/server/shared-state/index.js';
import { startEchoUpstream, type EchoUpstream, type RecordedRequest, type Reply } from '../../helpers/echo-upstream.js';
import { redisServer, scratch, startRedis, type RedisServer, type Scratch } from '../deploy-helpers/services.js';
import { waitFor } from '../ops-helpers/fixtures.js';

if (!redisServer) console.warn('redis-server not installed (Debian package redis-server; .ci/run installs it): the Redis store tests are skipped');

const ENV = { IDP_CLIENT_ID: 'client-1', IDP_CLIENT_SECRET: 'stores-canary-secret-77e1' };
const KEY = 'stores-test-state-key-abcdefghijklmnopqrstuvwxyz';

describe.skipIf(!redisServer)('shared-state stores on a real Redis', () => {
  let dir: Scratch;
  let redis: RedisServer;
  let idp: EchoUpstream;
  let reply: (req: RecordedRequest) => Reply | Promise<Reply>;
  let minted = 0;
  const client = new UpstreamClient({ timeoutMs: 2000 });
  const states: RedisState[] = [];
  const tokenRequests = () => idp.requests.filter((r) => r.path === '/oauth2/token').length;

  const connect = async (prefix = 'stores:') => {
    const state = new RedisState(redis.url, { keyPrefix: prefix });
    states.push(state);
    await waitFor(() => state.isUp || undefined, 5000, 'Redis connection');
    return state;
  };
  const replica = async (secret = KEY, prefix = 'stores:'): Promise<{ provider: ClientCredentialsProvider; store: RedisTokenStore; state: RedisState }> => {
    const state = await connect(prefix);
    const store = new RedisTokenStore(state, Sealer.fromSecret(secret), { pollMs: 10 });
    const specs = parseTokenProviderSpecs('API_TOKEN=client_credentials:https://idp.example.com/oauth2/token?client_id_env=IDP_CLIENT_ID&client_secret_env=IDP_CLIENT_SECRET&scope=api');
    const provider = createTokenProviders(specs, { client, env: ENV, routes: new UpstreamRoutes([['https://idp.example.com', idp.url]]), tokenStore: store }).provider('API_TOKEN')!;
    return { provider, store, state };
  };

  beforeAll(async () => {
    dir = scratch();
    redis = await startRedis(dir.path);
    idp = await startEchoUpstream((req) => reply(req));
  });
  afterAll(async () => {
    await Promise.all(states.map((s) => s.close()));
    await client.close();
    await idp?.close();
    await redis?.stop();
    dir?.cleanup();
  });
  beforeEach(async () => {
    idp.requests.length = 0;
    reply = async () => {
      await new Promise((r) => setTimeout(r, 30)); // a mint takes a moment: the others must wait for it, not race it
      return { body: { access_token: `tok-${++minted}`, token_type: 'Bearer', expires_in: 3599 } };
    };
    const admin = new Redis({ path: redis.socket, maxRetriesPerRequest: 0 });
    await admin.flushall();
    admin.disconnect();
  });

  it('three replicas, 60 concurrent gets: one mint, everyone gets the same token', async () => {
    const replicas = await Promise.all([replica(), replica(), replica()]);
    const tokens = await Promise.all(replicas.flatMap((r) => Array.from({ length: 20 }, () => r.provider.get('API_TOKEN'))));
    expect(new Set(tokens).size).toBe(1);
    expect(tokenRequests()).toBe(1);
    expect(replicas.map((r) => r.store.counts.minted).reduce((a, b) => a + b)).toBe(1);
    expect(replicas.map((r) => r.store.counts.shared).reduce((a, b) => a + b)).toBe(2);
  });

  it('a replica with another RUNTIME_STATE_KEY cannot read the sealed token (it mints its own)', async () => {
    const a = await replica();
    const b = await replica('another-state-key-that-is-long-enough-0000');
    const first = await a.provider.get('API_TOKEN');
    const second = await b.provider.get('API_TOKEN');
    expect(second).not.toBe(first);
    expect(tokenRequests()).toBe(2);
  });

  it('a token rejected upstream by one replica is replaced once for all', async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    const old = await a.provider.get('API_TOKEN');
    expect(await b.provider.get('API_TOKEN')).toBe(old);
    a.provider.invalidate('API_TOKEN', old);
    b.provider.invalidate('API_TOKEN', old);
    const [na, nb] = await Promise.all([a.provider.get('API_TOKEN'), b.provider.get('API_TOKEN')]);
    expect(na).not.toBe(old);
    expect(nb).toBe(na);
    expect(tokenRequests()).toBe(2);
  });

  it('Redis down: tokens are minted locally (counted), never an error; Redis back: shared again', async () => {
    const a = await replica();
    const registry = new Registry();
    a.state.registerMetrics(registry);
    a.store.registerMetrics(registry);
    await redis.kill();
    await waitFor(() => !a.state.isUp || undefined, 5000, 'the outage to be noticed');
    expect(await a.provider.get('API_TOKEN')).toMatch(/^tok-/);
    const metrics = await registry.metrics();
    expect(metrics).toContain('runtime_shared_state_up 0');
    expect(metrics).toMatch(/runtime_shared_state_fallbacks_total\{store="tokens"\} [1-9]/);
    expect(metrics).toMatch(/runtime_token_store_total\{outcome="local"\} 1/);

    await redis.restart();
    await waitFor(() => a.state.isUp || undefined, 10_000, 'the reconnection');
    const b = await replica();
    a.provider.invalidate('API_TOKEN', await a.provider.get('API_TOKEN'));
    idp.requests.length = 0;
    const [ta, tb] = await Promise.all([a.provider.get('API_TOKEN'), b.provider.get('API_TOKEN')]);
    expect(ta).toBe(tb);
    expect(tokenRequests()).toBe(1);
    expect(await registry.metrics()).toContain('runtime_shared_state_up 1');
  }, 30_000);

  it('rate-limit buckets are shared: two replicas draw on one bucket; Redis down → local buckets answer', async () => {
    const local = (): BucketStore => {
      const taken = new Map<string, number>();
      return {
        take: async (key: string, rule: BucketRule): Promise<TakeResult> => {
          const n = (taken.get(key) ?? 0) + 1;
          taken.set(key, n);
          return { allowed: n <= rule.capacity, remaining: Math.max(0, rule.capacity - n), resetMs: 1000, retryAfterMs: n <= rule.capacity ? 0 : 1000 };
        },
        size: () => taken.size,
      };
    };
    const [sa, sb] = await Promise.all([connect(), connect()]);
    const a = new RedisBucketStore(sa, local());
    const b = new RedisBucketStore(sb, local());
    const rule = { capacity: 3, refillPerSecond: 0.5 };
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await (i % 2 === 0 ? a : b).take('rest:banks|caller-1', rule));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false, false]);
    expect(results[2]).toMatchObject({ remaining: 0 });
    expect(results[3]!.retryAfterMs).toBeGreaterThan(1000);
    expect(results[3]!.retryAfterMs).toBeLessThanOrEqual(2000);
    // another caller has its own bucket
    expect((await a.take('rest:banks|caller-2', rule)).allowed).toBe(true);
    // a bucket key expires when it would be full again
    const admin = new Redis({ path: redis.socket, maxRetriesPerRequest: 0 });
    const ttl = await admin.pttl('stores:ratelimit:rest:banks|caller-1');
    admin.disconnect();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(6000);

    await redis.kill();
    await waitFor(() => (!sa.isUp && !sb.isUp) || undefined, 5000, 'the outage to be noticed');
    expect((await a.take('rest:banks|caller-1', rule)).allowed).toBe(true); // the local bucket is fresh
    expect(sa.fallbacks().ratelimit).toBeGreaterThan(0);
    await redis.restart();
    await waitFor(() => (sa.isUp && sb.isUp) || undefined, 10_000, 'the reconnection');
  }, 30_000);
});
