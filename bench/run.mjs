#!/usr/bin/env node
// `npm run bench [-- flags]`: throughput and latency of the runtime against
// the physical limit (direct upstream, nginx proxy) measured in the same run,
// plus cold start and validate speed. See bench/README.md.
import { warnIfBusy, request, cleanup, log, machineInfo, median, parseArgs, pinning, requireBuild, round, rssMb, table, writeResults, sleep } from './lib/common.mjs';
import { chooseLoader, load } from './lib/loadgen.mjs';
import { callOnce } from './lib/mcp-loader.mjs';
import { startRig } from './lib/rig.mjs';
import { buildScenarios, policyVariant, POLICY_SCENARIO_IDS, SCENARIO_IDS } from './lib/scenarios.mjs';
import { coldStart, formatColdStart, hasPack, PACK_DIR } from './cold-start.mjs';
import { validateSpeed, formatValidateSpeed } from './validate-speed.mjs';

const HELP = `usage: npm run bench -- [flags]
  --duration S        measured seconds per run (default 10)
  --warmup S          warm-up seconds before each measurement (default 2)
  --runs N            runs per target, medians reported (default 1; use 3 to compare)
  --quick             smoke run: 3 s, 1 s warm-up, 1 run, 3 cold starts, 1 validate
  --connections N     keep-alive connections (default 32)
  --loader L          auto | wrk | autocannon (default auto: wrk when installed)
  --only LIST         comma-separated scenarios: ${SCENARIO_IDS.join(',')}
  --log-level L       the runtime's log level (default info: default config, request logs on;
                      warn drops them, and turns nginx's access log off to compare like with like)
  --markdown          also print a README-ready Markdown table of the results
  --no-nginx          skip the nginx reference
  --no-fastify        skip the fastify + @fastify/reply-from REST peer
  --no-mcp-peer       skip @ivotoby/openapi-mcp-server (the mcp-call-peer reference)
  --no-policies       skip the "all policies" runtime rows (${POLICY_SCENARIO_IDS.join(', ')})
  --no-policy-tracing skip their twins with tracing (10 % and 100 % of requests sampled)
  --no-direct         skip the direct-upstream reference
  --no-pin            do not pin with taskset
  --gateway-cpu N     CPU of the runtime and nginx (default 0)
  --client-cpu N      CPU of the load generator and upstream (default 1)
  --upstream-workers N  bench upstream processes (default 1)
  --no-lean           serve bench/capabilities/tools-51.yaml for tools/list even if ../shared/lean exists
  --no-cold           skip cold start      --no-validate   skip validate speed
  --cold-iterations N (default 5)           --validate-iterations N (default 3)`;

const opts = parseArgs(process.argv.slice(2), {
  duration: 10,
  warmup: 2,
  runs: 1,
  quick: false,
  connections: 32,
  logLevel: 'info',
  loader: 'auto',
  only: '',
  nginx: true,
  markdown: false,
  fastify: true,
  mcpPeer: true,
  policies: true,
  policyTracing: true,
  direct: true,
  pin: true,
  gatewayCpu: 0,
  clientCpu: 1,
  upstreamWorkers: 1,
  lean: true,
  cold: true,
  validate: true,
  coldIterations: 5,
  validateIterations: 3,
  help: false,
});
if (opts.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
if (opts.quick) {
  opts.duration = 3;
  opts.warmup = 1;
  opts.runs = 1;
  opts.coldIterations = Math.min(opts.coldIterations, 3);
  opts.validateIterations = 1;
}

async function main() {
  requireBuild();
  const foreignBefore = await warnIfBusy();
  const pin = pinning(opts);
  const loader = chooseLoader(opts.loader);
  const machine = machineInfo();
  const only = opts.only ? opts.only.split(',').map((s) => s.trim()) : SCENARIO_IDS;
  for (const id of only) if (!SCENARIO_IDS.includes(id)) throw new Error(`unknown scenario ${id} (known: ${SCENARIO_IDS.join(', ')})`);
  log(`machine   ${machine.nproc} CPU(s) ${machine.cpuModel}, node ${machine.node}, loader ${loader.name}${pin.enabled ? `, pinned: gateway CPU${pin.gatewayCpu}, client+upstream CPU${pin.clientCpu}` : ', not pinned'}`);
  log(`config    ${opts.connections} connections, ${opts.duration}s measured after ${opts.warmup}s warm-up, ${opts.runs} run(s), runtime log level ${opts.logLevel}`);

  const rig = await startRig({
    pin,
    upstreamWorkers: opts.upstreamWorkers,
    nginx: opts.nginx,
    want: {
      main: only.some((id) => id !== 'mcp-list'),
      tools: only.includes('mcp-list'),
      policies: opts.policies && only.some((id) => POLICY_SCENARIO_IDS.includes(id)),
      policiesSampled: opts.policies && opts.policyTracing && only.some((id) => POLICY_SCENARIO_IDS.includes(id)),
      policiesTraced: opts.policies && opts.policyTracing && only.some((id) => POLICY_SCENARIO_IDS.includes(id)),
      fastify: opts.fastify && only.some((id) => id.startsWith('rest-')),
      mcpPeer: opts.mcpPeer && only.includes('mcp-call-peer'),
    },
    useLean: opts.lean,
    logLevel: opts.logLevel,
    nginxAccessLog: opts.logLevel === 'info' || opts.logLevel === 'debug' || opts.logLevel === 'trace',
  });
  const instances = { main: rig.main, tools: rig.tools, policies: rig.policies, policiesSampled: rig.policiesSampled, policiesTraced: rig.policiesTraced };
  const idleRss = Object.fromEntries(Object.entries(instances).filter(([, v]) => v).map(([k, v]) => [k, rssMb(v.pid)]));
  const scenarios = buildScenarios({ main: rig.main ?? {}, tools: rig.tools ?? {}, upstreamUrl: rig.upstream.url, nginxUrl: rig.nginx?.url, fastifyUrl: rig.fastify?.url, mcpPeerUrl: rig.mcpPeer?.url, toolsSource: rig.toolsLabel })
    .filter((s) => only.includes(s.id))
    .flatMap((s) => [
      s,
      ...(rig.policies && POLICY_SCENARIO_IDS.includes(s.id) ? [policyVariant(s, { instance: 'policies', runtime: rig.policies, label: 'all policies', tracing: 'tracing off' })] : []),
      ...(rig.policiesSampled && POLICY_SCENARIO_IDS.includes(s.id) ? [policyVariant(s, { instance: 'policiesSampled', runtime: rig.policiesSampled, label: 'all policies + tracing 10 %', tracing: 'OpenTelemetry tracing of 10 % of requests to a local OTLP sink' })] : []),
      ...(rig.policiesTraced && POLICY_SCENARIO_IDS.includes(s.id) ? [policyVariant(s, { instance: 'policiesTraced', runtime: rig.policiesTraced, label: 'all policies + tracing 100 %', tracing: 'OpenTelemetry tracing of every request to a local OTLP sink' })] : []),
    ]);
  const REF_KINDS = ['direct', 'nginx', 'fastify', 'mcpPeer'];
  // The first answer of a target: MCP-loader targets are asked through the loader's own client (sessions, SSE).
  const firstAnswer = async (t) => {
    if (t.mcp) {
      const r = await callOnce({ url: t.url, headers: t.headers, ...t.mcp });
      return { ...r, body: `(${t.mcp.mode} tools/call ${t.mcp.tool}: ${r.ok ? 'ok' : 'wrong result'})` };
    }
    const r = await request(t.url, { method: t.method, headers: t.headers, body: t.body });
    return { ...r, bytes: Buffer.byteLength(r.body) };
  };

  // Correctness first: every target answers what it should, once.
  for (const s of scenarios) {
    const r = await firstAnswer(s.target);
    if (!s.check(r)) throw new Error(`${s.id}: unexpected answer ${r.status}: ${r.body.slice(0, 300)}`);
    s.responseBytes = r.bytes;
    if (s.deepCheck) s.deepCheckResult = await s.deepCheck(request);
    if (s.id === 'mcp-list') {
      // The reference answers the very same bytes.
      const put = await request(`${rig.upstream.url}/__blob/tools-list`, { method: 'PUT', body: r.body });
      if (put.status !== 200) throw new Error('could not store the tools/list blob in the upstream');
    }
    for (const kind of REF_KINDS) {
      const t = s.ref[kind];
      if (!t) continue;
      const rr = await firstAnswer(t);
      if (!s.ref.check(rr)) throw new Error(`${t.id}: unexpected answer ${rr.status}: ${rr.body.slice(0, 300)}`);
      s.ref.responseBytes = rr.bytes;
    }
  }
  log(`checks    all targets answer correctly`);

  const measure = async (target, label, serverPid) => {
    if (opts.warmup > 0) await load(loader, pin, target, { durationS: opts.warmup, connections: opts.connections });
    const r = await load(loader, pin, target, { durationS: opts.duration, connections: opts.connections, serverPid });
    log(`  ${label.padEnd(34)} ${String(Math.round(r.rps)).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  server CPU ${r.serverCores}  foreign CPU ${r.foreignCores}${r.errors ? `  ERRORS ${r.errors} (non2xx ${r.non2xx}, socket ${r.socketErrors})` : ''}`);
    return r;
  };

  const results = new Map(); // target id → [runs]
  const rss = new Map(); // scenario id → [{before, after}]
  const push = (map, key, value) => map.set(key, [...(map.get(key) ?? []), value]);
  for (let run = 1; run <= opts.runs; run++) {
    log(`run ${run}/${opts.runs}`);
    const refsDone = new Set();
    for (const s of scenarios) {
      const pid = instances[s.instance].pid;
      const before = rssMb(pid);
      push(results, s.id, await measure(s.target, `${s.id} (runtime)`, pid));
      push(rss, s.id, { before, after: rssMb(pid) });
      for (const kind of REF_KINDS) {
        const t = s.ref[kind];
        if (!t || (kind === 'direct' && !opts.direct) || refsDone.has(t.id)) continue;
        refsDone.add(t.id);
        push(results, t.id, await measure(t, `${t.id}`, { nginx: rig.nginx?.child.pid, fastify: rig.fastify?.child.pid, mcpPeer: rig.mcpPeer?.child.pid, direct: rig.upstream.child.pid }[kind]));
      }
    }
  }
  await sleep(200);
  // Tracing must really have exported spans, or the traced "all policies" rows measured less than they claim.
  const otlp = rig.otlpSink ? await rig.otlpSink.stats() : null;
  if (otlp) {
    log(`otlp sink received ${otlp.exports} export(s), ${round(otlp.bytes / 1e6, 1)} MB of spans`);
    if (otlp.exports === 0) throw new Error('the traced all-policies runtimes exported no spans to the OTLP sink: tracing was not on');
  }
  const finalRss = Object.fromEntries(Object.entries(instances).filter(([, v]) => v).map(([k, v]) => [k, rssMb(v.pid)]));

  const summarize = (runs) =>
    runs && {
      rps: round(median(runs.map((r) => r.rps))),
      p50Ms: round(median(runs.map((r) => r.p50Ms)), 2),
      p99Ms: round(median(runs.map((r) => r.p99Ms)), 2),
      errors: runs.reduce((a, r) => a + r.errors, 0),
      requests: runs.reduce((a, r) => a + r.requests, 0),
      foreignCoresMax: Math.max(...runs.map((r) => r.foreignCores)),
      serverCores: round(median(runs.map((r) => r.serverCores)), 2),
      rpsPerServerCore: round(median(runs.map((r) => (r.serverCores ? r.rps / r.serverCores : null)))),
      runs,
    };
  const out = scenarios.map((s) => {
    const runtime = summarize(results.get(s.id));
    const direct = s.ref.direct && opts.direct ? summarize(results.get(s.ref.direct.id)) : null;
    const nginx = s.ref.nginx ? summarize(results.get(s.ref.nginx.id)) : null;
    // fastify is a REST peer: an MCP row against it would compare a tool call with a proxy hop.
    const fastify = s.ref.fastify && s.id.startsWith('rest-') ? summarize(results.get(s.ref.fastify.id)) : null;
    const mcpPeer = s.ref.mcpPeer ? summarize(results.get(s.ref.mcpPeer.id)) : null;
    const plain = s.baseId ? summarize(results.get(s.baseId)) : null;
    const runsRss = rss.get(s.id);
    return {
      id: s.id,
      ...(s.baseId ? { baseId: s.baseId } : {}),
      title: s.title,
      instance: s.instance,
      responseBytes: s.responseBytes,
      ...(s.deepCheckResult ? { listed: s.deepCheckResult } : {}),
      reference: s.ref.what,
      referenceResponseBytes: s.ref.responseBytes,
      runtime,
      direct,
      nginx,
      fastify,
      mcpPeer,
      ratioToDirect: direct ? round(runtime.rps / direct.rps, 3) : null,
      ratioToNginx: nginx ? round(runtime.rps / nginx.rps, 3) : null,
      ratioToFastify: fastify ? round(runtime.rps / fastify.rps, 3) : null,
      ratioToMcpPeer: mcpPeer ? round(runtime.rps / mcpPeer.rps, 3) : null,
      ratioToPlain: plain ? round(runtime.rps / plain.rps, 3) : null,
      rssMb: { before: runsRss[0].before, after: runsRss[runsRss.length - 1].after },
    };
  });

  // ------------------------------------------------------------ report
  const pct = (x) => (x === null ? null : `${(x * 100).toFixed(1)}%`);
  const rows = [];
  const shown = new Set(); // a reference is printed under the first scenario that uses it
  for (const s of out) {
    rows.push([s.id, 'runtime', s.runtime.rps, s.runtime.p50Ms.toFixed(2), s.runtime.p99Ms.toFixed(2), s.runtime.errors, pct(s.ratioToDirect), pct(s.ratioToNginx), pct(s.ratioToFastify ?? s.ratioToMcpPeer), pct(s.ratioToPlain), `${s.rssMb.before}→${s.rssMb.after}`, s.responseBytes, s.runtime.serverCores, s.runtime.rpsPerServerCore, s.runtime.foreignCoresMax]);
    for (const kind of REF_KINDS) {
      const r = s[kind];
      const key = `${s.reference} ${kind}`;
      if (!r || shown.has(key)) continue;
      shown.add(key);
      rows.push(['', kind === 'mcpPeer' ? 'openapi-mcp' : kind, r.rps, r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.errors, null, null, null, null, null, s.referenceResponseBytes, r.serverCores, r.rpsPerServerCore, r.foreignCoresMax]);
    }
  }
  const lines = [];
  lines.push('');
  lines.push(table(['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'vs direct', 'vs nginx', 'vs peer', 'vs plain', 'RSS MB', 'bytes', 'srv CPU', 'req/s/core', 'foreign'], rows));
  lines.push('srv CPU = cores used by the server measured (runtime, nginx, or the upstream for direct), req/s/core = req/s ÷ srv CPU; foreign = cores used by processes outside the bench (max over runs): > 0.1 on a runtime row means a noisy number');
  lines.push('vs X = runtime req/s ÷ X req/s; vs peer = ÷ fastify (REST rows) or ÷ @ivotoby/openapi-mcp-server (mcp-call-peer, both through bench/lib/mcp-loader.mjs); vs plain = the row on the "all policies" runtime ÷ the same scenario on the plain runtime (the policies\' cost)');
  const mapped = out.find((s) => s.id === 'rest-items-mapped');
  const raw = out.find((s) => s.id === 'rest-items-raw');
  if (mapped && raw) {
    lines.push('');
    const cpuUs = (r) => (r.rpsPerServerCore ? 1e6 / r.rpsPerServerCore : null);
    const mappedUs = cpuUs(mapped.runtime);
    const rawUs = cpuUs(raw.runtime);
    lines.push(`mapping overhead (items mapped vs raw twin): ${pct(1 - mapped.runtime.rps / raw.runtime.rps)} fewer req/s, p50 ${(mapped.runtime.p50Ms - raw.runtime.p50Ms).toFixed(2)} ms; runtime CPU per request ${round(mappedUs)} µs mapped vs ${round(rawUs)} µs raw (+${round(mappedUs - rawUs)} µs)`);
  }
  lines.push(`runtime RSS MB: idle ${JSON.stringify(idleRss)} → end ${JSON.stringify(finalRss)}`);
  for (const s of out) lines.push(`  ${s.id}: ${s.title}`);
  if (opts.markdown) lines.push('', markdownTable(out, { loader: loader.name, machine, opts }));
  process.stdout.write(`${lines.join('\n')}\n`);

  await rig.stop?.();
  await cleanup();

  let cold = null;
  let coldPack = null;
  if (opts.cold) {
    log('cold start…');
    cold = await coldStart({ iterations: opts.coldIterations, pin });
    process.stdout.write(`\n${formatColdStart(cold)}\n`);
    // The project's own capabilities/ with the curated Lean pack (76 operations), when it is there.
    if (hasPack()) {
      coldPack = await coldStart({ iterations: opts.coldIterations, pin, dir: PACK_DIR });
      process.stdout.write(`${formatColdStart(coldPack)}\n`);
    }
  }
  let validate = null;
  if (opts.validate) {
    log('validate speed…');
    validate = await validateSpeed({ iterations: opts.validateIterations });
    process.stdout.write(`${formatValidateSpeed(validate)}\n`);
  }
  await cleanup();

  const file = writeResults(opts.quick ? 'quick' : '', {
    kind: 'bench',
    at: new Date().toISOString(),
    machine,
    foreignCoresBefore: foreignBefore,
    config: { ...opts, loader: loader.name, pinned: pin.enabled, gatewayCpu: pin.gatewayCpu, clientCpu: pin.clientCpu, toolsSource: rig.toolsLabel },
    scenarios: out,
    otlpSink: otlp,
    rss: { idle: idleRss, final: finalRss },
    coldStart: cold,
    coldStartPack: coldPack,
    validateSpeed: validate,
  });
  process.stdout.write(`\nresults: ${file}\n`);
  const errors = out.reduce((a, s) => a + s.runtime.errors + (s.direct?.errors ?? 0) + (s.nginx?.errors ?? 0) + (s.fastify?.errors ?? 0) + (s.mcpPeer?.errors ?? 0), 0);
  if (errors > 0) {
    process.stderr.write(`bench: ${errors} error(s) (non-2xx or socket) during the measurements\n`);
    process.exitCode = 1;
  }
}

main().catch(async (error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  await cleanup();
  process.exit(1);
});

/** The results as a Markdown table for a README: one row per runtime scenario, references as columns. */
function markdownTable(out, { loader, machine, opts }) {
  const rps = (r) => (r ? String(Math.round(r.rps)) : '—');
  const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(0)} %`);
  const head = ['scenario', 'runtime req/s', 'p50 / p99 ms', 'upstream alone req/s', 'nginx req/s', 'peer req/s', 'vs upstream', 'vs nginx', 'vs peer', 'vs plain runtime'];
  const rows = out.map((s) => {
    const peer = s.fastify ? `${rps(s.fastify)} (fastify)` : s.mcpPeer ? `${rps(s.mcpPeer)} (openapi-mcp-server)` : '—';
    return [`\`${s.id}\``, rps(s.runtime), `${s.runtime.p50Ms.toFixed(2)} / ${s.runtime.p99Ms.toFixed(2)}`, rps(s.direct), rps(s.nginx), peer, pct(s.ratioToDirect), pct(s.ratioToNginx), pct(s.ratioToFastify ?? s.ratioToMcpPeer), pct(s.ratioToPlain)];
  });
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `${machine.nproc} CPU(s) ${machine.cpuModel}, node ${machine.node}, ${loader} (mcp-call-peer: bench/lib/mcp-loader.mjs), ${opts.connections} connections, ${opts.duration} s after ${opts.warmup} s warm-up, median of ${opts.runs} run(s), runtime log level ${opts.logLevel}.`,
  ].join('\n');
}
