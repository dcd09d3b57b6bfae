#!/usr/bin/env node
// `npm run bench:soak [-- flags]`: push --requests (default 1,000,000) through
// the runtime, rotating over scenarios in chunks, and report the RSS growth
// after warm-up (target < 10 %) and errors (non-2xx and socket; target 0).
import { warnIfBusy, cleanup, log, machineInfo, median, parseArgs, pinning, request, requireBuild, round, rssMb, sleep, writeResults } from './lib/common.mjs';
import { chooseLoader, load } from './lib/loadgen.mjs';
import { startRig } from './lib/rig.mjs';
import { buildScenarios, SCENARIO_IDS } from './lib/scenarios.mjs';

const HELP = `usage: npm run bench:soak -- [flags]
  --requests N      total requests (default 1000000)
  --scenarios LIST  rotated in chunks (default rest-token,rest-items-mapped,rest-items-raw,mcp-call; also: mcp-list)
  --chunk S         seconds per load chunk (default 10)
  --warmup S        warm-up seconds per scenario before the RSS baseline (default 5)
  --connections N   (default 32)   --loader auto|wrk|autocannon   --no-pin
  --max-growth P    RSS growth target in percent (default 10)`;

const opts = parseArgs(process.argv.slice(2), {
  requests: 1_000_000,
  scenarios: 'rest-token,rest-items-mapped,rest-items-raw,mcp-call',
  chunk: 10,
  warmup: 5,
  connections: 32,
  loader: 'auto',
  pin: true,
  gatewayCpu: 0,
  clientCpu: 1,
  upstreamWorkers: 1,
  lean: true,
  maxGrowth: 10,
  help: false,
});
if (opts.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

async function main() {
  requireBuild();
  const foreignBefore = await warnIfBusy();
  const pin = pinning(opts);
  const loader = chooseLoader(opts.loader);
  const ids = opts.scenarios.split(',').map((s) => s.trim());
  for (const id of ids) if (!SCENARIO_IDS.includes(id)) throw new Error(`unknown scenario ${id}`);
  const rig = await startRig({
    pin,
    upstreamWorkers: opts.upstreamWorkers,
    nginx: false,
    want: { main: ids.some((id) => id !== 'mcp-list'), tools: ids.includes('mcp-list') },
    useLean: opts.lean,
  });
  const scenarios = buildScenarios({ main: rig.main ?? {}, tools: rig.tools ?? {}, upstreamUrl: rig.upstream.url, nginxUrl: null, toolsSource: rig.toolsLabel }).filter((s) => ids.includes(s.id));
  const instances = Object.fromEntries(Object.entries({ main: rig.main, tools: rig.tools }).filter(([, v]) => v));
  for (const s of scenarios) {
    const r = await request(s.target.url, { method: s.target.method, headers: s.target.headers, body: s.target.body });
    if (!s.check(r)) throw new Error(`${s.id}: unexpected answer ${r.status}: ${r.body.slice(0, 300)}`);
  }
  const rss = () => Object.fromEntries(Object.entries(instances).map(([k, v]) => [k, rssMb(v.pid)]));
  const startRss = rss();
  log(`soak      ${opts.requests.toLocaleString('en')} requests over ${ids.join(', ')}; ${opts.connections} connections, ${opts.chunk}s chunks, loader ${loader.name}`);
  log(`warm-up   ${opts.warmup}s per scenario…`);
  for (const s of scenarios) await load(loader, pin, s.target, { durationS: opts.warmup, connections: opts.connections });
  await sleep(1000);
  const baseline = rss();
  log(`RSS MB    start ${JSON.stringify(startRss)}, after warm-up (baseline) ${JSON.stringify(baseline)}`);

  const series = [];
  let chunkIndex = 0;
  const sampler = setInterval(() => series.push({ t: round(performance.now() / 1000, 1), chunk: chunkIndex, ...rss() }), 1000);
  const started = performance.now();
  let total = 0;
  let non2xx = 0;
  let socketErrors = 0;
  let rate = null;
  const chunks = [];
  for (let i = 0; total < opts.requests; i++) {
    chunkIndex = i;
    const s = scenarios[i % scenarios.length];
    const remaining = opts.requests - total;
    const duration = rate ? Math.max(1, Math.min(opts.chunk, Math.ceil(remaining / rate))) : opts.chunk;
    const r = await load(loader, pin, s.target, { durationS: duration, connections: opts.connections, serverPid: instances[s.instance].pid });
    total += r.requests;
    non2xx += r.non2xx;
    socketErrors += r.socketErrors;
    rate = (total / (performance.now() - started)) * 1000;
    const now = rss();
    chunks.push({ scenario: s.id, durationS: duration, requests: r.requests, rps: round(r.rps), p50Ms: round(r.p50Ms, 2), p99Ms: round(r.p99Ms, 2), serverCores: r.serverCores, foreignCores: r.foreignCores, non2xx: r.non2xx, socketErrors: r.socketErrors, rssMb: now });
    log(`  ${String(total).padStart(9)} req  ${s.id.padEnd(18)} ${String(Math.round(r.rps)).padStart(6)} req/s  p99 ${r.p99Ms.toFixed(1)} ms  cpu ${r.serverCores}  foreign ${r.foreignCores}  RSS ${JSON.stringify(now)}${r.errors ? `  ERRORS ${r.errors}` : ''}`);
  }
  clearInterval(sampler);
  const elapsedS = (performance.now() - started) / 1000;
  await sleep(1000);
  const final = rss();
  const report = Object.fromEntries(
    Object.keys(instances).map((k) => {
      const peak = Math.max(...series.map((p) => p[k]).filter(Number.isFinite), final[k]);
      return [k, { startMb: startRss[k], baselineMb: baseline[k], finalMb: final[k], peakMb: peak, growthPct: round(((final[k] - baseline[k]) / baseline[k]) * 100, 1), peakGrowthPct: round(((peak - baseline[k]) / baseline[k]) * 100, 1) }];
    }),
  );
  // RSS is a sawtooth that follows the scenario mix (V8 grows and shrinks its
  // heap with the allocation rate), so the end-vs-baseline figure depends on
  // where the soak stops. The trend compares whole rotations over all scenarios:
  // median and peak RSS of the first rotation vs the last complete one.
  const perRotation = scenarios.length;
  const rotations = Math.floor(chunks.length / perRotation);
  for (const k of Object.keys(instances)) {
    const byRotation = [];
    for (let r = 0; r < rotations; r++) {
      const values = series.filter((p) => Math.floor(p.chunk / perRotation) === r).map((p) => p[k]).filter(Number.isFinite);
      if (values.length) byRotation.push({ rotation: r + 1, medianMb: round(median(values), 1), peakMb: Math.max(...values) });
    }
    const first = byRotation[0];
    const last = byRotation[byRotation.length - 1];
    report[k].rotations = byRotation;
    report[k].trendPct = first && last ? round(((last.medianMb - first.medianMb) / first.medianMb) * 100, 1) : null;
    report[k].peakTrendPct = first && last ? round(((last.peakMb - first.peakMb) / first.peakMb) * 100, 1) : null;
  }
  const trendOk = Object.values(report).every((r) => (r.trendPct ?? r.growthPct) < opts.maxGrowth);
  const maxGrowth = Math.max(...Object.values(report).map((r) => r.trendPct ?? r.growthPct));
  const pass = trendOk && non2xx === 0 && socketErrors === 0;
  const lines = [
    '',
    `soak: ${total.toLocaleString('en')} requests in ${elapsedS.toFixed(1)} s (${Math.round(total / elapsedS)} req/s average), non-2xx ${non2xx}, socket errors ${socketErrors}`,
    ...Object.entries(report).flatMap(([k, r]) => [
      `RSS ${k}: start ${r.startMb} MB, after warm-up ${r.baselineMb} MB, end ${r.finalMb} MB (${r.growthPct >= 0 ? '+' : ''}${r.growthPct}%), peak ${r.peakMb} MB (+${r.peakGrowthPct}%)`,
      `RSS ${k} per rotation over all scenarios (median/peak MB): ${r.rotations.map((x) => `${x.medianMb}/${x.peakMb}`).join('  ')}`,
      `RSS ${k} trend, last vs first rotation: median ${r.trendPct >= 0 ? '+' : ''}${r.trendPct}%, peak ${r.peakTrendPct >= 0 ? '+' : ''}${r.peakTrendPct}%`,
    ]),
    `targets: RSS trend < ${opts.maxGrowth}% and zero errors → ${pass ? 'PASS' : 'FAIL'} (worst RSS figure used: ${maxGrowth}%)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await cleanup();
  const file = writeResults('soak', {
    kind: 'soak',
    at: new Date().toISOString(),
    machine: machineInfo(),
    foreignCoresBefore: foreignBefore,
    config: { ...opts, loader: loader.name, pinned: pin.enabled, toolsSource: rig.toolsLabel },
    total,
    elapsedS: round(elapsedS, 1),
    non2xx,
    socketErrors,
    rss: report,
    pass,
    chunks,
    series,
  });
  process.stdout.write(`results: ${file}\n`);
  process.exitCode = pass ? 0 : 1;
}

main().catch(async (error) => {
  process.stderr.write(`bench:soak: ${error.stack ?? error}\n`);
  await cleanup();
  process.exit(1);
});
