/**
 * Issue 17 item 1: request logs are written asynchronously (pino's buffered
 * destination, not one blocking write per line) — and no line is lost when
 * the process ends: a normal end, process.exit, a signal handler exiting, or
 * an uncaught exception all flush what is buffered.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, beforeAll } from 'vitest';
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
    child.on('close', (code) => resolve({ code, lines: out.split('\n').filter((l) => l.includes('"msg":"request"')) }));
  });
}

describe('asynchronous request log: nothing lost at exit', () => {
  beforeAll(() => ensureBuilt());

  it.each(['end', 'exit', 'sigterm', 'crash'])('keeps every line when the process ends by %s', async (ending) => {
    const { code, lines } = await run(ending);
    expect(lines).toHaveLength(LINES);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ i: LINES - 1, status: 200 });
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
