import { setOwn } from './text.js';

/** A converted table: one object per data row, keyed by header text. */
export type TableRows = Record<string, string>[];

/**
 * Trim header texts; a table whose headers are all blank (or that has none) yields `null`
 * and is skipped by the caller.
 */
export function sanitizeHeaders(raw: readonly string[]): string[] | null {
  const headers = raw.map((h) => h.trim());
  return headers.some((h) => h !== '') ? headers : null;
}

/**
 * Shared html/markdown row contract: each row → `{header: cell}` for every header,
 * missing cells → `""`, extra cells dropped; a repeated header keeps its first position and the
 * last value.
 */
export function mapRowsToTable(headers: readonly string[], rows: readonly (readonly string[])[]): TableRows {
  const table: TableRows = [];
  for (const row of rows) {
    const obj: Record<string, string> = {};
    for (let i = 0; i < headers.length; i++) setOwn(obj, headers[i]!, row[i] ?? '');
    table.push(obj);
  }
  return table;
}
