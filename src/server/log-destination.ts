/**
 * Where request logs go when they are written to a file descriptor (stdout, or stderr in stdio MCP mode):
 * lines are held in memory and leave in batches, each written by a synchronous `write` on the runtime's
 * thread. A batch is never handed to another thread, so at any moment every byte is either accepted by the
 * kernel or still held here — and an exit (process.exit, a signal handler that exits, an uncaught exception)
 * writes exactly what is held, in order.
 *
 * (pino's asynchronous destination wrote each batch on the thread pool; when the reader was behind, the
 * batch in flight or waiting to retry after EAGAIN was skipped by the exit flush and up to 16 KB of lines
 * were lost — test/e2e/ops-log-flush.)
 *
 * The runtime's stdout is non-blocking when it is a pipe, so a reader that falls behind does not block the
 * runtime: a write that meets a full pipe (EAGAIN) keeps the rest and tries again shortly. Only the exit
 * flush waits for the reader, as long as it keeps reading. What is held is bounded (`maxHeldBytes`): past it the oldest held lines are
 * dropped and counted, and the first write after that says how many (a reader that never reads must not
 * grow the runtime's memory without end, nor make its exit wait for lines nobody reads).
 */
import { writeSync } from 'node:fs';

export interface LogDestinationOptions {
  /** Lines are written once about this many bytes are held. */
  batchBytes: number;
  /** How long a held line may wait for company before it is written (ms). */
  flushIntervalMs: number;
  /** How long to wait before writing again after the reader was behind (ms). */
  retryMs?: number;
  /** At exit, how long a reader may take no byte before the lines still held are given up (ms, default 5000). */
  exitStallMs?: number;
  /** Lines held beyond this many bytes drop the oldest ones (default 8 MiB). */
  maxHeldBytes?: number;
  /** The line written in place of `count` dropped lines (default: a JSON warning line). */
  droppedLine?: (count: number) => string;
  /** Test hook: the `write(2)` used (default fs.writeSync). */
  write?: (fd: number, data: Buffer) => number;
}

const RETRY_MS = 20;
const MAX_HELD_BYTES = 8 * 1024 * 1024;
const EXIT_STALL_MS = 5000;

const defaultDroppedLine = (count: number): string =>
  `${JSON.stringify({ level: 40, time: new Date().toISOString(), msg: `${count} log line(s) dropped: the log reader was not reading`, dropped: count })}\n`;

/** Destinations that hold lines: each writes them when the process exits. */
const live = new Set<FdLogDestination>();
let exitHookInstalled = false;

function flushAllAtExit(): void {
  for (const destination of live) destination.flushSync();
}

export class FdLogDestination {
  private held: string[] = [];
  /** Index of the oldest line of `held` not dropped (dropping shifts no array). */
  private heldStart = 0;
  private heldBytes = 0;
  /** Lines dropped since the last notice was written. */
  private dropped = 0;
  /** The unwritten part of the batch being written: the kernel took only part of it, or none (EAGAIN). */
  private rest: Buffer | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly writeFd: (fd: number, data: Buffer) => number;

  constructor(
    private readonly fd: number,
    private readonly options: LogDestinationOptions,
  ) {
    this.writeFd = options.write ?? writeSync;
    // A quiet process writes what it holds within flushIntervalMs, so `tail -f` stays live.
    this.timer = setInterval(() => {
      if (this.pending() > 0 && !this.retry) this.flush();
    }, options.flushIntervalMs);
    this.timer.unref();
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', flushAllAtExit);
    }
  }

  /** pino's stream interface: one serialised line. */
  write(line: string): boolean {
    if (this.closed) return true;
    this.held.push(line);
    this.heldBytes += line.length;
    if (this.heldBytes >= this.options.batchBytes && !this.retry) this.flush();
    if (this.heldBytes > (this.options.maxHeldBytes ?? MAX_HELD_BYTES)) this.dropOldest();
    return true;
  }

  /** Lines dropped because the reader was behind, not yet reported in the log. */
  droppedLines(): number {
    return this.dropped;
  }

  private dropOldest(): void {
    const max = this.options.maxHeldBytes ?? MAX_HELD_BYTES;
    // Down to half the cap, so a stalled reader costs one drop per half-cap of lines, not one per line.
    while (this.heldBytes > max / 2 && this.heldStart < this.held.length - 1) {
      this.heldBytes -= this.held[this.heldStart]!.length;
      this.held[this.heldStart++] = '';
      this.dropped++;
    }
  }

  /**
   * Writes what the kernel takes now; the rest is tried again shortly. `done` (pino's `logger.flush(cb)`)
   * runs once everything held is written, or with the error that made writing impossible.
   */
  flush(done?: (error?: Error) => void): void {
    let error: Error | undefined;
    try {
      this.writeHeld(false);
    } catch (e) {
      error = e as Error;
    }
    if (!done) return;
    if (error || this.pending() === 0) {
      done(error);
      return;
    }
    setTimeout(() => this.flush(done), this.options.retryMs ?? RETRY_MS).unref();
  }

  /** Writes everything held, waiting for a reader that is behind but still reading (the exit hook). */
  flushSync(): void {
    try {
      this.writeHeld(true);
    } catch {
      // the descriptor failed (closed, EPIPE…): nobody is left to read the lines
    }
  }

  /** Stops the timers and drops what is still held. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.held = [];
    this.heldStart = 0;
    this.heldBytes = 0;
    this.rest = undefined;
    live.delete(this);
  }

  /** What the kernel has not accepted yet (bytes, or characters before encoding). */
  pending(): number {
    return (this.rest?.length ?? 0) + this.heldBytes;
  }

  private writeHeld(wait: boolean): void {
    let progressAt = wait ? Date.now() : 0;
    while (!this.closed) {
      if (!this.rest) {
        if (this.heldBytes === 0) return;
        const lines = this.heldStart > 0 ? this.held.slice(this.heldStart) : this.held;
        if (this.dropped > 0) {
          lines.unshift((this.options.droppedLine ?? defaultDroppedLine)(this.dropped));
          this.dropped = 0;
        }
        this.rest = Buffer.from(lines.join(''), 'utf8');
        this.held = [];
        this.heldStart = 0;
        this.heldBytes = 0;
      }
      try {
        const n = this.writeFd(this.fd, this.rest);
        this.rest = n >= this.rest.length ? undefined : this.rest.subarray(n);
        if (wait && n > 0) progressAt = Date.now();
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
          this.close(); // EPIPE (the reader is gone) or a failed descriptor: later lines have nowhere to go
          if (code === 'EPIPE') return;
          throw e;
        }
        if (!wait) {
          this.scheduleRetry(); // the reader is behind: keep the rest, never block the runtime for it
          return;
        }
        // At exit: let a slow reader catch up, but not one that stopped reading (the process must end).
        if (Date.now() - progressAt > (this.options.exitStallMs ?? EXIT_STALL_MS)) return;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  }

  private scheduleRetry(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.flush();
    }, this.options.retryMs ?? RETRY_MS);
    this.retry.unref();
  }
}
