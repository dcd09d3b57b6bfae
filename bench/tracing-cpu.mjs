#!/usr/bin/env node
// CPU µs per request of the runtime for REST POST /v1/oauth2/token with
// tracing off, on (ratio 1) and on (ratio 0.01), spans exported to a local
// OTLP/HTTP sink answering 200. CPU time, not req/s: the machine is shared.
//   node bench/tracing-cpu.mjs [--duration 3] [--connections 8] [--modes off,on,r001]
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs, run, stopProcess, log } from './lib/common.mjs';
import { startRuntime } from './lib/runtime.mjs';
import { SEED, startUpstream } from './lib/rig.mjs';
import { TOKEN_FORM } from './lib/scenarios.mjs';

const args = parseArgs(process.argv.slice(2), { duration: '3', connections: '8', modes: 'off,on,r001', rounds: '1' });
const noPin = { wrap: (_role, cmd, a) => [cmd, a] };

function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

const sink = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${sink.address().port}`;
const upstream = await startUpstream({ pin: noPin });
const script = `/tmp/tracing-cpu-${process.pid}.lua`;
writeFileSync(script, `wrk.method="POST"\nwrk.body="${TOKEN_FORM}"\nwrk.headers["content-type"]="application/x-www-form-urlencoded"\n`);

const modes = {
  off: {},
  on: { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl },
  r001: { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' },
};
const results = {};
for (let round = 0; round < Number(args.rounds); round++) {
  for (const mode of String(args.modes).split(',')) {
    const rt = await startRuntime({ files: [SEED], upstreams: [['https://auth.leantech.me', upstream.url]], mcp: true, env: { OTEL_SDK_DISABLED: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', ...modes[mode] }, logLevel: 'info', nodeArgs: process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [] });
    const url = `${rt.restUrl}/v1/oauth2/token`;
    await run('wrk', ['-t1', '-c8', '-d1s', '-s', script, url]); // warm-up
    const t0 = cpuTicks(rt.pid);
    const r = await run('wrk', ['-t1', `-c${args.connections}`, `-d${args.duration}s`, '-s', script, url]);
    const t1 = cpuTicks(rt.pid);
    const reqs = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0;
    const us = ((t1 - t0) * 10000) / reqs;
    (results[mode] ??= []).push(us);
    log(`${mode.padEnd(5)} ${reqs} requests (non-2xx ${non2xx})  ${us.toFixed(1)} CPU µs/request`);
    await stopProcess(rt.child, process.env.PROF ? 'SIGINT' : 'SIGTERM');
  }
}
for (const [mode, v] of Object.entries(results)) log(`${mode}: median ${v.sort((a, b) => a - b)[v.length >> 1].toFixed(1)} µs/request  (${v.map((x) => x.toFixed(0)).join(' ')})`);
await stopProcess(upstream.child);
sink.close();

process.exit(0);
