/**
 * Runs the real `runtime` command line in a child process (bin/runtime.js →
 * dist/). Rebuilds dist first when a source file is newer than it, so the
 * child runs the code under test.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Test files run in parallel processes: one builds (under a lock folder), the others wait for it. */
export function ensureBuilt(): void {
  if (built) return;
  const main = join(repoRoot, 'dist/cli/main.js');
  const stale = () => !existsSync(main) || statSync(main).mtimeMs < newest(join(repoRoot, 'src'));
  const lock = join(tmpdir(), `capability-runtime-build-${createHash('sha1').update(repoRoot).digest('hex').slice(0, 8)}.lock`);
  const deadline = Date.now() + 120_000;
  while (stale()) {
    try {
      mkdirSync(lock);
    } catch {
      // someone else is building; a lock older than two minutes is abandoned
      const info = statSync(lock, { throwIfNoEntry: false });
      if (info && Date.now() - info.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('Timed out waiting for another test process to build dist/');
      Atomics.wait(sleeper, 0, 0, 200);
      continue;
    }
    try {
      // A failed build fails the test with tsc's diagnostics: running a half-emitted dist/ would test
      // something other than the source.
      try {
        execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'pipe' });
      } catch (err) {
        const { stdout, stderr } = err as { stdout?: Buffer; stderr?: Buffer };
        const output = `${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`.trim();
        throw new Error(`tsc -p tsconfig.build.json failed; the CLI tests need a clean build:\n${output || String(err)}`);
      }
      const now = new Date();
      utimesSync(main, now, now);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
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
  /**
   * The URL a listener bound, from its `REST|MCP|CONTROL listening on <url>` line (info level):
   * start the child with port 0 and read the port here — never hand it a port probed earlier.
   */
  listening(kind: 'rest' | 'mcp' | 'control', timeoutMs?: number): Promise<string>;
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
  const waitForLine = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<string>((resolve, reject) => {
      const found = lines.find((l) => pattern.test(l));
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${pattern}; output so far:\n${lines.join('\n')}`)), timeoutMs);
      waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      void exited.then(() => setTimeout(() => reject(new Error(`The process exited before printing ${pattern}; output:\n${lines.join('\n')}`)), 50));
    });
  return {
    child,
    lines,
    output: () => lines.join('\n'),
    exited,
    waitForLine,
    listening: async (kind, timeoutMs) => {
      const pattern = new RegExp(`${kind.toUpperCase()} listening on (http://[^\\s"]+)`);
      return pattern.exec(await waitForLine(pattern, timeoutMs))![1]!;
    },
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/**
 * TCP ports a process is listening on (Linux /proc), for a child started with port 0 at a log
 * level that does not print its listeners. Empty until it has bound them.
 */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (socket) inodes.add(socket[1]!);
    } catch {
      // the descriptor closed while we looked
    }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      // sl local_address rem_address st … inode: state 0A is LISTEN
      const cols = row.trim().split(/\s+/);
      if (cols.length > 9 && cols[3] === '0A' && inodes.has(cols[9]!)) ports.push(parseInt(cols[1]!.split(':').pop()!, 16));
    }
  }
  return ports;
}
