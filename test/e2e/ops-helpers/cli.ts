/**
 * Runs the real `runtime` command line in a child process (bin/runtime.js →
 * dist/). Rebuilds dist first when a source file is newer than it, so the
 * child runs the code under test.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

function newest(dir: string): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) max = Math.max(max, newest(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) max = Math.max(max, statSync(full).mtimeMs);
  }
  return max;
}

let built = false;
export function ensureBuilt(): void {
  if (built) return;
  const main = join(repoRoot, 'dist/cli/main.js');
  if (!existsSync(main) || statSync(main).mtimeMs < newest(join(repoRoot, 'src'))) {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'pipe' });
  }
  built = true;
}

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr lines so far. */
  lines: string[];
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): void;
}

export function runCli(args: string[], env: Record<string, string> = {}, cwd = repoRoot): CliProcess {
  ensureBuilt();
  const child = spawn(process.execPath, [join(repoRoot, 'bin/runtime.js'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (w.pattern.test(line)) w.resolve(line);
        else waiters.push(w);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    lines,
    output: () => lines.join('\n'),
    exited,
    waitForLine: (pattern, timeoutMs = 15_000) =>
      new Promise<string>((resolve, reject) => {
        const found = lines.find((l) => pattern.test(l));
        if (found) return resolve(found);
        const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${pattern}; output so far:\n${lines.join('\n')}`)), timeoutMs);
        waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void exited.then(() => setTimeout(() => reject(new Error(`The process exited before printing ${pattern}; output:\n${lines.join('\n')}`)), 50));
      }),
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
