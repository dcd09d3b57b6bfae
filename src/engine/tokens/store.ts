/**
 * Token stores: where a token provider's tokens are shared beyond this process
 * (Redis across replicas, the cluster primary across `--workers`). Without a
 * store every process mints its own token; with one, one process mints and
 * the others use its token, refreshed at the same moment for all of them.
 *
 * A store must never make a call fail: when it cannot reach what it shares
 * through, it runs `mint` locally (as if there were no store).
 */
import { createHash } from 'node:crypto';

/** A minted token as every process sharing it sees it (epoch ms; the minting process's clock). */
export interface SharedToken {
  token: string;
  expiresAt: number;
  /** Serve until here, then mint again (skew, jitter and min validity applied by the minting process). */
  refreshAt: number;
  mintedAt: number;
  /** Safe to log (a `jti` or the token's length, never the token). */
  fingerprint: string;
}

export interface TokenStore {
  /**
   * A shared token for `key` that passes `fresh`, else the result of `mint`
   * run once across every process sharing the store (the others wait for it
   * and take its token). Rejects only when `mint` does.
   */
  obtain(key: string, fresh: (token: SharedToken) => boolean, mint: () => Promise<SharedToken>): Promise<SharedToken>;
  /** The upstream refused `token` (401): forget it everywhere, unless another token already replaced it. */
  reject(key: string, token: string): void;
}

/** What identifies one token across processes: never the secret, and hashed so no id or scope shows in the store. */
export function tokenStoreKey(parts: { variable: string; tokenUrl: string; clientId: string; scope: string; audience?: string; resource?: string }): string {
  const text = JSON.stringify([parts.variable, parts.tokenUrl, parts.clientId, parts.scope, parts.audience ?? '', parts.resource ?? '']);
  return createHash('sha256').update(text).digest('hex');
}
