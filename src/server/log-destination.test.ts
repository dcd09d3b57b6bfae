import { afterEach, describe, expect, it } from 'vitest';
import { FdLogDestination } from './log-destination.js';

/** A file descriptor whose reader takes at most `room` bytes until it is given more (EAGAIN after that). */
function fakeFd() {
  const fd = {
    written: '',
    room: Number.POSITIVE_INFINITY,
    calls: 0,
    write: (_fd: number, data: Buffer): number => {
      fd.calls++;
      if (fd.room <= 0) throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' });
      const n = Math.min(data.length, fd.room);
      fd.written += data.subarray(0, n).toString('utf8');
      fd.room -= n;
      return n;
    },
  };
  return fd;
}

const opened: FdLogDestination[] = [];
function destination(fd: ReturnType<typeof fakeFd>, batchBytes = 16, extra: { maxHeldBytes?: number; exitStallMs?: number } = {}): FdLogDestination {
  const d = new FdLogDestination(99, { batchBytes, flushIntervalMs: 60_000, retryMs: 1, write: (f, data) => fd.write(f, data), droppedLine: (n) => `[${n} dropped]\n`, ...extra });
  opened.push(d);
  return d;
}

afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

describe('batched log destination', () => {
  it('holds lines until a batch is full, then writes them in one write', () => {
    const fd = fakeFd();
    const d = destination(fd);
    d.write('a1234\n');
    d.write('b1234\n');
    expect(fd.calls).toBe(0);
    d.write('c1234\n');
    expect(fd.calls).toBe(1);
    expect(fd.written).toBe('a1234\nb1234\nc1234\n');
    expect(d.pending()).toBe(0);
  });

  it('keeps what a reader that is behind does not take, in order, and never writes a byte twice', async () => {
    const fd = fakeFd();
    fd.room = 10;
    const d = destination(fd);
    for (const line of ['one-line\n', 'two-line\n', 'three-line\n']) d.write(line);
    expect(fd.written).toBe('one-line\nt');
    d.write('four-line\n'); // held: the retry is pending
    fd.room = Number.POSITIVE_INFINITY;
    await new Promise<void>((resolve, reject) => d.flush((error) => (error ? reject(error) : resolve())));
    expect(fd.written).toBe('one-line\ntwo-line\nthree-line\nfour-line\n');
    expect(d.pending()).toBe(0);
  });

  it('the exit flush waits for the reader to take everything held', () => {
    const fd = fakeFd();
    fd.room = 4;
    const d = destination(fd);
    for (let i = 0; i < 10; i++) d.write(`line-${i}\n`);
    expect(d.pending()).toBeGreaterThan(0);
    // The reader takes a few bytes each time it is asked again, as a slow pipe reader does.
    const write = fd.write;
    let asked = 0;
    fd.write = (f, data) => {
      if (++asked % 3 === 0) fd.room += 7;
      return write(f, data);
    };
    d.flushSync();
    expect(fd.written).toBe(Array.from({ length: 10 }, (_, i) => `line-${i}\n`).join(''));
    expect(d.pending()).toBe(0);
  });

  it('holds at most maxHeldBytes for a reader that is not reading: the oldest lines go, and the log says how many', async () => {
    const fd = fakeFd();
    fd.room = 0;
    const d = destination(fd, 10_000, { maxHeldBytes: 100 }); // no batch starts before the cap acts
    for (let i = 0; i < 100; i++) d.write(`line-${String(i).padStart(3, '0')}\n`); // 9 bytes each
    expect(d.pending()).toBeLessThanOrEqual(100);
    const dropped = d.droppedLines();
    expect(dropped).toBeGreaterThan(80);
    fd.room = Number.POSITIVE_INFINITY;
    await new Promise<void>((resolve, reject) => d.flush((error) => (error ? reject(error) : resolve())));
    const lines = fd.written.split('\n').filter(Boolean);
    // The notice comes first, then the newest lines, in order, none cut.
    expect(lines[0]).toBe(`[${dropped} dropped]`);
    expect(lines.slice(1)).toEqual(Array.from({ length: 100 - dropped }, (_, i) => `line-${String(dropped + i).padStart(3, '0')}`));
    expect(d.droppedLines()).toBe(0);
  });

  it('the default notice is a JSON warning line a log pipeline can read', async () => {
    const fd = fakeFd();
    fd.room = 0;
    const d = new FdLogDestination(99, { batchBytes: 10_000, flushIntervalMs: 60_000, retryMs: 1, maxHeldBytes: 40, write: (f, data) => fd.write(f, data) });
    opened.push(d);
    for (let i = 0; i < 20; i++) d.write(`{"n":${i}}\n`);
    fd.room = Number.POSITIVE_INFINITY;
    await new Promise<void>((resolve, reject) => d.flush((error) => (error ? reject(error) : resolve())));
    const first = JSON.parse(fd.written.split('\n')[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ level: 40, dropped: expect.any(Number), msg: expect.stringContaining('log line(s) dropped') });
    expect(typeof first.time).toBe('string');
  });

  it('the exit flush gives up on a reader that takes nothing for exitStallMs', () => {
    const fd = fakeFd();
    fd.room = 0;
    const d = destination(fd, 1024, { exitStallMs: 30 });
    d.write('never read\n');
    const started = Date.now();
    d.flushSync();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fd.written).toBe('');
  });

  it('drops lines once the reader is gone (EPIPE) instead of growing without end', async () => {
    const fd = fakeFd();
    const d = destination(fd);
    fd.write = () => {
      throw Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE' });
    };
    d.write('x'.repeat(20));
    d.write('y'.repeat(20));
    expect(d.pending()).toBe(0);
    await new Promise<void>((resolve, reject) => d.flush((error) => (error ? reject(error) : resolve())));
  });
});
