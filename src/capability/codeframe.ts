/**
 * Code frames for diagnostics, in the style of Babel and Redocly:
 *
 *     11 |   - type: rest
 *   > 12 |     prot: 8080
 *        |     ^
 *     13 |     namespace: demo
 *
 * Plain text (no colours): the CLI decides whether to colour it.
 */
import type { SourcePosition } from './diagnostics.js';
import type { SourceFile } from './source.js';

/**
 * The line at `position` with `contextLines` lines either side, a line-number
 * gutter, and a caret under the column. Returns '' when the line does not exist.
 */
export function renderCodeFrame(source: Pick<SourceFile, 'line'>, position: SourcePosition, contextLines = 1): string {
  const target = source.line(position.line);
  if (target === undefined) return '';
  const context = Math.max(0, Math.floor(contextLines));
  const first = Math.max(1, position.line - context);
  let last = position.line;
  while (last < position.line + context && source.line(last + 1) !== undefined) last++;
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = (source.line(n) ?? '').replace(/\r$/, '');
    const marker = n === position.line ? '>' : ' ';
    out.push(`${marker} ${String(n).padStart(width)} |${text === '' ? '' : ` ${text}`}`);
    if (n === position.line) out.push(`  ${' '.repeat(width)} | ${caretPadding(text, position.column)}^`);
  }
  return out.join('\n');
}

/** Spaces up to the column (1-based), keeping tabs so the caret lines up in a terminal. */
function caretPadding(line: string, column: number): string {
  const upTo = Math.min(Math.max(column, 1) - 1, line.length);
  return line.slice(0, upTo).replace(/[^\t]/g, ' ');
}
