/**
 * One YAML mistake, one diagnostic. The YAML parser reports a mis-indented or
 * tab-indented line as a cascade of errors, often at the line before the real
 * mistake ("Nested mappings are not allowed in compact mappings" at the end of
 * `namespace: api` when the next line is indented too far). This module keeps
 * the first problem only, moves it to the line the author must change, and
 * says what is wrong in plain words.
 */
import type { Diagnostic, SourcePosition } from './diagnostics.js';

export interface RawYamlError {
  code: string;
  message: string;
  position: SourcePosition;
}

const INDENT_CODES = new Set(['BAD_INDENT', 'MULTILINE_IMPLICIT_KEY', 'TAB_AS_INDENT', 'UNEXPECTED_TOKEN', 'BLOCK_AS_IMPLICIT_KEY']);
const INDENT_MESSAGES = /nested mappings are not allowed in compact mappings|implicit keys need to be on a single line|all mapping items must start at the same column|all collection items must start at the same column|bad indentation/i;

export function humaniseYamlErrors(file: string, lines: readonly string[], errors: readonly RawYamlError[]): Diagnostic[] {
  if (errors.length === 0) return [];
  const make = (code: string, message: string, position: SourcePosition, hint?: string): Diagnostic => ({
    code,
    severity: 'error',
    message,
    file,
    pointer: '',
    position,
    ...(hint ? { hint } : {}),
  });
  const duplicates = errors.filter((e) => e.code === 'DUPLICATE_KEY');
  const tab = lines.findIndex((line) => /^[ ]*\t/.test(line));
  if (tab >= 0 && errors.some((e) => e.code === 'TAB_AS_INDENT' || /tab/i.test(e.message) || e.position.line >= tab + 1)) {
    return [make('yaml-syntax', 'tabs are not allowed in YAML indentation', { line: tab + 1, column: 1 }, 'indent with spaces (the same number as the sibling keys)')];
  }
  const first = [...errors].sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column)[0]!;
  if (INDENT_CODES.has(first.code) || INDENT_MESSAGES.test(first.message)) {
    const misplaced = misindentedLine(lines, first.position.line);
    if (misplaced) return [...duplicates.map(duplicate), make('yaml-syntax', misplaced.message, { line: misplaced.line, column: misplaced.column }, misplaced.hint)];
  }
  return [first, ...duplicates.filter((d) => d !== first)].map((e) => (e.code === 'DUPLICATE_KEY' ? duplicate(e) : make('yaml-syntax', e.message, e.position)));

  function duplicate(e: RawYamlError): Diagnostic {
    return make('yaml-duplicate-key', e.message, e.position);
  }
}

const indentOf = (line: string) => line.length - line.trimStart().length;
const isContent = (line: string | undefined) => line !== undefined && line.trim() !== '' && !line.trimStart().startsWith('#');

/**
 * The line that breaks the indentation near `reported` (1-based): a key line
 * indented more than the `key: value` line above it (which cannot have
 * children), or a line indented less than its siblings but more than its parent.
 */
function misindentedLine(lines: readonly string[], reported: number): { line: number; column: number; message: string; hint: string } | undefined {
  for (let n = Math.max(1, reported - 1); n <= Math.min(lines.length, reported + 2); n++) {
    const line = lines[n - 1]!;
    if (!isContent(line)) continue;
    let p = n - 1;
    while (p >= 1 && !isContent(lines[p - 1])) p--;
    if (p < 1) continue;
    const previous = lines[p - 1]!;
    const own = indentOf(line);
    const above = indentOf(previous);
    const key = /^\s*(?:-\s+)?([^\s:#][^:#]*?)\s*:/.exec(line)?.[1];
    const aboveKey = /^\s*(?:-\s+)?([^\s:#][^:#]*?)\s*:\s*(\S.*)?$/.exec(previous);
    const aboveHasValue = aboveKey?.[2] !== undefined && !/^[|>]/.test(aboveKey[2]!) && !/^[&!]/.test(aboveKey[2]!);
    const aboveDash = /^\s*-\s+/.test(previous) ? above + (/^\s*-\s+/.exec(previous)![0].length - above) : above;
    if (key && own > aboveDash && aboveHasValue) {
      return {
        line: n,
        column: own + 1,
        message: `\`${key}\` is indented more than its siblings`,
        hint: `\`${aboveKey![1]}\` above it already has a value, so \`${key}\` cannot be nested under it: indent \`${key}\` by ${aboveDash} space(s), like \`${aboveKey![1]}\``,
      };
    }
    if (key && own < aboveDash && own > 0 && !/^\s*-\s/.test(line)) {
      return {
        line: n,
        column: own + 1,
        message: `\`${key}\` is indented less than its siblings`,
        hint: `indent \`${key}\` by ${aboveDash} space(s), like \`${aboveKey?.[1] ?? 'the line above'}\` (or by the indentation of the mapping it belongs to)`,
      };
    }
  }
  return undefined;
}
