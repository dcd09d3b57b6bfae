#!/usr/bin/env node
// CPU µs per request of the runtime for REST POST /v1/oauth2/token at each
// log level (info = one request log line per call, the default; warn = none):
// what the request log costs, in CPU time, so a busy machine still compares.
//   node bench/log-cpu.mjs [--duration 3] [--connections 8] [--rounds 3] [--levels info,warn]
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs, run, stopProcess, log } from './lib/common.mjs';
import { startRuntime } from './lib/runtime.mjs';
import { SEED, startUpstream } from './lib/rig.mjs';
import { TOKEN_FORM } from './lib/scenarios.mjs';

const args = parseArgs(process.argv.slice(2), { duration: '3', connections: '8', rounds: '3', levels: 'info,warn' });
const noPin = { wrap: (_role, cmd, a) => [cmd, a] };
const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
};
const upstream = await startUpstream({ pin: noPin });
const script = `/tmp/log-cpu-${process.pid}.lua`;
writeFileSync(script, `wrk.method="POST"\nwrk.body="${TOKEN_FORM}"\nwrk.headers["content-type"]="application/x-www-form-urlencoded"\n`);
const levels = String(args.levels).split(',');
const runtimes = {};
for (const level of levels) runtimes[level] = await startRuntime({ files: [SEED], upstreams: [['https://auth.leantech.me', upstream.url]], mcp: false, logLevel: level });
const results = {};
for (const level of levels) await run('wrk', ['-t1', '-c8', '-d1s', '-s', script, `${runtimes[level].restUrl}/v1/oauth2/token`]); // warm-up
for (let round = 0; round < Number(args.rounds); round++) {
  for (const level of levels) {
    const rt = runtimes[level];
    const t0 = cpuTicks(rt.pid);
    const r = await run('wrk', ['-t1', `-c${args.connections}`, `-d${args.duration}s`, '-s', script, `${rt.restUrl}/v1/oauth2/token`]);
    const us = ((cpuTicks(rt.pid) - t0) * 10000) / Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
    (results[level] ??= []).push(us);
    log(`${level.padEnd(5)} ${us.toFixed(1)} CPU µs/request`);
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
for (const [level, v] of Object.entries(results)) log(`${level}: median ${median(v).toFixed(1)} µs/request  (${v.map((x) => x.toFixed(0)).join(' ')})`);
for (const rt of Object.values(runtimes)) await stopProcess(rt.child);
await stopProcess(upstream.child);
process.exit(0);
