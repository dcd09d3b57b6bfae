/**
 * Positions of the nodes the listener plan can blame (adapters, operations,
 * tools), exchanged between `validate`'s workers and its main thread: the
 * workers have already built each file's positioned parse for its own
 * diagnostics, so the cross-file conflicts borrow their positions instead of
 * parsing every involved file a second time on the main thread (that second
 * parse was most of a 400-file run).
 */
import type { SourcePosition } from '../capability/diagnostics.js';
import type { Capability, Location } from '../capability/model.js';

/** file → pointer → position (absent: not known). */
export type PositionTable = Map<string, Map<string, SourcePosition>>;

/** Every location of a capability that `planListeners` may report. */
export function plannedLocations(capability: Capability): Location[] {
  const out: Location[] = [];
  for (const adapter of capability.exposes) {
    out.push(adapter.loc);
    if (adapter.type === 'rest') for (const resource of adapter.resources) for (const operation of resource.operations) out.push(operation.loc);
    else if (adapter.type === 'mcp') for (const tool of adapter.tools) out.push(tool.loc);
  }
  return out;
}

/** The positions of those locations in the wanted files, as plain entries that cross a thread. */
export function collectPositions(capabilities: readonly Capability[], wanted: readonly string[]): [string, [string, SourcePosition][]][] {
  const byFile = new Map(capabilities.map((c) => [c.file, c]));
  const out: [string, [string, SourcePosition][]][] = [];
  for (const file of wanted) {
    const capability = byFile.get(file);
    if (!capability) continue;
    const entries: [string, SourcePosition][] = [];
    for (const loc of plannedLocations(capability)) if (loc.position) entries.push([loc.pointer, loc.position]);
    out.push([file, entries]);
  }
  return out;
}

export function positionTable(parts: readonly [string, [string, SourcePosition][]][][]): PositionTable {
  return new Map(parts.flat().map(([file, entries]) => [file, new Map(entries)]));
}
