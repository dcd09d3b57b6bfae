/**
 * The primary's TokenBroker and the workers' IpcTokenStore, wired through an
 * in-process channel pair that delivers messages asynchronously like IPC.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { SharedToken } from '../engine/tokens/store.js';
import { IpcTokenStore, TokenBroker, isTokenMessage, type TokenToPrimary } from './cluster-token-store.js';

function cluster() {
  const broker = new TokenBroker();
  const workers: { store: IpcTokenStore; channel: EventEmitter & { connected: boolean; send(m: unknown): boolean } }[] = [];
  const worker = (index: number) => {
    const channel = Object.assign(new EventEmitter(), {
      connected: true,
      send(message: unknown) {
        setImmediate(() => {
          if (isTokenMessage(message)) broker.handle(index, message as TokenToPrimary, (answer) => setImmediate(() => channel.emit('message', answer)));
        });
        return true;
      },
    });
    const store = new IpcTokenStore(channel, 1000);
    workers.push({ store, channel });
    return store;
  };
  return { broker, worker };
}

const token = (value: string, refreshInMs = 60_000): SharedToken => ({ token: value, expiresAt: Date.now() + 120_000, refreshAt: Date.now() + refreshInMs, mintedAt: Date.now(), fingerprint: `len:${value.length}` });
const fresh = (t: SharedToken) => Date.now() < t.refreshAt;

describe('tokens shared through the cluster primary', () => {
  it('one mint for all workers; the others wait and get its token', async () => {
    const { worker } = cluster();
    const stores = [worker(0), worker(1), worker(2)];
    let mints = 0;
    const mint = async () => {
      mints++;
      await new Promise((r) => setTimeout(r, 20));
      return token(`tok-${mints}`);
    };
    const got = await Promise.all(stores.map((s) => s.obtain('k', fresh, mint)));
    expect(got.map((t) => t.token)).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(mints).toBe(1);
    // a later ask is answered from the primary without minting
    expect((await stores[1]!.obtain('k', fresh, mint)).token).toBe('tok-1');
    expect(mints).toBe(1);
  });

  it('a failed mint hands the mint to the next waiting worker', async () => {
    const { worker } = cluster();
    const [a, b] = [worker(0), worker(1)];
    let calls = 0;
    const mint = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      if (calls === 1) throw new Error('idp down');
      return token('tok-ok');
    };
    const results = await Promise.allSettled([a.obtain('k', fresh, mint), b.obtain('k', fresh, mint)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(calls).toBe(2);
  });

  it('a worker that exits while minting does not block the others', async () => {
    const { broker, worker } = cluster();
    const b = worker(1);
    broker.handle(0, { type: 'tokens:obtain', id: 1, key: 'k' }, () => undefined); // worker 0 is granted the mint…
    let grantedAfterGone = false;
    let gone = false;
    const waiting = b.obtain('k', fresh, async () => {
      grantedAfterGone = gone;
      return token('tok-b');
    });
    // b's ask is already queued with setImmediate (obtain sends synchronously); immediates run in
    // order, so once this one runs the broker holds b as a waiter. A timer here could fire first
    // on a stalled loop (timers run before immediates), and then b was never waiting.
    await new Promise((r) => setImmediate(r));
    gone = true;
    broker.workerGone(0); // …and dies
    expect((await waiting).token).toBe('tok-b');
    expect(grantedAfterGone).toBe(true);
  });

  it('a rejected token is not handed out again; a token due for refresh is re-minted', async () => {
    const { worker } = cluster();
    const a = worker(0);
    let n = 0;
    const mint = async () => token(`tok-${++n}`);
    expect((await a.obtain('k', fresh, mint)).token).toBe('tok-1');
    a.reject('k', 'tok-1');
    expect((await a.obtain('k', fresh, mint)).token).toBe('tok-2');
    const due = async () => token(`tok-${++n}`, -1);
    expect((await a.obtain('due', fresh, due)).token).toBe('tok-3');
    expect((await a.obtain('due', fresh, due)).token).toBe('tok-4');
  });

  it('without a primary (channel closed) a worker mints for itself', async () => {
    const channel = Object.assign(new EventEmitter(), { connected: false, send: () => false });
    const store = new IpcTokenStore(channel, 1000);
    expect((await store.obtain('k', fresh, async () => token('solo'))).token).toBe('solo');
    expect(store.counts.local).toBe(1);
  });
});
