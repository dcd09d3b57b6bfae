import { describe, expect, it } from 'vitest';
import { HttpListener } from './listener.js';

/** A promise with its resolver outside: the tests open gates and wait for arrivals, never for time. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('HttpListener', () => {
  it('swaps handlers atomically: a request in flight finishes on the old one, new requests get the new one', async () => {
    const arrived = deferred();
    const release = deferred();
    const listener = new HttpListener('rest', '127.0.0.1', 0, async () => {
      arrived.resolve();
      await release.promise;
      return new Response('old');
    });
    await listener.listen();
    try {
      const slow = fetch(listener.url).then((r) => r.text());
      await arrived.promise;
      expect(listener.activeRequests).toBe(1);
      listener.swap(() => new Response('new'));
      expect(await (await fetch(listener.url)).text()).toBe('new');
      release.resolve();
      expect(await slow).toBe('old');
    } finally {
      release.resolve();
      await listener.close(0);
    }
  });

  it('close() stops accepting, drains in-flight requests, and is bounded by the drain timeout', async () => {
    const arrivals = { ok: deferred(), stuck: deferred() };
    const releaseOk = deferred();
    // The stuck handler is released only after close() has returned: close() must not wait for it.
    const releaseStuck = deferred();
    const listener = new HttpListener('rest', '127.0.0.1', 0, async (req) => {
      if (new URL(req.url).pathname === '/stuck') {
        arrivals.stuck.resolve();
        await releaseStuck.promise;
      } else {
        arrivals.ok.resolve();
        await releaseOk.promise;
      }
      return new Response('done');
    });
    await listener.listen();
    const url = listener.url;
    try {
      const finishing = fetch(`${url}/ok`).then((r) => r.text());
      const stuck = fetch(`${url}/stuck`).then(
        (r) => r.text(),
        () => 'cut',
      );
      await Promise.all([arrivals.ok.promise, arrivals.stuck.promise]);
      expect(listener.activeRequests).toBe(2);

      const closed = listener.close(300);
      expect(listener.listening).toBe(false);
      await expect(fetch(url, { headers: { connection: 'close' } })).rejects.toThrow();
      // A request already inside the handler still gets its answer while draining.
      releaseOk.resolve();
      expect(await finishing).toBe('done');
      // The stuck one is cut when the drain timeout ends.
      await closed;
      expect(await stuck).toBe('cut');
    } finally {
      releaseOk.resolve();
      releaseStuck.resolve();
      await listener.close(0);
    }
  });
});
