/** Redis URLs as accepted by `--redis-url` (no ioredis import: the CLI parses flags without loading the client). */
import type { RedisOptions } from 'ioredis';

export interface RedisSettings {
  url: string;
  /** Prefix of every key (default `capability-runtime:`); replicas sharing state must use the same. */
  keyPrefix?: string;
}

export class RedisUrlError extends Error {}

/** `redis://[user:password@]host[:port][/db]`, `rediss://…` (TLS) or `unix:///path/to/redis.sock[?db=N]`. */
export function redisConnectionOptions(url: string): RedisOptions & { display: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUrlError(`--redis-url must be a URL such as redis://redis:6379/0 or unix:///run/redis.sock, got \`${redactUrl(url)}\``);
  }
  const db = parsed.protocol === 'unix:' ? Number(parsed.searchParams.get('db') ?? 0) : Number(parsed.pathname.replace(/^\//, '') || 0);
  if (!Number.isInteger(db) || db < 0) throw new RedisUrlError(`--redis-url: \`${redactUrl(url)}\` names no valid database number`);
  const auth = {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
  if (parsed.protocol === 'unix:') {
    if (!parsed.pathname || parsed.pathname === '/') throw new RedisUrlError('--redis-url unix:// needs the socket path, e.g. unix:///run/redis/redis.sock');
    return { path: decodeURIComponent(parsed.pathname), db, ...auth, display: `unix://${parsed.pathname}` };
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisUrlError(`--redis-url must use redis://, rediss:// or unix://, got \`${parsed.protocol}\``);
  }
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    ...auth,
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: parsed.hostname } } : {}),
    display: `${parsed.protocol}//${parsed.host}/${db}`,
  };
}

/** The URL without its password (for logs and errors). */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
