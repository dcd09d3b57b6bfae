/**
 * `runtime validate` over many files: every lint rule is per file, so a large set
 * is split across worker threads (one per core, up to four) and the diagnostics
 * merged. Small sets, or a machine with one core, are validated in-process.
 * Then the checks `serve` makes across files (two files on one port with the
 * same route or tool, a REST and an MCP adapter on one port…) run over the
 * whole set, so CI refuses what serve would refuse.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../capability/diagnostics.js';
import { findCapabilityFiles, loadCapabilities } from '../capability/loader.js';
import type { Capability } from '../capability/model.js';
import { normalizeCapability } from '../capability/normalize.js';
import { readSourceFile } from '../capability/source.js';
import { planListeners } from '../server/plan.js';

/** Below this many files, starting workers costs more than it saves. */
const PARALLEL_THRESHOLD = 64;

export async function validateFiles(paths: readonly string[], options: { strict?: boolean; keepInfos: boolean }): Promise<{ files: number; diagnostics: Diagnostic[] }> {
  const found = await findCapabilityFiles(paths);
  const workers = Math.min(availableParallelism(), 4);
  if (found.files.length >= PARALLEL_THRESHOLD && workers > 1) {
    try {
      // Interleaved shares: neighbouring files (often copies of one another) spread evenly.
      const shares = Array.from({ length: workers }, (_, w) => found.files.filter((_, i) => i % workers === w));
      // The workers start first; the cross-file check (which parses the positioned
      // YAML of every conflicting file) runs here meanwhile, not after them.
      const perFile = Promise.all(shares.map((files) => runWorker(files, options)));
      perFile.catch(() => undefined); // awaited below; no unhandled rejection while the check runs
      const conflicts = crossFileConflicts(await readModels(found.files));
      const results = await perFile;
      return { files: found.files.length, diagnostics: [...found.diagnostics, ...results.flat(), ...conflicts] };
    } catch {
      // Workers unavailable (e.g. running from TypeScript sources): validate in-process.
    }
  }
  const loaded = await loadCapabilities(paths, { strict: options.strict });
  return { files: loaded.files.length, diagnostics: [...loaded.diagnostics, ...crossFileConflicts(loaded.capabilities)] };
}

/**
 * What the listener plan refuses only when the files are served together:
 * conflicts of the whole set minus those each file has on its own (the lint
 * already reports those).
 */
export function crossFileConflicts(capabilities: readonly Capability[]): Diagnostic[] {
  if (capabilities.length < 2) return [];
  const plan = (set: readonly Capability[]) => planListeners(set, { host: '127.0.0.1' }).diagnostics;
  const alone = new Set(capabilities.flatMap((c) => plan([c])).map((d) => `${d.code}|${d.file}|${d.pointer}`));
  return plan(capabilities).filter((d) => !alone.has(`${d.code}|${d.file}|${d.pointer}`));
}

/** The typed model of each file (no schema, no lint): enough for the listener plan while workers validate. */
async function readModels(files: readonly string[]): Promise<Capability[]> {
  const out: Capability[] = [];
  for (const file of files) {
    try {
      const capability = normalizeCapability(await readSourceFile(file)).capability;
      if (capability) out.push(capability);
    } catch {
      // Unreadable: the worker reports it.
    }
  }
  return out;
}

function runWorker(files: string[], options: { strict?: boolean; keepInfos: boolean }): Promise<Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./validate-worker.js', import.meta.url), {
      workerData: { files, strict: options.strict === true, keepInfos: options.keepInfos },
    });
    worker.once('message', (diagnostics: Diagnostic[]) => resolve(diagnostics));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`validate worker exited with ${code}`));
    });
  });
}
