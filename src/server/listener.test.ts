import { describe, expect, it } from 'vitest';
import { HttpListener } from './listener.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('HttpListener', () => {
  it('swaps handlers atomically: a request in flight finishes on the old one, new requests get the new one', async () => {
    const listener = new HttpListener('rest', '127.0.0.1', 0, async () => {
      await wait(200);
      return new Response('old');
    });
    await listener.listen();
    try {
      const slow = fetch(listener.url).then((r) => r.text());
      await wait(50);
      expect(listener.activeRequests).toBe(1);
      listener.swap(() => new Response('new'));
      expect(await (await fetch(listener.url)).text()).toBe('new');
      expect(await slow).toBe('old');
    } finally {
      await listener.close(0);
    }
  });

  it('close() stops accepting, drains in-flight requests, and is bounded by the drain timeout', async () => {
    const listener = new HttpListener('rest', '127.0.0.1', 0, async (req) => {
      await wait(new URL(req.url).pathname === '/stuck' ? 5000 : 150);
      return new Response('done');
    });
    await listener.listen();
    const url = listener.url;
    const finishing = fetch(`${url}/ok`).then((r) => r.text());
    const stuck = fetch(`${url}/stuck`).then(
      (r) => r.text(),
      () => 'cut',
    );
    await wait(30);
    const t0 = Date.now();
    const closed = listener.close(400);
    expect(listener.listening).toBe(false);
    await expect(fetch(url, { headers: { connection: 'close' } })).rejects.toThrow();
    expect(await finishing).toBe('done');
    await closed;
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(await stuck).toBe('cut');
  });
});
