#!/usr/bin/env node
// CPU µs per request of the runtime process (utime + stime from /proc, so a
// busy machine changes req/s but hardly this), for REST POST /v1/oauth2/token
// and MCP tools/call of the same operation, in these modes:
//   off    plain runtime, tracing off
//   pol    bench/config/runtime.all-policies.yaml, tracing off
//   r001   plain runtime, tracing on, parentbased_traceidratio 0.01 (≈ all requests unsampled)
//   on     plain runtime, tracing on, every request sampled (the SDK default)
//   polon  all policies + tracing on, every request sampled (the bench's "all policies" row)
//   poljson  polon with OTEL_EXPORTER_OTLP_PROTOCOL=http/json (spans go as protobuf otherwise)
// Spans go to a local OTLP/HTTP sink answering 200. Rounds interleave every
// (build, surface, mode), and medians are printed at the end.
//   node bench/tracing-cpu.mjs [--duration 3] [--warmup 3] [--connections 8] [--modes off,pol,r001,on,polon]
//                              [--surfaces rest,mcp] [--rounds 3] [--builds a=/path/to/other/checkout,b=.]
// --builds compares checkouts (each must be built): label=directory holding bin/runtime.js.
// PROF=dir writes a --cpu-prof profile per runtime (summarize with bench/profile.mjs --summarize).
import http from 'node:http';
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs, run, stopProcess, log, ROOT } from './lib/common.mjs';
import { startRuntime, MCP_HEADERS } from './lib/runtime.mjs';
import { SEED, ALL_POLICIES_YAML, startUpstream } from './lib/rig.mjs';
import { TOKEN_FORM, MCP_CALL_BODY, CORS_ORIGIN } from './lib/scenarios.mjs';

const args = parseArgs(process.argv.slice(2), { duration: '3', warmup: '3', connections: '8', modes: 'off,pol,r001,on,polon', surfaces: 'rest,mcp', rounds: '1', builds: `this=${ROOT}`, logLevel: 'info' });
const noPin = { wrap: (_role, cmd, a) => [cmd, a] };

function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

let exports = 0;
const sink = http.createServer((req, res) => {
  exports++;
  req.resume();
  req.on('end', () => (req.headers['content-type'] === 'application/x-protobuf' ? res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end() : res.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
});
await new Promise((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${sink.address().port}`;
const upstream = await startUpstream({ pin: noPin });

const lua = (method, body, headers) => `wrk.method="${method}"\nwrk.body=${JSON.stringify(body)}\n${Object.entries(headers).map(([k, v]) => `wrk.headers["${k}"]="${v}"`).join('\n')}\n`;
const scripts = {
  rest: `/tmp/tracing-cpu-${process.pid}-rest.lua`,
  restCors: `/tmp/tracing-cpu-${process.pid}-rest-cors.lua`,
  mcp: `/tmp/tracing-cpu-${process.pid}-mcp.lua`,
};
const form = { 'content-type': 'application/x-www-form-urlencoded' };
writeFileSync(scripts.rest, lua('POST', TOKEN_FORM, form));
writeFileSync(scripts.restCors, lua('POST', TOKEN_FORM, { ...form, origin: CORS_ORIGIN })); // CORS does its work on the policies runtime
writeFileSync(scripts.mcp, lua('POST', MCP_CALL_BODY, MCP_HEADERS));

const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'false' };
const modes = {
  off: { env: { OTEL_TRACES_EXPORTER: 'none' } },
  pol: { env: { OTEL_TRACES_EXPORTER: 'none' }, policies: true },
  r001: { env: { ...tracing, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' } },
  on: { env: tracing },
  polon: { env: tracing, policies: true },
  poljson: { env: { ...tracing, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, policies: true },
};
const builds = String(args.builds)
  .split(',')
  .map((b) => b.split('='))
  .map(([label, dir]) => ({ label, bin: path.join(path.resolve(dir), 'bin', 'runtime.js') }));
const surfaces = String(args.surfaces).split(',');
const results = {};
for (let round = 0; round < Number(args.rounds); round++) {
  for (const mode of String(args.modes).split(',')) {
    for (const build of builds) {
      const m = modes[mode];
      if (!m) throw new Error(`unknown mode ${mode}`);
      const rt = await startRuntime({
        bin: build.bin,
        files: [SEED],
        upstreams: [['https://auth.leantech.me', upstream.url]],
        mcp: true,
        extraArgs: m.policies ? ['--config', ALL_POLICIES_YAML] : [],
        env: { OTEL_SDK_DISABLED: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_EXPORTER_OTLP_PROTOCOL: '', OTEL_TRACES_SAMPLER: '', OTEL_TRACES_SAMPLER_ARG: '', ...m.env },
        logLevel: args.logLevel,
        nodeArgs: process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [],
      });
      for (const surface of surfaces) {
        const url = surface === 'rest' ? `${rt.restUrl}/v1/oauth2/token` : `${rt.mcpUrl}/mcp`;
        const script = surface === 'mcp' ? scripts.mcp : m.policies ? scripts.restCors : scripts.rest;
        await run('wrk', ['-t1', `-c${args.connections}`, `-d${args.warmup}s`, '-s', script, url]); // warm-up: the JIT first, or the first rounds measure the compiler
        const e0 = exports;
        const t0 = cpuTicks(rt.pid);
        const r = await run('wrk', ['-t1', `-c${args.connections}`, `-d${args.duration}s`, '-s', script, url]);
        const t1 = cpuTicks(rt.pid);
        const reqs = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
        const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0;
        const us = ((t1 - t0) * 10000) / reqs;
        const key = `${surface} ${mode}${builds.length > 1 ? ` ${build.label}` : ''}`;
        (results[key] ??= []).push(us);
        log(`${key.padEnd(18)} ${reqs} requests (non-2xx ${non2xx}, ${exports - e0} exports)  ${us.toFixed(1)} CPU µs/request`);
      }
      await stopProcess(rt.child, process.env.PROF ? 'SIGINT' : 'SIGTERM');
    }
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
for (const [key, v] of Object.entries(results)) log(`${key.padEnd(18)} median ${median(v).toFixed(1)} µs/request  (${v.map((x) => x.toFixed(0)).join(' ')})`);
await stopProcess(upstream.child);
sink.close();

process.exit(0);
