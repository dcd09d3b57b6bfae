/**
 * Worker thread of `runtime validate` for large sets: validates its share of the
 * files and posts plain diagnostics back. Positions are computed here (they need
 * the positioned parse) except for infos that will not be shown. It then
 * lends the main thread the positions of its files' adapters, operations and
 * tools for the cross-file conflicts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCapabilities } from '../capability/loader.js';
import type { Diagnostic } from '../capability/diagnostics.js';
import { collectPositions } from './conflict-positions.js';

const { files, strict, keepInfos } = workerData as { files: string[]; strict: boolean; keepInfos: boolean };
const loaded = await loadCapabilities(files, { strict });
const plain: Diagnostic[] = loaded.diagnostics.map((d) => ({
  code: d.code,
  severity: d.severity,
  message: d.message,
  file: d.file,
  pointer: d.pointer,
  ...(d.hint ? { hint: d.hint } : {}),
  ...(d.severity !== 'info' || keepInfos ? { position: d.position } : {}),
}));
parentPort!.postMessage(plain);
// Then the main thread asks for the positions its cross-file conflicts need
// (possibly none); answering ends the worker.
parentPort!.once('message', (wanted: string[]) => {
  parentPort!.postMessage(collectPositions(loaded.capabilities, wanted));
  parentPort!.close();
});
