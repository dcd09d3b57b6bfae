/**
 * Issue 11 (Low): a cap on open connections per listener. Beyond the cap a new
 * connection is closed on arrival; the ones already open keep being served,
 * and once one closes a new connection is accepted again.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CONNECTIONS, HttpListener } from './listener.js';

/** A keep-alive connection that has been answered once (so the server surely accepted it). */
async function openAnswered(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed unanswered')));
    socket.once('data', () => resolve());
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  });
  return socket;
}

describe('HttpListener connection cap', () => {
  it('closes connections over maxConnections on arrival and accepts again once one closes', async () => {
    let drops = 0;
    const listener = new HttpListener('rest', '127.0.0.1', 0, () => new Response('ok'), { maxConnections: 2, onDrop: () => drops++ });
    await listener.listen();
    const open: Socket[] = [];
    try {
      open.push(await openAnswered(listener.port), await openAnswered(listener.port));
      // The third is closed by the server without an answer.
      const third = connect(listener.port, '127.0.0.1');
      let answered = false;
      third.on('data', () => (answered = true));
      third.on('error', () => {});
      await new Promise<void>((resolve) => third.once('close', () => resolve()));
      expect(answered).toBe(false);
      expect(drops).toBe(1);
      expect(listener.dropped).toBe(1);
      // One closes: room again.
      const first = open.shift()!;
      await new Promise<void>((resolve) => {
        first.once('close', () => resolve());
        first.destroy();
      });
      // The server learns of the close asynchronously: retry until a connection is accepted (no sleeping).
      let again: Socket | undefined;
      while (!again) again = await openAnswered(listener.port).catch(() => undefined);
      open.push(again);
    } finally {
      for (const socket of open) socket.destroy();
      await listener.close(0);
    }
  });

  it('has a sensible default', () => {
    expect(DEFAULT_MAX_CONNECTIONS).toBeGreaterThanOrEqual(256);
    expect(DEFAULT_MAX_CONNECTIONS).toBeLessThanOrEqual(10_000);
  });
});
