#!/usr/bin/env node
// Issue 11 item 6, measured: 1000 concurrent REST calls to an upstream route
// that hangs, with `--upstream-timeout 3000`, while a healthy route on the
// same origin is called. Reports latency percentiles of both and the status
// counts. Runs the built runtime (dist/) in a child process; the upstream and
// the load run in this one, on 127.0.0.1.
// Usage: npm run build && node bench/upstream-starvation.mjs [--calls 1000] [--timeout 3000] [--breaker off]
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Agent, request } from 'undici';
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => { const [k, ...v] = a.trim().split(/\s+/); return [k, v]; }));
const CALLS = Number(args.calls?.[0] ?? 1000);
const TIMEOUT = Number(args.timeout?.[0] ?? 3000);
const HEALTHY = Number(args.healthy?.[0] ?? 20);

import { spawn } from 'node:child_process';

if (args.child) {
  // The gateway, in its own process (as in production): `--child <upstream-url> <dir>`.
  const [upstreamUrl, dir] = args.child;
  const { Gateway } = await import('../dist/server/gateway.js');
  const { UpstreamRoutes } = await import('../dist/engine/upstream/routes.js');
  const runtime = await Gateway.start({
    paths: [dir],
    restPort: 0,
    env: {},
    logLevel: 'silent',
    upstreamTimeoutMs: TIMEOUT,
    ...(args.breaker?.[0] === 'off' ? { upstreamPolicies: { circuitBreaker: { enabled: false } } } : {}),
    upstreams: new UpstreamRoutes([['backend', upstreamUrl]]),
    processMetrics: false,
  });
  process.stdout.write(`${runtime.summaries.find((s) => s.kind === 'rest').url}\n`);
  process.on('SIGTERM', () => runtime.close(0).then(() => process.exit(0)));
  await new Promise(() => {});
}

const held = [];
const upstream = createServer((req, res) => {
  if (req.url.startsWith('/hang')) return held.push(res); // never answers
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});
await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;

const dir = mkdtempSync(join(tmpdir(), 'starvation-'));
writeFileSync(
  join(dir, 'cap.yaml'),
  `naftiko: 1.0.0-alpha2
info: {label: Starvation, description: One hanging and one healthy operation on one origin.}
capability:
  consumes:
  - type: http
    namespace: backend
    baseUri: https://backend.invalid
    description: The backend.
    resources:
    - {name: hang, path: /hang, operations: [{name: hang, method: GET}]}
    - {name: ok, path: /ok, operations: [{name: ok, method: GET}]}
  exposes:
  - type: rest
    namespace: api
    port: 8080
    resources:
    - path: /hang
      name: hang
      operations: [{method: GET, name: hang, call: backend.hang}]
    - path: /ok
      name: ok
      operations: [{method: GET, name: ok, call: backend.ok}]
`,
);
const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--child', upstreamUrl, dir, '--timeout', String(TIMEOUT), ...(args.breaker ? ['--breaker', args.breaker[0]] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
const agent = new Agent({ connections: CALLS + HEALTHY + 10, headersTimeout: 120_000, bodyTimeout: 120_000 });

async function call(path) {
  const started = performance.now();
  const res = await request(`${base}${path}`, { dispatcher: agent });
  await res.body.text();
  return { status: res.statusCode, ms: performance.now() - started };
}

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
};

// Opened in waves of 100 (10 ms apart): a thousand SYNs at once overflow the listen backlog (511) and the
// kernel's SYN retransmits (1 s, 3 s) would be measured instead of the gateway.
const hanging = [];
for (let i = 0; i < CALLS; i++) {
  hanging.push(call(args.path?.[0] ?? '/hang'));
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 10));
}
// The healthy calls start once the hanging flood is in flight.
await new Promise((r) => setTimeout(r, 200));
const healthy = [];
for (let i = 0; i < HEALTHY; i++) healthy.push(await call('/ok'));
const flood = await Promise.all(hanging);

const statuses = (list) => Object.entries(list.reduce((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {})).map(([s, n]) => `${s}×${n}`).join(' ');
console.log(`upstream timeout ${TIMEOUT} ms, ${CALLS} concurrent calls to a hanging route, ${HEALTHY} sequential calls to a healthy route on the same origin`);
console.log(`hanging: p50 ${pct(flood.map((r) => r.ms), 50)} ms, p99 ${pct(flood.map((r) => r.ms), 99)} ms, max ${pct(flood.map((r) => r.ms), 100)} ms — ${statuses(flood)}`);
for (const status of [...new Set(flood.map((r) => r.status))]) {
  const ms = flood.filter((r) => r.status === status).map((r) => r.ms);
  console.log(`  hanging ${status}: min ${pct(ms, 0)} ms, p50 ${pct(ms, 50)} ms, max ${pct(ms, 100)} ms`);
}
console.log(`healthy: each ${healthy.map((r) => Math.round(r.ms)).join(' ')} ms`);
console.log(`healthy: p50 ${pct(healthy.map((r) => r.ms), 50)} ms, max ${pct(healthy.map((r) => r.ms), 100)} ms — ${statuses(healthy)}`);
console.log(`event loop delay: p50 ${Math.round(loop.percentile(50) / 1e6)} ms, max ${Math.round(loop.max / 1e6)} ms (of the load generator and upstream process)`);
for (const res of held) res.destroy();
await agent.close();
child.kill('SIGTERM');
upstream.closeAllConnections();
upstream.close();
