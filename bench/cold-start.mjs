#!/usr/bin/env node
// Cold start: time from spawning `runtime serve` on the 19 Lean capability
// files (../shared/lean/capabilities; skipped when absent) until both the REST
// and the MCP listener answer (REST: any HTTP answer; MCP: tools/list 200),
// polled every 2 ms. Also the RSS while serving them. Targets: < 500 ms, < 120 MB.
// The same for the project's own capabilities/ folder (the seed, lean-tokens.yaml
// and the curated Lean pack of capabilities/lean/: 76 operations), when it holds the pack.
//
//   node bench/cold-start.mjs [--iterations 5] [--no-pin]
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { cleanup, LEAN_DIR, log, median, parseArgs, pinning, request, requireBuild, ROOT, round, rssMb, sleep, stopProcess, writeResults } from './lib/common.mjs';
import { MCP_HEADERS, startRuntime, TOOLS_LIST_BODY } from './lib/runtime.mjs';

export const COLD_START_TARGET_MS = 500;
export const COLD_RSS_TARGET_MB = 120;

/** The project's capabilities/ folder: measured too when it holds the curated Lean pack (issue 17 item 5). */
export const PACK_DIR = path.join(ROOT, 'capabilities');

export async function coldStart({ iterations = 5, pin, dir = LEAN_DIR } = {}) {
  if (!existsSync(dir)) return { skipped: `${dir} not found` };
  const files = readdirSync(dir, { recursive: true }).filter((f) => /\.ya?ml$/.test(String(f))).length;
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const rt = await startRuntime({ files: [dir], pin, pollMs: 2, upstreams: [] });
    const rssReady = rssMb(rt.pid);
    // Exercise the listeners a little, then let the heap settle.
    for (let k = 0; k < 50; k++) await request(`${rt.mcpUrl}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: TOOLS_LIST_BODY });
    await sleep(500);
    const rssServing = rssMb(rt.pid);
    const list = JSON.parse((await request(`${rt.mcpUrl}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: TOOLS_LIST_BODY })).body);
    samples.push({ readyMs: round(rt.readyMs, 1), rssReadyMb: rssReady, rssServingMb: rssServing, tools: list.result?.tools?.length ?? null });
    await stopProcess(rt.child);
  }
  const readyMs = median(samples.map((s) => s.readyMs));
  const rssServingMb = median(samples.map((s) => s.rssServingMb));
  return {
    dir: path.relative(ROOT, dir),
    files,
    iterations,
    samples,
    readyMsMedian: round(readyMs, 1),
    rssReadyMbMedian: median(samples.map((s) => s.rssReadyMb)),
    rssServingMbMedian: rssServingMb,
    targets: { readyMs: COLD_START_TARGET_MS, rssMb: COLD_RSS_TARGET_MB },
    pass: readyMs < COLD_START_TARGET_MS && rssServingMb < COLD_RSS_TARGET_MB,
  };
}

export function hasPack() {
  return existsSync(path.join(PACK_DIR, 'lean'));
}

export function formatColdStart(r) {
  if (r.skipped) return `cold start: skipped (${r.skipped})`;
  return [
    `cold start (${r.dir}: ${r.files} files, ${r.iterations} spawns, median): ${r.readyMsMedian} ms until REST+MCP answer (target < ${r.targets.readyMs} ms → ${r.readyMsMedian < r.targets.readyMs ? 'PASS' : 'FAIL'}) — samples ${r.samples.map((s) => s.readyMs).join(' / ')}`,
    `RSS serving them: ${r.rssReadyMbMedian} MB at ready, ${r.rssServingMbMedian} MB after 50 tools/list (target < ${r.targets.rssMb} MB → ${r.rssServingMbMedian < r.targets.rssMb ? 'PASS' : 'FAIL'})`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const opts = parseArgs(process.argv.slice(2), { iterations: 5, pin: true, gatewayCpu: 0, clientCpu: 1 });
  requireBuild();
  try {
    const result = await coldStart({ iterations: opts.iterations, pin: pinning(opts) });
    process.stdout.write(`${formatColdStart(result)}\n`);
    const pack = hasPack() ? await coldStart({ iterations: opts.iterations, pin: pinning(opts), dir: PACK_DIR }) : { skipped: 'capabilities/lean not found' };
    process.stdout.write(`${formatColdStart(pack)}\n`);
    log(`results: ${writeResults('cold-start', { kind: 'cold-start', at: new Date().toISOString(), result, pack })}`);
    process.exitCode = (result.skipped || result.pass) && (pack.skipped || pack.pass) ? 0 : 1;
  } finally {
    await cleanup();
  }
}
