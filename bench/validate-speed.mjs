#!/usr/bin/env node
// Validate speed: 400 capability files (the APIs.io corpus + the Lean files,
// replicated into a temp dir until there are 400) through
// `node bin/runtime.js validate <dir>`; wall time including node startup.
// Target < 3 s. (The issue names validate-speed.ts; it is .mjs to run on
// Node 20 without a build step.)
//
//   node bench/validate-speed.mjs [--files 400] [--iterations 3]
import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { cleanup, CORPUS_DIR, LEAN_DIR, log, median, parseArgs, requireBuild, ROOT, round, run, RUNTIME_BIN, tempDir, writeResults } from './lib/common.mjs';

export const VALIDATE_TARGET_MS = 3000;

function yamlFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(entry)) out.push(full);
  }
  return out.sort();
}

async function timed(args) {
  const start = performance.now();
  const r = await run(process.execPath, args, { cwd: ROOT, keepChars: 200_000_000 });
  return { ms: performance.now() - start, ...r };
}

export async function validateSpeed({ files: wanted = 400, iterations = 3 } = {}) {
  const sources = [...yamlFiles(CORPUS_DIR), ...yamlFiles(LEAN_DIR)];
  if (sources.length === 0) return { skipped: `neither ${CORPUS_DIR} nor ${LEAN_DIR} found` };
  const dir = tempDir('bench-validate-');
  for (let i = 0; i < wanted; i++) {
    const src = sources[i % sources.length];
    copyFileSync(src, path.join(dir, `${String(i).padStart(3, '0')}-${path.basename(src)}`));
  }
  // Baseline: node + CLI startup without any file work.
  const startup = [];
  for (let i = 0; i < iterations; i++) startup.push((await timed([RUNTIME_BIN, '--version'])).ms);
  const samples = [];
  let last;
  // Timed: the command a user types (default text report).
  for (let i = 0; i < iterations; i++) {
    last = await timed([RUNTIME_BIN, 'validate', dir]);
    samples.push(round(last.ms, 1));
  }
  // Untimed: the JSON report, for the counts.
  let summary = null;
  const asJson = await timed([RUNTIME_BIN, 'validate', dir, '--format', 'json']);
  try {
    const j = JSON.parse(asJson.stdout);
    const diags = Array.isArray(j) ? j : (j.diagnostics ?? []);
    const count = (sev) => diags.filter((d) => d.severity === sev).length;
    const byCode = {};
    for (const d of diags) if (d.severity === 'error') byCode[d.code] = (byCode[d.code] ?? 0) + 1;
    summary = { files: j.files ?? null, errors: j.errors ?? count('error'), warnings: j.warnings ?? count('warning'), infos: j.infos ?? count('info'), errorCodes: byCode, jsonMs: round(asJson.ms, 1) };
  } catch {
    summary = { unparsed: asJson.stdout.slice(0, 200) };
  }
  const ms = median(samples);
  return {
    files: wanted,
    distinctSources: sources.length,
    iterations,
    samplesMs: samples,
    msMedian: round(ms, 1),
    cliStartupMsMedian: round(median(startup), 1),
    exitCode: last.code,
    stderr: last.stderr.slice(0, 500) || undefined,
    stdoutBytes: Buffer.byteLength(last.stdout),
    summary,
    target: VALIDATE_TARGET_MS,
    pass: ms < VALIDATE_TARGET_MS && (last.code === 0 || last.code === 1),
  };
}

export function formatValidateSpeed(r) {
  if (r.skipped) return `validate speed: skipped (${r.skipped})`;
  const s = r.summary ?? {};
  return `validate ${r.files} files (${r.distinctSources} distinct, replicated): ${r.msMedian} ms median of ${r.samplesMs.join(' / ')} (target < ${r.target} ms; node+CLI startup alone ${r.cliStartupMsMedian} ms) exit ${r.exitCode}, ${s.errors ?? '?'} error(s), ${s.warnings ?? '?'} warning(s) → ${r.pass ? 'PASS' : 'FAIL'}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const opts = parseArgs(process.argv.slice(2), { files: 400, iterations: 3 });
  requireBuild();
  try {
    const result = await validateSpeed(opts);
    process.stdout.write(`${formatValidateSpeed(result)}\n`);
    log(`results: ${writeResults('validate-speed', { kind: 'validate-speed', at: new Date().toISOString(), result })}`);
    process.exitCode = result.skipped || result.pass ? 0 : 1;
  } finally {
    await cleanup();
  }
}
