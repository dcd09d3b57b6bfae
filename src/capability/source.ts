/**
 * A capability file parsed with source positions kept.
 *
 * We parse with the `yaml` document API (not `yaml.parse`) so that every later
 * stage can turn a JSON pointer back into file:line:col and a code frame.
 */
import { readFile } from 'node:fs/promises';
import { load as loadYaml, CORE_SCHEMA } from 'js-yaml';
import type { Document, LineCounter, Node } from 'yaml';
import { yamlModule } from '../util/yaml-module.js';
import type { Diagnostic, SourcePosition } from './diagnostics.js';
import { humaniseYamlErrors } from './yaml-errors.js';

export interface SourceFile {
  /** Path as given (used in messages). */
  path: string;
  text: string;
  /** Plain JS value of the document (undefined when the YAML could not be parsed). */
  data: unknown;
  /** Problems found while parsing YAML. */
  diagnostics: Diagnostic[];
  /** Position of the node at a JSON pointer; `key: true` points at the mapping key instead of the value. */
  positionOf(pointer: string, options?: { key?: boolean }): SourcePosition | undefined;
  /** Line `n` (1-based) of the text, without its newline. */
  line(n: number): string | undefined;
}

export async function readSourceFile(path: string): Promise<SourceFile> {
  const text = await readFile(path, 'utf8');
  return parseSource(path, text);
}

export function parseSource(path: string, text: string): SourceFile {
  const fast = fastParse(text);
  // The positioned document is built only when a position is asked for (a
  // diagnostic, a code frame): valid files never pay for it.
  let positioned: { doc: Document | undefined; lineCounter: LineCounter } | undefined;
  const document = () => {
    if (!positioned) {
      const { LineCounter, parseDocument } = yamlModule();
      const lineCounter = new LineCounter();
      positioned = { doc: parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false }), lineCounter };
    }
    return positioned;
  };
  const toPosition = (offset: number): SourcePosition => {
    const p = document().lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const diagnostics: Diagnostic[] = [];
  let data: unknown = fast.ok ? fast.data : undefined;
  if (!fast.ok) {
    // The fast parser refused it (syntax error, duplicate key, anchors): the full
    // parser gives exact, located diagnostics and the alias-bomb guard.
    const doc = document().doc!;
    const raw = doc.errors.map((error) => ({ code: error.code, message: firstLine(error.message), position: toPosition(error.pos[0]) }));
    diagnostics.push(...humaniseYamlErrors(path, text.split(/\r?\n/), raw));
    if (doc.errors.length === 0) {
      try {
        data = doc.toJS({ maxAliasCount: 100 });
      } catch (error) {
        diagnostics.push({
          code: 'yaml-syntax',
          severity: 'error',
          message: error instanceof Error ? error.message : String(error),
          file: path,
          pointer: '',
          position: { line: 1, column: 1 },
        });
      }
    }
  }
  const lines = text.split(/\r?\n/);
  let index: Map<string, NodeOffsets> | undefined;
  return {
    path,
    text,
    data,
    diagnostics,
    positionOf: (pointer, options) => {
      if (options?.key === true && !positioned) {
        const unique = uniqueKeyPosition(lines, pointer);
        if (unique) return unique;
      }
      // One walk of the document builds every pointer's offsets; each lookup is then a map read.
      if (!index) {
        index = indexDocument(document().doc!);
        // The index and the line counter are all later lookups need: dropping the
        // document (many times the text's size) keeps a large validate run out of GC.
        positioned!.doc = undefined;
      }
      const found = index.get(pointer) ?? nearestAncestor(index, pointer);
      if (!found) return undefined;
      const offset = options?.key === true ? (found.key ?? found.value) : found.value;
      return offset === undefined ? undefined : toPosition(offset);
    },
    line: (n) => lines[n - 1],
  };
}

interface NodeOffsets {
  /** Start of the value node. */
  value?: number;
  /** Start of the mapping key, when the node is a mapping value. */
  key?: number;
}

function indexDocument(doc: Document): Map<string, NodeOffsets> {
  const { isMap, isPair, isSeq } = yamlModule();
  const index = new Map<string, NodeOffsets>();
  const visit = (node: unknown, pointer: string, key?: number) => {
    index.set(pointer, { value: rangeStart(node) ?? key, key });
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const name = keyText(pair.key);
        if (name === undefined) continue;
        visit(pair.value, `${pointer}/${escapePointer(name)}`, rangeStart(pair.key));
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, `${pointer}/${i}`));
    }
  };
  visit(doc.contents, '');
  return index;
}

/** A pointer to a missing node reports where its deepest existing ancestor starts. */
function nearestAncestor(index: Map<string, NodeOffsets>, pointer: string): NodeOffsets | undefined {
  let current = pointer;
  while (current !== '') {
    current = current.slice(0, current.lastIndexOf('/'));
    const found = index.get(current);
    if (found) return { value: found.value };
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (yamlModule().isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function rangeStart(node: unknown): number | undefined {
  return yamlModule().isNode(node) ? (node as Node).range?.[0] : undefined;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * js-yaml (core schema: YAML 1.2 scalars, no timestamps, no merge keys — the same
 * data the \`yaml\` package gives) is ~10x faster than building a positioned
 * document. It is used for the data of every well-formed file without anchors;
 * anything else goes to the full parser.
 */
function fastParse(text: string): { ok: true; data: unknown } | { ok: false } {
  if (mayHoldAlias(text)) return { ok: false };
  try {
    return { ok: true, data: loadYaml(text, { schema: CORE_SCHEMA, json: false }) ?? null };
  } catch {
    return { ok: false };
  }
}

/**
 * Where an alias can start a node: a line's indentation (and block-sequence
 * dashes), after `:` (a JSON-like flow key may be followed by its value with no
 * space), after `? ` or `- `, or inside a flow collection after `[`, `{` or `,`.
 * An alias never carries a tag or an anchor, so nothing else can precede it.
 */
const ALIAS_AT_NODE = /(?:^[ \t]*(?:-[ \t]+)*|:[ \t]*|[?-][ \t]+|[[{,][ \t]*)\*[^\s,\]}]/m;
/** An anchor anywhere a node's properties can be (after a tag too): looser on purpose. */
const ANCHOR = /(^|[\s[{,:-])&[^\s,\]}]/m;

/**
 * Whether the text may use anchors and aliases, which only the full parser takes
 * (it caps alias expansion: no "billion laughs"). An alias can only start a node,
 * so a `*` inside a scalar — Markdown bold in a description, `**required**` — does
 * not count: the curated Lean pack's descriptions sent every file of it to the
 * slow parser (a third of its cold start). A false alarm only costs speed; the
 * full parser stays the judge.
 */
export function mayHoldAlias(text: string): boolean {
  return ANCHOR.test(text) && ALIAS_AT_NODE.test(text);
}

/**
 * A mapping key that occurs exactly once in the whole file (a bind variable, a
 * distinctive operation key) is found by a line scan, without the positioned
 * parse: startup warnings about missing bind values then cost nothing.
 */
function uniqueKeyPosition(lines: readonly string[], pointer: string): SourcePosition | undefined {
  const key = unescapePointer(pointer.slice(pointer.lastIndexOf('/') + 1));
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) return undefined;
  const pattern = new RegExp(`^(\\s*(?:-\\s+)?)${key.replace(/[.]/g, '\\.')}\\s*:(\\s|$)`);
  let found: SourcePosition | undefined;
  for (let i = 0; i < lines.length; i++) {
    const match = pattern.exec(lines[i]!);
    if (!match) continue;
    if (found) return undefined; // not unique: ask the real parser
    found = { line: i + 1, column: match[1]!.length + 1 };
  }
  return found;
}
