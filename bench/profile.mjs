#!/usr/bin/env node
// CPU profile of the runtime under one scenario (default: REST token POST):
// runs the runtime with `node --cpu-prof --cpu-prof-dir <dir>`, loads it,
// stops it with SIGINT (the profile is written on exit), and prints the top
// self-time functions and the self time per package/file.
//
//   node bench/profile.mjs [--scenario rest-token] [--duration 10] [--top 10] [--dir /tmp/…]
//   node bench/profile.mjs --summarize file.cpuprofile [--callers makeTransferable]
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanup, log, parseArgs, pinning, ROOT, round, stopProcess, table } from './lib/common.mjs';
import { chooseLoader, load } from './lib/loadgen.mjs';
import { startRig } from './lib/rig.mjs';
import { buildScenarios } from './lib/scenarios.mjs';

const opts = parseArgs(process.argv.slice(2), {
  scenario: 'rest-token',
  duration: 10,
  warmup: 2,
  connections: 32,
  top: 10,
  dir: '',
  summarize: '',
  callers: '',
  loader: 'auto',
  pin: true,
  gatewayCpu: 0,
  clientCpu: 1,
});

/** Self time per function and per origin (package / project file / node internals) from a .cpuprofile. */
export function summarize(file, top = 10) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
  }
  const shortUrl = (url) => {
    if (!url) return '';
    const u = url.replace(/^file:\/\//, '');
    const nm = u.lastIndexOf('node_modules/');
    if (nm >= 0) return u.slice(nm + 13);
    return u.startsWith(ROOT) ? path.relative(ROOT, u) : u;
  };
  const origin = (url) => {
    if (!url) return '(native/VM)';
    const u = shortUrl(url);
    if (url.startsWith('node:')) {
      // node:internal/deps/undici/undici → node:internal/deps/undici; node:internal/streams/x → node:internal/streams
      const parts = url.slice(5).split('/');
      if (parts[0] !== 'internal') return `node:${parts[0]}`;
      if (parts[1] === 'deps') return `node:internal/deps/${parts[2]}`;
      return `node:internal/${parts[1]}`;
    }
    if (url.includes('node_modules/')) return u.startsWith('@') ? u.split('/').slice(0, 2).join('/') : u.split('/')[0];
    return u;
  };
  const fns = new Map();
  const origins = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const name = cf.functionName || '(anonymous)';
    const key = `${name} ${shortUrl(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const o = ['(idle)', '(program)', '(garbage collector)'].includes(name) ? name : origin(cf.url);
    origins.set(o, (origins.get(o) ?? 0) + us);
  }
  const idle = fns.get('(idle) ') ?? 0;
  const busy = total - idle;
  const rank = (m) => [...m.entries()].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    file,
    totalMs: round(total / 1000, 1),
    busyMs: round(busy / 1000, 1),
    idlePct: round((idle / total) * 100, 1),
    topFunctions: rank(fns).map(([k, us]) => ({ fn: k, selfMs: round(us / 1000, 1), pctOfBusy: round((us / busy) * 100, 1) })),
    topOrigins: rank(origins).map(([k, us]) => ({ origin: k, selfMs: round(us / 1000, 1), pctOfBusy: round((us / busy) * 100, 1) })),
  };
}

/**
 * For the samples whose leaf function is `name`: the nearest ancestors that
 * are not Node internals (the npm package or project code that asked for it).
 */
export function callers(file, name, top = 10) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const out = new Map();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const leaf = byId.get(prof.samples[i]);
    if (leaf.callFrame.functionName !== name) continue;
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    let id = parent.get(leaf.id);
    const chain = [];
    while (id !== undefined && chain.length < 3) {
      const cf = byId.get(id).callFrame;
      if (cf.url && !cf.url.startsWith('node:')) chain.push(`${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*node_modules\//, '').replace(`file://${ROOT}/`, '')}:${cf.lineNumber + 1}`);
      id = parent.get(id);
    }
    const key = chain.join(' ← ') || '(no package frame)';
    out.set(key, (out.get(key) ?? 0) + dt);
  }
  return [...out.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ via: k, selfMs: round(us / 1000, 1), pct: round((us / total) * 100, 1) }));
}

export function formatSummary(s) {
  return [
    `profile ${s.file}: ${s.totalMs} ms sampled, ${s.idlePct}% idle`,
    table(['self % busy', 'self ms', 'function (file:line)'], s.topFunctions.map((f) => [`${f.pctOfBusy}%`, f.selfMs, f.fn]), ['r', 'r', 'l']),
    '',
    table(['self % busy', 'self ms', 'origin'], s.topOrigins.map((f) => [`${f.pctOfBusy}%`, f.selfMs, f.origin]), ['r', 'r', 'l']),
  ].join('\n');
}

async function main() {
  if (opts.summarize) {
    if (opts.callers) {
      process.stdout.write(`${table(['%', 'self ms', `callers of ${opts.callers} (nearest non-Node frames)`], callers(opts.summarize, opts.callers, opts.top).map((c) => [`${c.pct}%`, c.selfMs, c.via]), ['r', 'r', 'l'])}\n`);
      return;
    }
    process.stdout.write(`${formatSummary(summarize(opts.summarize, opts.top))}\n`);
    return;
  }
  const dir = opts.dir || path.join(os.tmpdir(), `bench-cpuprof-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const pin = pinning(opts);
  const loader = chooseLoader(opts.loader);
  const want = opts.scenario === 'mcp-list' ? { main: false, tools: true } : { main: true, tools: false };
  const rig = await startRig({ pin, nginx: false, want, runtimeNodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  const s = buildScenarios({ main: rig.main ?? {}, tools: rig.tools ?? {}, upstreamUrl: rig.upstream.url, nginxUrl: null, toolsSource: rig.toolsLabel }).find((x) => x.id === opts.scenario);
  if (!s) throw new Error(`unknown scenario ${opts.scenario}`);
  if (opts.warmup) await load(loader, pin, s.target, { durationS: opts.warmup, connections: opts.connections });
  const r = await load(loader, pin, s.target, { durationS: opts.duration, connections: opts.connections });
  log(`${s.id}: ${Math.round(r.rps)} req/s under the profiler (p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, errors ${r.errors})`);
  const rt = rig.main ?? rig.tools;
  await stopProcess(rt.child, 'SIGINT', 15000);
  await cleanup();
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${dir} (the runtime did not exit cleanly on SIGINT?)`);
  process.stdout.write(`${formatSummary(summarize(path.join(dir, files[0]), opts.top))}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch(async (error) => {
    process.stderr.write(`bench/profile: ${error.stack ?? error}\n`);
    await cleanup();
    process.exit(1);
  });
}
