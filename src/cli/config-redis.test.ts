/** `--redis-url` / RUNTIME_REDIS_URL / `redis:` in runtime.yaml. */
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../../test/e2e/ops-helpers/fixtures.js';
import { resolveServeConfig, UsageError } from './config.js';

let dir: TempDir | undefined;
afterEach(() => {
  dir?.cleanup();
  dir = undefined;
});

describe('shared state settings', () => {
  it('is off by default (in-memory state)', () => {
    expect(resolveServeConfig({}, {}, [], '/nonexistent-dir').redis).toBeUndefined();
  });

  it('takes the flag over the environment over runtime.yaml, as every setting', () => {
    dir = tempDir('redis-config-');
    dir.write('runtime.yaml', 'redis:\n  url: redis://file:6379/1\n  keyPrefix: "team-a:"\n');
    expect(resolveServeConfig({}, {}, [], dir.path).redis).toEqual({ url: 'redis://file:6379/1', keyPrefix: 'team-a:' });
    expect(resolveServeConfig({}, { RUNTIME_REDIS_URL: 'redis://env:6379' }, [], dir.path).redis).toEqual({ url: 'redis://env:6379' });
    expect(resolveServeConfig({ redisUrl: 'unix:///run/redis.sock' }, { RUNTIME_REDIS_URL: 'redis://env:6379', RUNTIME_REDIS_KEY_PREFIX: 'p:' }, [], dir.path).redis).toEqual({ url: 'unix:///run/redis.sock', keyPrefix: 'p:' });
    dir.write('runtime.yaml', 'redis: rediss://user:pw@cache.internal:6380/2\n');
    expect(resolveServeConfig({}, {}, [], dir.path).redis).toEqual({ url: 'rediss://user:pw@cache.internal:6380/2' });
  });

  it('refuses other schemes, bad databases and unknown keys, without echoing a password', () => {
    expect(() => resolveServeConfig({ redisUrl: 'http://redis:6379' }, {}, [], '/nonexistent-dir')).toThrow(/redis:\/\/, rediss:\/\/ or unix:\/\//);
    expect(() => resolveServeConfig({ redisUrl: 'redis://redis:6379/x' }, {}, [], '/nonexistent-dir')).toThrow(UsageError);
    let message = '';
    try {
      resolveServeConfig({ redisUrl: 'not a url :s3cret@' }, {}, [], '/nonexistent-dir');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/must be a URL/);
    dir = tempDir('redis-config-');
    dir.write('runtime.yaml', 'redis:\n  url: redis://r:6379\n  tls: true\n');
    expect(() => resolveServeConfig({}, {}, [], dir!.path)).toThrow(/unknown setting `tls`/);
    try {
      resolveServeConfig({ redisUrl: 'ftp://u:topsecret@h' }, {}, [], '/nonexistent-dir');
    } catch (error) {
      expect((error as Error).message).not.toContain('topsecret');
    }
  });
});
