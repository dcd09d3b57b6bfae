/**
 * Token-provider tokens shared through Redis: one mint across every replica.
 *
 *   <prefix>token:<id>       `<hash>:<sealed token entry>`, expiring with the token
 *   <prefix>token-lock:<id>  the replica minting right now (SET NX PX, released by owner)
 *
 * A replica needing a token reads it; when there is none or it is due for
 * refresh, it takes the lock and mints, while the others poll for the new
 * token (Redis has no cheap "wait for this key" without a second connection;
 * a poll every 25 ms for the few hundred ms of a mint is cheaper). A lock
 * holder that dies is outlived by the lock's expiry, after which waiters
 * mint locally. The refresh moment is the minting replica's, so every
 * replica refreshes at once (one mint), not each at its own jittered time.
 *
 * Values are sealed (AES-256-GCM, see sealed.ts); the hash prefix lets a
 * rejected token be deleted atomically without decrypting in Redis.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { SharedToken, TokenStore } from '../../engine/tokens/store.js';
import { FALLBACK, type Fallback, type RedisState } from './redis.js';
import type { Sealer } from './sealed.js';
import { registerTokenStoreMetrics } from './token-store-metrics.js';

export interface RedisTokenStoreOptions {
  /** How long a minting replica holds the lock at most (default 15 s: above the token request timeout). */
  lockTtlMs?: number;
  /** How often a waiting replica looks for the new token (default 25 ms). */
  pollMs?: number;
}

/** Deletes the key only when it still holds the rejected token (another replica may have replaced it). */
const DELETE_IF_HASH = `if string.sub(redis.call('GET', KEYS[1]) or '', 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Releases the lock only when we still own it (it may have expired and been taken by another replica). */
const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const REJECTED_MAX = 1_000;
const STORE = 'tokens';

export class RedisTokenStore implements TokenStore {
  /** Outcomes: `shared` (another replica's token), `minted` (ours, stored for the others), `local` (Redis unusable: minted for this process only). */
  readonly counts = { shared: 0, minted: 0, local: 0 };
  /** Per key, the token last rejected here: never taken from Redis again, even before the delete lands. */
  private readonly rejected = new Map<string, string>();
  private readonly lockTtlMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly redis: RedisState,
    private readonly sealer: Sealer,
    options: RedisTokenStoreOptions = {},
  ) {
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.pollMs = options.pollMs ?? 25;
  }

  async obtain(key: string, fresh: (token: SharedToken) => boolean, mint: () => Promise<SharedToken>): Promise<SharedToken> {
    const usable = (t: SharedToken | undefined): t is SharedToken => t !== undefined && this.rejected.get(key) !== t.token && fresh(t);
    const tokenKey = this.redis.key('token', key);
    const lockKey = this.redis.key('token-lock', key);
    const deadline = Date.now() + this.lockTtlMs + 1_000;
    for (;;) {
      const stored = await this.read(tokenKey);
      if (stored === FALLBACK) return this.local(mint);
      if (usable(stored)) {
        this.counts.shared++;
        return stored;
      }
      const owner = randomUUID();
      const locked = await this.redis.run(STORE, (c) => c.set(lockKey, owner, 'PX', this.lockTtlMs, 'NX'));
      if (locked === FALLBACK) return this.local(mint);
      if (locked === 'OK') {
        try {
          // Another replica may have stored a token between our read and our lock.
          const again = await this.read(tokenKey);
          if (again !== FALLBACK && usable(again)) {
            this.counts.shared++;
            return again;
          }
          const token = await mint();
          this.counts.minted++;
          await this.write(tokenKey, token);
          return token;
        } finally {
          void this.redis.run(STORE, (c) => c.eval(RELEASE_IF_OWNER, 1, lockKey, owner));
        }
      }
      // Someone else is minting: wait for their token, or for the lock to be free again (their mint failed).
      if (Date.now() > deadline) return this.local(mint);
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  reject(key: string, token: string): void {
    this.rejected.delete(key);
    this.rejected.set(key, token);
    if (this.rejected.size > REJECTED_MAX) this.rejected.delete(this.rejected.keys().next().value!);
    void this.redis.run(STORE, (c) => c.eval(DELETE_IF_HASH, 1, this.redis.key('token', key), tokenHash(token)));
  }

  registerMetrics(registry: Registry): void {
    registerTokenStoreMetrics(registry, this.counts);
  }

  private async local(mint: () => Promise<SharedToken>): Promise<SharedToken> {
    this.counts.local++;
    return mint();
  }

  private async read(tokenKey: string): Promise<SharedToken | undefined | Fallback> {
    const raw = await this.redis.run(STORE, (c) => c.get(tokenKey));
    if (raw === FALLBACK || raw === null) return raw === null ? undefined : FALLBACK;
    const sealed = raw.slice(raw.indexOf(':') + 1);
    const plain = this.sealer.open(sealed, tokenKey);
    // Sealed with another key (a replica with a different RUNTIME_STATE_KEY) or damaged: as if absent; our mint overwrites it.
    if (plain === undefined) return undefined;
    try {
      const value = JSON.parse(plain) as SharedToken;
      return typeof value.token === 'string' && typeof value.refreshAt === 'number' && typeof value.expiresAt === 'number' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private async write(tokenKey: string, token: SharedToken): Promise<void> {
    const ttl = Math.floor(token.expiresAt - Date.now());
    if (ttl <= 0) return;
    const value = `${tokenHash(token.token)}:${this.sealer.seal(JSON.stringify(token), tokenKey)}`;
    await this.redis.run(STORE, (c) => c.set(tokenKey, value, 'PX', ttl));
  }
}

/** A short digest of the token: enough to recognise it, useless to call an API with. */
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}
