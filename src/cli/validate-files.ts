/**
 * `runtime validate` over many files: every lint rule is per file, so a large set
 * is split across worker threads (one per core, up to four) and the diagnostics
 * merged. Small sets, or a machine with one core, are validated in-process.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../capability/diagnostics.js';
import { findCapabilityFiles, loadCapabilities } from '../capability/loader.js';

/** Below this many files, starting workers costs more than it saves. */
const PARALLEL_THRESHOLD = 64;

export async function validateFiles(paths: readonly string[], options: { strict?: boolean; keepInfos: boolean }): Promise<{ files: number; diagnostics: Diagnostic[] }> {
  const found = await findCapabilityFiles(paths);
  const workers = Math.min(availableParallelism(), 4);
  if (found.files.length >= PARALLEL_THRESHOLD && workers > 1) {
    try {
      // Interleaved shares: neighbouring files (often copies of one another) spread evenly.
      const shares = Array.from({ length: workers }, (_, w) => found.files.filter((_, i) => i % workers === w));
      const results = await Promise.all(shares.map((files) => runWorker(files, options)));
      return { files: found.files.length, diagnostics: [...found.diagnostics, ...results.flat()] };
    } catch {
      // Workers unavailable (e.g. running from TypeScript sources): validate in-process.
    }
  }
  const loaded = await loadCapabilities(paths, { strict: options.strict });
  return { files: loaded.files.length, diagnostics: loaded.diagnostics };
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
