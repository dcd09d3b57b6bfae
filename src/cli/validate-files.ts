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
import type { Diagnostic, SourcePosition } from '../capability/diagnostics.js';
import { findCapabilityFiles, loadCapabilities } from '../capability/loader.js';
import type { Capability } from '../capability/model.js';
import { normalizeCapability } from '../capability/normalize.js';
import { readSourceFile, type SourceFile } from '../capability/source.js';
import { planListeners } from '../server/plan.js';
import { positionTable } from './conflict-positions.js';

/** Below this many files, starting workers costs more than it saves. */
const PARALLEL_THRESHOLD = 64;

export async function validateFiles(paths: readonly string[], options: { strict?: boolean; keepInfos: boolean }): Promise<{ files: number; diagnostics: Diagnostic[] }> {
  const found = await findCapabilityFiles(paths);
  const workers = Math.min(availableParallelism(), 4);
  if (found.files.length >= PARALLEL_THRESHOLD && workers > 1) {
    let started: ValidateWorker[] = [];
    try {
      // Interleaved shares: neighbouring files (often copies of one another) spread evenly.
      const shares = Array.from({ length: workers }, (_, w) => found.files.filter((_, i) => i % workers === w));
      started = shares.map((files) => startWorker(files, options));
      const [sources, ...results] = await Promise.all([readSources(found.files), ...started.map((w) => w.diagnostics)]);
      // First pass without positions: which files do the conflicts involve?
      const involved = new Set<string>();
      const unplaced = crossFileConflicts(
        modelsOf(sources as SourceFile[], (source) => {
          involved.add(source.path);
          return UNPLACED;
        }),
      );
      const table = positionTable(await Promise.all(started.map((w, i) => w.positions(shares[i]!.filter((f) => involved.has(f))))));
      const conflicts = involved.size === 0 ? unplaced : crossFileConflicts(modelsOf(sources as SourceFile[], (source, pointer, options) => table.get(source.path)?.get(pointer) ?? source.positionOf(pointer, options)));
      return { files: found.files.length, diagnostics: [...found.diagnostics, ...(results as Diagnostic[][]).flat(), ...conflicts] };
    } catch {
      // Workers unavailable (e.g. running from TypeScript sources): validate in-process.
      for (const w of started) void w.worker.terminate();
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

/** Each file parsed (no schema, no lint): enough for the listener plan while workers validate. */
async function readSources(files: readonly string[]): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const file of files) {
    try {
      out.push(await readSourceFile(file));
    } catch {
      // Unreadable: the worker reports it.
    }
  }
  return out;
}

/** A stand-in position for the first pass, whose diagnostics are kept only when there are none. */
const UNPLACED: SourcePosition = { line: 0, column: 0 };

/** The typed models, their nodes' positions answered by `position` instead of the file's own positioned parse. */
function modelsOf(sources: readonly SourceFile[], position: (source: SourceFile, pointer: string, options?: { key?: boolean }) => SourcePosition | undefined): Capability[] {
  const out: Capability[] = [];
  for (const source of sources) {
    const borrowed: SourceFile = { ...source, positionOf: (pointer, options) => position(source, pointer, options) };
    const capability = normalizeCapability(borrowed).capability;
    if (capability) out.push(capability);
  }
  return out;
}

interface ValidateWorker {
  worker: Worker;
  /** Its share's diagnostics. */
  diagnostics: Promise<Diagnostic[]>;
  /** Asks for the planned locations' positions in these files (it must be asked once, even for none); the worker then ends. */
  positions(files: readonly string[]): Promise<[string, [string, SourcePosition][]][]>;
}

function startWorker(files: string[], options: { strict?: boolean; keepInfos: boolean }): ValidateWorker {
  const worker = new Worker(new URL('./validate-worker.js', import.meta.url), {
    workerData: { files, strict: options.strict === true, keepInfos: options.keepInfos },
  });
  const replies: ((value: unknown) => void)[] = [];
  const failures: ((error: Error) => void)[] = [];
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      replies.push(resolve as (value: unknown) => void);
      failures.push(reject);
    });
  const fail = (error: Error) => {
    for (const reject of failures.splice(0)) reject(error);
    replies.length = 0;
  };
  worker.on('message', (message) => {
    failures.shift();
    replies.shift()?.(message);
  });
  worker.once('error', fail);
  worker.once('exit', (code) => fail(new Error(`validate worker exited with ${code} before answering`)));
  const diagnostics = next<Diagnostic[]>();
  // A rejection nobody awaits yet (the positions request) must not crash the process.
  diagnostics.catch(() => undefined);
  return {
    worker,
    diagnostics,
    positions(wanted) {
      const answer = next<[string, [string, SourcePosition][]][]>();
      worker.postMessage(wanted);
      return answer;
    },
  };
}
