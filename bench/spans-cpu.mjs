#!/usr/bin/env node
// CPU µs per request of tracing alone, in process: the real REST or MCP
// tracing stage (src/policies/stages.ts) around a handler that makes one
// upstream client span (src/engine/tracing.ts) and injects its traceparent,
// with the SDK started from the environment as the runtime does
// (src/policies/tracing.ts) and spans exported to an OTLP/HTTP sink in a
// child process (so its CPU is not counted). Each mode runs in a fresh
// process (the SDK is global): off = tracing not started, r001 =
// parentbased_traceidratio 0.01, on = every request sampled (protobuf export,
// the default), json = on with OTEL_EXPORTER_OTLP_PROTOCOL=http/json. Requests go in bursts of 64 with a
// turn of the event loop between, and a flush every 4096; the batch queue is
// unbounded here (OTEL_BSP_MAX_QUEUE_SIZE, unless set) because the loop outruns
// any exporter, and the sink counts the spans it gets (2 per sampled request).
// Needs `npm run build` first (reads dist/).
//   node bench/spans-cpu.mjs [--requests 200000] [--rounds 5] [--modes off,r001,on,json] [--surfaces rest,mcp]
import { fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};

if (process.env.SPANS_CPU_CHILD) await child();
else if (process.env.SPANS_CPU_SINK) await sink();
else await parent();

async function parent() {
  const requests = Number(opt('requests', 200000));
  const rounds = Number(opt('rounds', 5));
  const modes = opt('modes', 'off,r001,on').split(',');
  const surfaces = opt('surfaces', 'rest,mcp').split(',');
  const sinkProcess = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, SPANS_CPU_SINK: '1' } });
  const sinkUrl = await new Promise((resolve) => sinkProcess.once('message', resolve));
  const countSpans = () => new Promise((resolve) => (sinkProcess.once('message', resolve), sinkProcess.send('count')));
  // A queue that never fills: the loop makes spans far faster than a server would, and a dropped span costs no export.
  const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_PROTOCOL: '', OTEL_TRACES_SAMPLER: '', OTEL_TRACES_SAMPLER_ARG: '', OTEL_BSP_MAX_QUEUE_SIZE: process.env.OTEL_BSP_MAX_QUEUE_SIZE ?? '100000000' };
  const envs = {
    off: { OTEL_TRACES_EXPORTER: 'none' },
    r001: { ...tracing, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' },
    on: tracing,
    json: { ...tracing, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
  };
  const results = {};
  for (let round = 0; round < rounds; round++) {
    for (const surface of surfaces) {
      for (const mode of modes) {
        const c = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, ...envs[mode], SPANS_CPU_CHILD: '1', SURFACE: surface, REQUESTS: String(requests) } });
        const before = await countSpans();
        const exited = new Promise((resolve) => c.once('exit', resolve));
        const r = await Promise.race([new Promise((resolve) => c.once('message', resolve)), exited.then((code) => Promise.reject(new Error(`${surface} ${mode}: the child exited (${code}) without a result`)))]);
        await exited;
        const exported = (await countSpans()) - before;
        const key = `${surface} ${mode}`;
        (results[key] ??= []).push(r.us);
        console.log(`${key.padEnd(10)} ${r.us.toFixed(2)} CPU µs/request  (${exported} spans exported)`);
      }
    }
  }
  const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  for (const [key, v] of Object.entries(results)) console.log(`${key.padEnd(10)} median ${median(v).toFixed(2)} µs/request  (${v.map((x) => x.toFixed(1)).join(' ')})`);
  sinkProcess.kill();
}

// Counts the spans it receives (JSON bodies), so drops (queue full) show.
async function sink() {
  let spans = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      // Every span here carries exactly one of these keys, in JSON and in protobuf bodies alike.
      const body = Buffer.concat(chunks).toString('latin1');
      spans += body.split('http.request.method').length - 1 + body.split('mcp.method.name').length - 1;
      if (req.headers['content-type'] === 'application/x-protobuf') res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  process.on('message', () => process.send(spans));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  process.send(`http://127.0.0.1:${server.address().port}`);
}

async function child() {
  const { startTracing } = await import(path.join(ROOT, 'dist/policies/tracing.js'));
  const { restTracingStage, mcpTracingStage } = await import(path.join(ROOT, 'dist/policies/stages.js'));
  const { startClientSpan, endClientSpan } = await import(path.join(ROOT, 'dist/engine/tracing.js'));
  const handle = await startTracing(process.env);
  const surface = process.env.SURFACE;
  const url = new URL('http://127.0.0.1:9/oauth2/token');
  const reply = { status: 200, headers: {}, body: '{}' };
  // The handler: what the pipeline does under the edge span, as far as tracing sees it.
  const handler = async (exchange) => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': exchange.requestId };
    const span = startClientSpan(exchange.trace, 'POST', url, headers);
    await undefined;
    endClientSpan(span, 200);
    if (surface === 'mcp') {
      exchange.adapter = 'lean';
      exchange.operation = 'lean-generate-access-token';
      exchange.rpc = { method: 'tools/call', id: 1, protocolVersion: '2025-11-25' };
      exchange.status = 200;
    }
    return reply;
  };
  const pipeline = (surface === 'mcp' ? mcpTracingStage : restTracingStage)(handler);
  const incoming = { socket: { remoteAddress: '127.0.0.1' } };
  const requestHeaders = { host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' };
  const exchangeFor = (i) => ({
    surface,
    incoming,
    method: 'POST',
    path: surface === 'mcp' ? '/mcp' : '/v1/oauth2/token',
    route: surface === 'mcp' ? undefined : '/v1/oauth2/token',
    adapter: surface === 'mcp' ? undefined : 'lean',
    operation: surface === 'mcp' ? undefined : 'lean.generateAccessToken',
    requestId: `req-${i}`,
    started: performance.now(),
    get: (name) => requestHeaders[name] ?? null,
  });
  const total = Number(process.env.REQUESTS);
  const burst = 64;
  const runFor = async (n) => {
    for (let i = 0; i < n; i += burst) {
      const pending = [];
      for (let j = 0; j < burst; j++) pending.push(pipeline(exchangeFor(i + j)));
      await Promise.all(pending);
      await new Promise((r) => setImmediate(r));
      // Drain now and then: a flush sends the whole queue at once, and the exporter takes 30 requests in flight at most.
      if ((i + burst) % 4096 === 0) await handle?.flush();
    }
  };
  await runFor(Math.min(20000, total)); // warm-up (JIT)
  const before = process.cpuUsage();
  await runFor(total);
  await handle?.flush();
  const used = process.cpuUsage(before);
  process.send({ us: (used.user + used.system) / total });
  await handle?.shutdown();
  process.exit(0);
}
