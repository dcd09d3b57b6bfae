import { FormatError } from './errors.js';
import { setOwn } from './text.js';

export type Separator = ',' | '\t' | '|';

/**
 * `csv` / `tsv` / `psv` (Jackson CsvMapper with a header schema):
 * - first record = column names; every following record → object `{column: value}`,
 *   all values are strings (no type coercion, no trimming);
 * - RFC 4180 quoting: a field that *starts* with `"` is quoted; `""` inside is a literal quote;
 *   separators and line breaks inside quotes are data; a `"` elsewhere is a literal character;
 * - records end at LF, CRLF or CR; blank lines are skipped;
 * - a record with fewer fields than the header only carries the fields it has (no padding);
 * - a record with more *non-empty* fields than the header is an error (Jackson:
 *   "Too many entries"); extra empty trailing fields (trailing separator) are ignored;
 * - duplicate column names: the last value wins.
 */
export function parseDelimited(text: string, separator: Separator, format: string): Record<string, string>[] {
  const records = readRecords(text, separator, format);
  const header = records[0];
  const rows: Record<string, string>[] = [];
  if (!header) return rows;
  const width = header.length;
  for (let r = 1; r < records.length; r++) {
    const fields = records[r]!;
    const row: Record<string, string> = {};
    const n = Math.min(width, fields.length);
    for (let i = 0; i < n; i++) setOwn(row, header[i]!, fields[i]!);
    for (let i = width; i < fields.length; i++) {
      if (fields[i] !== '') {
        throw new FormatError(
          format,
          `upstream ${format.toUpperCase()} row ${r + 1} has ${fields.length} fields but the header has ${width}`,
        );
      }
    }
    rows.push(row);
  }
  return rows;
}

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

/** Split text into records of fields. Blank lines (no characters at all) are dropped. */
export function readRecords(text: string, separator: Separator, format = 'csv'): string[][] {
  const sep = separator.charCodeAt(0);
  const len = text.length;
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  let line = 1;

  while (i < len) {
    // At the start of a field.
    let value: string;
    if (text.charCodeAt(i) === QUOTE) {
      const startLine = line;
      let buf = '';
      let chunk = i + 1;
      i++;
      for (;;) {
        if (i >= len) {
          throw new FormatError(
            format,
            `upstream ${format.toUpperCase()} has an unterminated quoted field starting on line ${startLine}`,
          );
        }
        const c = text.charCodeAt(i);
        if (c === QUOTE) {
          if (text.charCodeAt(i + 1) === QUOTE) {
            buf += text.slice(chunk, i + 1);
            i += 2;
            chunk = i;
            continue;
          }
          buf += text.slice(chunk, i);
          i++;
          break;
        }
        if (c === LF) line++;
        i++;
      }
      // Characters after the closing quote up to the separator/EOL are kept literally.
      const rest = i;
      while (i < len) {
        const c = text.charCodeAt(i);
        if (c === sep || c === LF || c === CR) break;
        i++;
      }
      value = rest === i ? buf : buf + text.slice(rest, i);
    } else {
      const start = i;
      while (i < len) {
        const c = text.charCodeAt(i);
        if (c === sep || c === LF || c === CR) break;
        i++;
      }
      value = text.slice(start, i);
    }
    record.push(value);

    if (i >= len) break;
    const c = text.charCodeAt(i);
    if (c === sep) {
      i++;
      if (i >= len) record.push('');
      continue;
    }
    // End of line.
    i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
    line++;
    pushRecord(records, record);
    record = [];
  }
  pushRecord(records, record);
  return records;
}

function pushRecord(records: string[][], record: string[]): void {
  if (record.length === 0 || (record.length === 1 && record[0] === '')) return;
  records.push(record);
}
