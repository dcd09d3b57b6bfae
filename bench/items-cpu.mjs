#!/usr/bin/env node
// CPU µs per request of the runtime process for the mapped 20 KB GET and its
// passthrough twin, interleaved in one runtime: CPU time, not req/s, so a busy
// machine still gives comparable numbers (issue 17 item 3: mapped ≤ 15 % over raw).
//   node bench/items-cpu.mjs [--duration 3] [--connections 8] [--rounds 3]
//   PROF=/tmp/prof node bench/items-cpu.mjs   # also write a CPU profile of the runtime
import { readFileSync } from 'node:fs';
import { parseArgs, run, stopProcess, log } from './lib/common.mjs';
import { startRuntime } from './lib/runtime.mjs';
import { ITEMS_YAML, startUpstream } from './lib/rig.mjs';

const args = parseArgs(process.argv.slice(2), { duration: '3', connections: '8', rounds: '3' });
const noPin = { wrap: (_role, cmd, a) => [cmd, a] };

function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

const upstream = await startUpstream({ pin: noPin });
const rt = await startRuntime({
  files: [ITEMS_YAML],
  upstreams: [['https://items.bench.invalid', upstream.url]],
  mcp: false,
  logLevel: 'info',
  nodeArgs: process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [],
});
const paths = { mapped: '/v1/items/42?limit=50', raw: '/v1/items-raw/42?limit=50' };
const results = {};
for (const p of Object.values(paths)) await run('wrk', ['-t1', '-c8', '-d1s', `${rt.restUrl}${p}`]); // warm-up
for (let round = 0; round < Number(args.rounds); round++) {
  for (const [name, p] of Object.entries(paths)) {
    const t0 = cpuTicks(rt.pid);
    const r = await run('wrk', ['-t1', `-c${args.connections}`, `-d${args.duration}s`, `${rt.restUrl}${p}`]);
    const t1 = cpuTicks(rt.pid);
    const reqs = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0;
    const us = ((t1 - t0) * 10000) / reqs;
    (results[name] ??= []).push(us);
    log(`${name.padEnd(6)} ${reqs} requests (non-2xx ${non2xx})  ${us.toFixed(1)} CPU µs/request`);
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
for (const [name, v] of Object.entries(results)) log(`${name}: median ${median(v).toFixed(1)} µs/request  (${v.map((x) => x.toFixed(0)).join(' ')})`);
log(`mapping overhead: ${(((median(results.mapped) - median(results.raw)) / median(results.raw)) * 100).toFixed(1)} % CPU per request over passthrough (target ≤ 15 %)`);
await stopProcess(rt.child, process.env.PROF ? 'SIGINT' : 'SIGTERM');
await stopProcess(upstream.child);
process.exit(0);
