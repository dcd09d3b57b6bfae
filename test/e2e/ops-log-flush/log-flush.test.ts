/**
 * Issue 17 item 1: request logs are batched (not one write per line) and never
 * block the runtime on a reader that is behind — and no line is lost when the
 * process ends: a normal end, process.exit, a signal handler exiting, or an
 * uncaught exception all write what is held, even to a reader that is behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, beforeAll } from 'vitest';
import { ensureBuilt } from '../ops-helpers/cli.js';
import { repoRoot } from '../../helpers/paths.js';

const CHILD = fileURLToPath(new URL('./log-child.mjs', import.meta.url));
const LINES = 20_000;

function run(ending: string): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, repoRoot, String(LINES), ending], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: requestLines(out) }));
  });
}

/**
 * The child's stdout is a FIFO that nobody reads until the child says (on stderr) that it is exiting, and
 * the child fills it before its first line: every line meets a reader that is behind.
 */
function runBehind(ending: string): Promise<{ code: number | null; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'log-flush-'));
  const fifo = join(dir, 'stdout');
  execFileSync('mkfifo', [fifo]);
  const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(fifo, constants.O_WRONLY);
  return new Promise<{ code: number | null; lines: string[] }>((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, repoRoot, String(LINES), ending, 'behind'], { stdio: ['ignore', writeFd, 'pipe'] });
    closeSync(writeFd);
    running.add(child);
    child.on('exit', () => running.delete(child));
    let out = '';
    let err = '';
    let reading = false;
    let ended!: () => void;
    const drained = new Promise<void>((done) => (ended = done));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      err += d;
      if (reading || !err.includes('exiting\n')) return;
      reading = true; // only now is the FIFO read: until here every write met a full pipe
      const reader = new Socket({ fd: readFd, readable: true, writable: false });
      reader.setEncoding('utf8');
      reader.on('data', (chunk: string) => (out += chunk));
      reader.on('end', ended);
      reader.on('error', reject);
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    child.on('error', reject);
    void Promise.all([exited, drained]).then(([code]) => resolve({ code, lines: requestLines(out) }));
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Children of a failed `runBehind` would wait for their reader for ever: the test ends them. */
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
});

const requestLines = (out: string) => out.split('\n').filter((l) => l.includes('"msg":"request"'));

describe('asynchronous request log: nothing lost at exit', () => {
  beforeAll(() => ensureBuilt());

  it.each(['end', 'exit', 'sigterm', 'crash'])('keeps every line when the process ends by %s', async (ending) => {
    const { code, lines } = await run(ending);
    expect(lines).toHaveLength(LINES);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ i: LINES - 1, status: 200 });
    if (ending === 'crash') expect(code).not.toBe(0);
  });

  // The lines still held when the process ends meet a full pipe: an exit must wait for the reader rather
  // than drop the batch it was writing (before the fix, a batch waiting on the thread pool or to retry
  // after EAGAIN was skipped by the exit flush).
  it.each(['end', 'exit', 'sigterm', 'crash'])('keeps every line when the process ends by %s while its reader is behind', async (ending) => {
    const { code, lines } = await runBehind(ending);
    expect(lines).toHaveLength(LINES);
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(Array.from({ length: LINES }, (_, i) => i));
    if (ending === 'crash') expect(code).not.toBe(0);
  });

  it('writes what it holds while the process stays quiet (batched lines are not kept until exit)', async () => {
    // 3 lines are far below the batch size: only the flush timer can write them.
    const child = spawn(process.execPath, [CHILD, repoRoot, '3', 'linger'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: string) => {
        out += d;
        if (out.split('\n').filter((l) => l.includes('"msg":"request"')).length === 3) resolve();
      });
    });
    const code = await new Promise<number | null>((resolve) => {
      child.on('close', resolve);
      child.stdin.write('done\n');
    });
    expect(code).toBe(0); // the parent's read ended it, not the child's own 60-s guard
  });
});
