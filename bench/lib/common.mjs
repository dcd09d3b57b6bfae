// Shared helpers for the bench scripts: arguments, processes, ports, CPU
// pinning, RSS, machine facts, statistics and table output. Plain ESM for
// Node 20 (no build step).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH_DIR, '..');
export const SHARED = path.resolve(ROOT, '..', 'shared');
export const LEAN_DIR = path.join(SHARED, 'lean', 'capabilities');
export const CORPUS_DIR = path.join(SHARED, 'corpus', 'apis-io');
export const RUNTIME_BIN = path.join(ROOT, 'bin', 'runtime.js');

// ---------------------------------------------------------------- arguments

/**
 * Tiny flag parser: `--name value`, `--name=value`, `--flag` (true),
 * `--no-flag` (false). `spec` maps a flag to its default; its type decides
 * how the value is read (number, boolean, string).
 */
export function parseArgs(argv, spec) {
  const out = { ...spec };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument: ${arg}`);
    arg = arg.slice(2);
    let value;
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const key = camel(arg);
    if (!(key in spec) && arg.startsWith('no-') && camel(arg.slice(3)) in spec) {
      out[camel(arg.slice(3))] = false;
      continue;
    }
    if (!(key in spec)) throw new Error(`unknown flag --${arg}`);
    const def = spec[key];
    if (typeof def === 'boolean') {
      out[key] = value === undefined ? true : !/^(0|false|no)$/i.test(value);
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new Error(`--${arg} needs a value`);
    }
    out[key] = typeof def === 'number' ? Number(value) : value;
    if (typeof def === 'number' && !Number.isFinite(out[key])) throw new Error(`--${arg}: not a number: ${value}`);
  }
  return out;
}

const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

// ---------------------------------------------------------------- processes

const children = new Set();

/** Spawn a child and remember it so that `killAll` (and exit) can stop it by pid. */
export function startProcess(command, args, { keepChars = 20000, ...options } = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdoutText = '';
  child.stderrText = '';
  child.stdout?.on('data', (d) => {
    child.stdoutText = (child.stdoutText + d).slice(-keepChars);
  });
  child.stderr?.on('data', (d) => {
    child.stderrText = (child.stderrText + d).slice(-keepChars);
  });
  return child;
}

export async function stopProcess(child, signal = 'SIGTERM', graceMs = 3000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(child.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

export async function killAll() {
  await Promise.all([...children].map((c) => stopProcess(c)));
}

const cleanupHooks = [];
export function onCleanup(fn) {
  cleanupHooks.push(fn);
}
async function cleanup() {
  await killAll();
  for (const fn of cleanupHooks.splice(0)) {
    try {
      await fn();
    } catch {}
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    process.stderr.write(`\nbench: ${sig}, stopping children\n`);
    cleanup().finally(() => process.exit(130));
  });
}
process.once('exit', () => {
  for (const c of children) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {}
  }
});
export { cleanup };

/** Run a command to completion, collecting output. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = startProcess(command, args, options);
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, stdout: child.stdoutText, stderr: child.stderrText }));
  });
}

export function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

// ---------------------------------------------------------------- pinning

/**
 * CPU layout. With 2+ CPUs and taskset: the gateway under test (runtime or
 * nginx) gets `gatewayCpu`, the load generator and the upstream share
 * `clientCpu` (mcp.md §2.4: server on CPU0, wrk on CPU1).
 */
export function pinning(opts) {
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  const taskset = which('taskset');
  const enabled = opts.pin !== false && cpus >= 2 && !!taskset;
  const prefix = (cpu) => (enabled ? [taskset, ['-c', String(cpu)]] : null);
  return {
    enabled,
    cpus,
    gatewayCpu: enabled ? opts.gatewayCpu : null,
    clientCpu: enabled ? opts.clientCpu : null,
    /** [command, args] wrapped in taskset for the given role. */
    wrap(role, command, args) {
      const p = prefix(role === 'gateway' ? opts.gatewayCpu : opts.clientCpu);
      return p ? [p[0], [...p[1], command, ...args]] : [command, args];
    },
  };
}

// ---------------------------------------------------------------- ports, readiness

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** One HTTP request without keep-alive. Resolves {status, headers, body} or rejects. */
export function request(url, { method = 'GET', headers = {}, body, timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { 'content-length': Buffer.byteLength(body), ...headers } : headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end(body);
  });
}

/** Poll `probe` (async, resolves truthy when ready) every `intervalMs` until `timeoutMs`. */
export async function waitFor(probe, { timeoutMs = 15000, intervalMs = 5, what = 'service', child } = {}) {
  const start = performance.now();
  let lastError;
  while (performance.now() - start < timeoutMs) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before answering:\n${child.stderrText || child.stdoutText}`);
    }
    try {
      if (await probe()) return performance.now() - start;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${what} did not answer within ${timeoutMs} ms (${lastError?.message ?? 'no answer'})${child ? `\n${child.stderrText}` : ''}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- memory, machine

/** Resident set size of a process in MB (VmRSS from /proc/<pid>/status), or null. */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

export function machineInfo() {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {}
  const version = (cmd, args, re) => {
    const p = which(cmd);
    if (!p) return null;
    const r = spawnSync(p, args, { encoding: 'utf8' });
    const text = `${r.stdout}${r.stderr}`;
    const m = re.exec(text);
    return m ? m[1] : text.trim().split('\n')[0];
  };
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: model,
    memTotalMb: Math.round(os.totalmem() / 1048576),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    git: (() => {
      const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
      const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' });
      return head.status === 0 ? `${head.stdout.trim()}${dirty.stdout.trim() ? ' (src modified)' : ''}` : null;
    })(),
    wrk: version('wrk', ['-v'], /wrk (\S+)/),
    nginx: version('nginx', ['-v'], /nginx\/(\S+)/),
    autocannon: (() => {
      try {
        return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version;
      } catch {
        return null;
      }
    })(),
  };
}

// ---------------------------------------------------------------- files

export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeResults(kind, data) {
  const dir = path.join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${stamp}${kind ? `-${kind}` : ''}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

export function requireBuild() {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  }
}

// ---------------------------------------------------------------- statistics, output

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export const round = (x, digits = 0) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);

export function table(headers, rows, align) {
  const cells = [headers, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? '—' : String(c))));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const fmt = (r) => r.map((c, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(fmt)].join('\n');
}

export const log = (...args) => process.stderr.write(`${args.join(' ')}\n`);

// ---------------------------------------------------------------- foreign CPU load

/** Busy jiffies of the whole machine (/proc/stat "cpu" line). */
function machineBusyTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0);
}

function procTicks(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields after comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    return { ppid: Number(rest[1]), self: Number(rest[11]) + Number(rest[12]), children: Number(rest[13]) + Number(rest[14]) };
  } catch {
    return null;
  }
}

function scanProcs() {
  const all = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const t = procTicks(name);
    if (t) all.set(Number(name), t);
  }
  return all;
}

/** Ticks of `root` and its live descendants (plus reaped children of `root` when `withReaped`). */
function treeTicks(all, root, withReaped) {
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, t] of all) {
      if (!tree.has(pid) && tree.has(t.ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of tree) {
    const t = all.get(pid);
    if (t) ticks += t.self + (withReaped && pid === root ? t.children : 0);
  }
  return ticks;
}

/**
 * Between `cpuWatch()` and calling the function it returns: the CPU used by
 * processes that are not ours (other people's builds and tests on a shared
 * machine) and by the server under test (`serverPid` and its descendants,
 * e.g. nginx workers), in cores. Our children that exited were reaped by us
 * and are counted in our cutime.
 */
export function cpuWatch(serverPid) {
  const hz = 100;
  const t0 = performance.now();
  const busy0 = machineBusyTicks();
  const all0 = scanProcs();
  const ours0 = treeTicks(all0, process.pid, true);
  const server0 = serverPid ? treeTicks(all0, serverPid, false) : 0;
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const all = scanProcs();
    const busy = (machineBusyTicks() - busy0) / hz / seconds;
    const ours = (treeTicks(all, process.pid, true) - ours0) / hz / seconds;
    const server = serverPid ? (treeTicks(all, serverPid, false) - server0) / hz / seconds : null;
    return { busyCores: round(busy, 2), oursCores: round(ours, 2), foreignCores: round(Math.max(0, busy - ours), 2), serverCores: round(server, 2) };
  };
}

/** Warn when other work is running: the numbers of a busy machine are not comparable. */
export async function warnIfBusy() {
  const stop = cpuWatch();
  await sleep(1000);
  const { foreignCores } = stop();
  if (foreignCores > 0.2) log(`WARNING   other processes use ${foreignCores} CPU core(s) right now: numbers will be low and noisy (see the "foreign" column)`);
  return foreignCores;
}
