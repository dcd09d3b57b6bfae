/**
 * Renders diagnostics for people (text with code frames), tools (json) and
 * CI (GitHub workflow annotations).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { renderCodeFrame } from '../capability/codeframe.js';
import { countBySeverity, type Diagnostic } from '../capability/diagnostics.js';
import type { SourceFile } from '../capability/source.js';

export type ReportFormat = 'text' | 'json' | 'github';

export interface ReportOptions {
  /** Show `info` diagnostics in text and github output (always present in json). */
  verbose?: boolean;
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], format: ReportFormat, files: number, options: ReportOptions = {}): string {
  // Filter before sorting: positions are computed lazily, and hidden infos need none.
  const shown = format === 'json' || options.verbose ? diagnostics : diagnostics.filter((d) => d.severity !== 'info');
  const counts = countBySeverity(diagnostics);
  const sorted = [...shown].sort(
    (a, b) => a.file.localeCompare(b.file) || (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.column ?? 0) - (b.position?.column ?? 0),
  );
  if (format === 'json') {
    return JSON.stringify({ files, errors: counts.error, warnings: counts.warning, infos: counts.info, diagnostics: sorted.map((d) => ({ ...d, file: display(d.file) })) }, null, 2);
  }
  if (format === 'github') {
    return sorted
      .map((d) => {
        const level = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
        const where = [`file=${display(d.file)}`, d.position ? `line=${d.position.line}` : '', d.position ? `col=${d.position.column}` : '', `title=${d.code}`].filter(Boolean).join(',');
        return `::${level} ${where}::${escapeGithub(d.message + (d.hint ? ` (${d.hint})` : ''))}`;
      })
      .join('\n');
  }
  const sources = new Map<string, Pick<SourceFile, 'line'> | undefined>();
  const blocks = sorted.map((d) => {
    const where = `${display(d.file)}${d.position ? `:${d.position.line}:${d.position.column}` : ''}`;
    let block = `${where} ${d.severity} ${d.code}: ${d.message}`;
    if (d.position) {
      if (!sources.has(d.file)) sources.set(d.file, tryRead(d.file));
      const source = sources.get(d.file);
      if (source) block += `\n${indent(renderCodeFrame(source, d.position))}`;
    }
    if (d.hint) block += `\n  hint: ${d.hint}`;
    return block;
  });
  const hidden = diagnostics.length - shown.length;
  const summary = `${files} file(s) checked: ${counts.error} error(s), ${counts.warning} warning(s)${hidden > 0 ? `, ${hidden} info(s) hidden (--verbose shows them)` : ''}`;
  return [...blocks, summary].join('\n\n');
}

/** A code frame needs the file's lines, not a second YAML parse. */
function tryRead(file: string): Pick<SourceFile, 'line'> | undefined {
  try {
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    return { line: (n: number) => lines[n - 1] };
  } catch {
    return undefined;
  }
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

function escapeGithub(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
