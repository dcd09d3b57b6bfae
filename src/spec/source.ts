/**
 * A capability file parsed with source positions kept.
 *
 * We parse with the `yaml` document API (not `yaml.parse`) so that every later
 * stage can turn a JSON pointer back into file:line:col and a code frame.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic, SourcePosition } from './diagnostics.js';

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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  const diagnostics: Diagnostic[] = [];
  const toPosition = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  for (const error of doc.errors) {
    diagnostics.push({
      code: error.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax',
      severity: 'error',
      message: firstLine(error.message),
      file: path,
      pointer: '',
      position: toPosition(error.pos[0]),
    });
  }
  let data: unknown;
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
  const lines = text.split(/\r?\n/);
  return {
    path,
    text,
    data,
    diagnostics,
    positionOf: (pointer, options) => {
      const range = locate(doc, pointer, options?.key === true);
      return range === undefined ? undefined : toPosition(range);
    },
    line: (n) => lines[n - 1],
  };
}

/** Offset of the deepest existing node along `pointer` (so a missing key points at its parent). */
function locate(doc: Document, pointer: string, wantKey: boolean): number | undefined {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === segment);
      if (!pair) return offset;
      if (last && wantKey) return rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) return offset;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function rangeStart(node: unknown): number | undefined {
  return isNode(node) ? (node as Node).range?.[0] : undefined;
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
