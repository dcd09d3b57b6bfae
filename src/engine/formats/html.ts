import { createRequire } from 'node:module';
import type * as CheerioModule from 'cheerio';
import { FormatError, reason } from './errors.js';
import { mapRowsToTable, sanitizeHeaders, type TableRows } from './tables.js';

/**
 * `html` (reference: jsoup): HTML5 parsing (cheerio → parse5, so implicit `<tbody>`, unclosed
 * `<td>`/`<tr>` etc. behave like a browser/jsoup).
 * - tables: elements matching the CSS selector in `outputSchema` — the element itself when it is
 *   a `<table>`, else every descendant `<table>`; no selector → every `<table>` in the document;
 * - headers: `thead tr:first-child th`, else `tr:first-child th` (text, trimmed); a table whose
 *   headers are all blank / absent is skipped;
 * - rows: `tbody tr`, else every `tr`; rows containing a `<th>` or no `<td>` are skipped;
 *   cells = `td` text; missing cells → `""`, extra cells dropped.
 * - cell/header text is jsoup-like `text()`: whitespace collapsed, block boundaries and `<br>`
 *   become a space, script/style content ignored, trimmed.
 * Result: `{"tables": [[{header: value, …}, …], …]}`.
 */
export function parseHtml(text: string, selector?: string): { tables: TableRows[] } {
  const $ = cheerio().load(text);
  const css = selector?.trim() ? selector : undefined;
  let $scoped;
  try {
    $scoped = $.root().find(css ?? 'table');
  } catch (err) {
    throw new FormatError('html', `invalid CSS selector \`${selector}\` in outputSchema: ${reason(err)}`, { cause: err });
  }
  const tableEls = $scoped
    .toArray()
    .flatMap((el) => (css === undefined || isTag(el as DomNode, 'table') ? [el] : $(el).find('table').toArray()));

  const tables: TableRows[] = [];
  for (const table of tableEls) {
    const $t = $(table);
    let headerCells = $t.find('thead tr:first-child th').toArray();
    if (headerCells.length === 0) headerCells = $t.find('tr:first-child th').toArray();
    const headers = sanitizeHeaders(headerCells.map((c) => textOf(c as DomNode)));
    if (!headers) continue;

    let rowEls = $t.find('tbody tr').toArray();
    if (rowEls.length === 0) rowEls = $t.find('tr').toArray();
    const rows: string[][] = [];
    for (const rowEl of rowEls) {
      const $r = $(rowEl);
      if ($r.find('th').length > 0) continue;
      const cells = $r.find('td').toArray();
      if (cells.length === 0) continue;
      rows.push(cells.map((c) => textOf(c as DomNode)));
    }
    tables.push(mapRowsToTable(headers, rows));
  }
  return { tables };
}

// cheerio (parse5, undici, …) costs ~100 ms to import: load it on first use only.
const requireCjs = createRequire(import.meta.url);
let cheerioModule: typeof CheerioModule | undefined;
function cheerio(): typeof CheerioModule {
  return (cheerioModule ??= requireCjs('cheerio') as typeof CheerioModule);
}

/** Structural view of a domhandler node (cheerio does not re-export the type). */
interface DomNode {
  type: string;
  name?: string;
  data?: string;
  children?: DomNode[];
}

function isTag(node: DomNode, name: string): boolean {
  return (node.type === 'tag' || node.type === 'script' || node.type === 'style') && node.name === name;
}

const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'dd', 'div', 'dl', 'dt', 'fieldset',
  'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr',
  'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead',
  'tr', 'ul',
]);
const SKIP = new Set(['script', 'style', 'template', 'noscript']);

/** jsoup `Element.text()` approximation: normalised, trimmed text of the subtree. */
export function textOf(node: DomNode): string {
  const parts: string[] = [];
  walk(node, parts);
  return parts
    .join('')
    .replace(/[\u200b\u00ad]/g, '')
    .replace(/[ \t\n\f\r\u00a0]+/g, ' ')
    .trim();
}

function walk(node: DomNode, out: string[]): void {
  if (node.type === 'text') {
    out.push(node.data ?? '');
    return;
  }
  if (node.type === 'comment' || node.type === 'directive' || node.type === 'cdata') return;
  const name = node.name;
  if (name !== undefined && SKIP.has(name)) return;
  const block = name !== undefined && BLOCK.has(name);
  if (block) out.push(' ');
  for (const child of node.children ?? []) walk(child, out);
  if (block) out.push(' ');
}
