/**
 * `--workers N` without Redis: the workers share token-provider tokens
 * through the primary (IPC), so N workers mint one token, not N.
 *
 * The primary's TokenBroker keeps the current token per key and which worker
 * is minting it. A worker asks (`tokens:obtain`); the broker answers with a
 * fresh token, or grants this worker the mint (`grant`), or queues it until
 * the minting worker reports `tokens:minted` (everyone waiting gets the
 * token) or `tokens:failed` (the next waiter is granted the mint). A worker
 * that exits while minting counts as failed. Tokens cross only the IPC pipe
 * between processes of one user; they are never written anywhere.
 *
 * A worker that cannot reach the primary (or waits longer than the timeout)
 * mints for itself: sharing must never fail a call.
 */
import type { Registry } from 'prom-client';
import type { SharedToken, TokenStore } from '../engine/tokens/store.js';
import { registerTokenStoreMetrics } from './shared-state/token-store-metrics.js';

export type TokenToPrimary =
  | { type: 'tokens:obtain'; id: number; key: string; exclude?: string }
  | { type: 'tokens:minted'; key: string; token: SharedToken }
  | { type: 'tokens:failed'; key: string }
  | { type: 'tokens:reject'; key: string; token: string };

export type TokenToWorker = { type: 'tokens:answer'; id: number; token?: SharedToken; grant?: boolean };

export function isTokenMessage(message: unknown): message is TokenToPrimary {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && (message as { type: string }).type.startsWith('tokens:');
}

const MAX_TOKENS = 10_000;

interface Waiter {
  worker: number;
  id: number;
  reply: (message: TokenToWorker) => void;
}

/** Primary side. */
export class TokenBroker {
  private readonly tokens = new Map<string, SharedToken>();
  /** key → index of the worker minting it now. */
  private readonly minting = new Map<string, number>();
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(private readonly now: () => number = Date.now) {}

  handle(worker: number, message: TokenToPrimary, reply: (message: TokenToWorker) => void): void {
    switch (message.type) {
      case 'tokens:obtain': {
        const token = this.tokens.get(message.key);
        if (token && token.token !== message.exclude && this.now() < token.refreshAt) {
          reply({ type: 'tokens:answer', id: message.id, token });
        } else if (this.minting.has(message.key)) {
          const list = this.waiters.get(message.key) ?? [];
          list.push({ worker, id: message.id, reply });
          this.waiters.set(message.key, list);
        } else {
          this.minting.set(message.key, worker);
          reply({ type: 'tokens:answer', id: message.id, grant: true });
        }
        return;
      }
      case 'tokens:minted': {
        this.store(message.key, message.token);
        this.minting.delete(message.key);
        const list = this.waiters.get(message.key) ?? [];
        this.waiters.delete(message.key);
        for (const w of list) w.reply({ type: 'tokens:answer', id: w.id, token: message.token });
        return;
      }
      case 'tokens:failed':
        if (this.minting.get(message.key) === worker) this.handOver(message.key);
        return;
      case 'tokens:reject':
        if (this.tokens.get(message.key)?.token === message.token) this.tokens.delete(message.key);
        return;
    }
  }

  /** A worker exited: the mints it held go to the next waiter; its own waits are dropped. */
  workerGone(worker: number): void {
    for (const [key, list] of this.waiters) {
      const kept = list.filter((w) => w.worker !== worker);
      if (kept.length > 0) this.waiters.set(key, kept);
      else this.waiters.delete(key);
    }
    for (const [key, holder] of [...this.minting]) if (holder === worker) this.handOver(key);
  }

  private handOver(key: string): void {
    this.minting.delete(key);
    const list = this.waiters.get(key);
    const next = list?.shift();
    if (list && list.length === 0) this.waiters.delete(key);
    if (!next) return;
    this.minting.set(key, next.worker);
    next.reply({ type: 'tokens:answer', id: next.id, grant: true });
  }

  private store(key: string, token: SharedToken): void {
    const now = this.now();
    for (const [k, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(k);
    this.tokens.delete(key);
    this.tokens.set(key, token);
    while (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
  }
}

/** Worker side: a TokenStore that asks the primary. */
export class IpcTokenStore implements TokenStore {
  /** `shared` (another worker's token), `minted` (ours, handed to the primary), `local` (primary unreachable or too slow). */
  readonly counts = { shared: 0, minted: 0, local: 0 };
  private readonly pending = new Map<number, (answer: TokenToWorker) => void>();
  private readonly rejected = new Map<string, string>();
  private nextId = 1;
  private readonly onMessage = (message: unknown) => {
    const answer = message as TokenToWorker;
    if (answer?.type !== 'tokens:answer') return;
    const waiting = this.pending.get(answer.id);
    if (waiting) {
      this.pending.delete(answer.id);
      waiting(answer);
    } else if (answer.grant) {
      // We stopped waiting (timeout) and minted for ourselves: give the mint back at once.
      this.send({ type: 'tokens:failed', key: this.keyOf.get(answer.id) ?? '' });
    }
    this.keyOf.delete(answer.id);
  };
  private readonly keyOf = new Map<number, string>();

  constructor(
    private readonly channel: { send?: (message: unknown) => boolean; connected?: boolean; on(event: 'message', listener: (message: unknown) => void): unknown; off(event: 'message', listener: (message: unknown) => void): unknown } = process as never,
    private readonly timeoutMs = 15_000,
  ) {
    channel.on('message', this.onMessage);
  }

  async obtain(key: string, fresh: (token: SharedToken) => boolean, mint: () => Promise<SharedToken>): Promise<SharedToken> {
    const exclude = this.rejected.get(key);
    const answer = await this.ask(key, exclude);
    if (answer?.token && answer.token.token !== exclude && fresh(answer.token)) {
      this.counts.shared++;
      return answer.token;
    }
    if (!answer?.grant) {
      this.counts.local++;
      return mint();
    }
    let token: SharedToken;
    try {
      token = await mint();
    } catch (error) {
      this.send({ type: 'tokens:failed', key });
      throw error;
    }
    this.counts.minted++;
    this.send({ type: 'tokens:minted', key, token });
    return token;
  }

  reject(key: string, token: string): void {
    this.rejected.delete(key);
    this.rejected.set(key, token);
    if (this.rejected.size > 1_000) this.rejected.delete(this.rejected.keys().next().value!);
    this.send({ type: 'tokens:reject', key, token });
  }

  registerMetrics(registry: Registry): void {
    registerTokenStoreMetrics(registry, this.counts);
  }

  close(): void {
    this.channel.off('message', this.onMessage);
    for (const resolve of this.pending.values()) resolve({ type: 'tokens:answer', id: 0 });
    this.pending.clear();
  }

  private ask(key: string, exclude: string | undefined): Promise<TokenToWorker | undefined> {
    const id = this.nextId++;
    if (!this.send({ type: 'tokens:obtain', id, key, ...(exclude ? { exclude } : {}) })) return Promise.resolve(undefined);
    this.keyOf.set(id, key);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  private send(message: TokenToPrimary): boolean {
    if (!this.channel.connected || !this.channel.send) return false;
    try {
      this.channel.send(message); // false only means "queued behind a backlog": still delivered
      return true;
    } catch {
      return false;
    }
  }
}
