import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { gfmTable } from 'micromark-extension-gfm-table';
import { FormatError, reason } from './errors.js';
import { mapRowsToTable, sanitizeHeaders, type TableRows } from './tables.js';
import { parseYaml } from './yaml.js';

export interface MarkdownSection {
  heading: string;
  level: number;
  content: string;
}

export interface MarkdownDocument {
  frontMatter: Record<string, unknown>;
  tables: TableRows[];
  sections: MarkdownSection[];
}

/**
 * `markdown` (reference: commonmark-java + GFM tables; here micromark, also strictly CommonMark):
 * - CRLF → LF; front matter = text between a leading `---\n` and the next `\n---\n`, parsed as
 *   YAML; kept only if it is a mapping (else `{}`);
 * - `tables`: GFM tables that are direct children of the document (not inside lists/quotes),
 *   same row contract as html (first row = headers; all-blank headers → table skipped);
 * - `sections`: one `{heading, level, content}` per top-level heading; content = plain text of the
 *   following top-level non-table blocks up to the next heading, one line per non-empty block;
 *   only headings that start with `sectionFilter` (outputSchema) when it is non-blank.
 * Plain text = text + inline code; soft line break → space, hard break → `\n`; raw HTML and code
 * blocks contribute nothing (as in the reference).
 */
export function parseMarkdown(input: string, sectionFilter?: string): MarkdownDocument {
  const markdown = input.replace(/\r\n/g, '\n');
  const { frontMatter, body } = splitFrontMatter(markdown);

  let root: MdNode;
  try {
    root = fromMarkdown(body, {
      extensions: [gfmTable()],
      mdastExtensions: [gfmTableFromMarkdown()],
    }) as MdNode;
  } catch (err) {
    throw new FormatError('markdown', `upstream body is not valid Markdown: ${reason(err)}`, { cause: err });
  }

  const blocks = root.children ?? [];
  return {
    frontMatter,
    tables: extractTables(blocks),
    sections: extractSections(blocks, sectionFilter),
  };
}

/** Structural view of an mdast node (avoids depending on @types/mdast directly). */
interface MdNode {
  type: string;
  value?: string;
  alt?: string | null;
  depth?: number;
  children?: MdNode[];
}

function splitFrontMatter(markdown: string): { frontMatter: Record<string, unknown>; body: string } {
  let frontMatter: Record<string, unknown> = {};
  let body = markdown;
  if (markdown.startsWith('---\n')) {
    const end = markdown.indexOf('\n---\n', 4);
    if (end > -1) {
      const block = markdown.slice(4, end).trim();
      body = markdown.slice(end + 5);
      if (block !== '') {
        let parsed: unknown;
        try {
          parsed = parseYaml(block, 'markdown');
        } catch (err) {
          throw new FormatError('markdown', `invalid YAML front matter: ${reason(err)}`, { cause: err });
        }
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
          frontMatter = parsed as Record<string, unknown>;
        }
      }
    }
  }
  return { frontMatter, body };
}

function extractTables(blocks: MdNode[]): TableRows[] {
  const tables: TableRows[] = [];
  for (const node of blocks) {
    if (node.type !== 'table') continue;
    const [head, ...body] = node.children ?? [];
    const headers = sanitizeHeaders((head?.children ?? []).map((cell) => collectText(cell).trim()));
    if (!headers) continue;
    const rows = body.map((row) => (row.children ?? []).map((cell) => collectText(cell).trim()));
    tables.push(mapRowsToTable(headers, rows));
  }
  return tables;
}

function extractSections(blocks: MdNode[], filter: string | undefined): MarkdownSection[] {
  const sections: MarkdownSection[] = [];
  const matches = (heading: string): boolean => !filter || filter.trim() === '' || heading.startsWith(filter);
  let current: { heading: string; level: number; nodes: MdNode[] } | undefined;
  const flush = (): void => {
    if (current && matches(current.heading)) {
      sections.push({ heading: current.heading, level: current.level, content: contentText(current.nodes) });
    }
  };
  for (const node of blocks) {
    if (node.type === 'heading') {
      flush();
      current = { heading: collectText(node).trim(), level: node.depth ?? 1, nodes: [] };
    } else if (current && node.type !== 'table') {
      current.nodes.push(node);
    }
  }
  flush();
  return sections;
}

function contentText(nodes: MdNode[]): string {
  const lines: string[] = [];
  for (const node of nodes) {
    const text = collectText(node).trim();
    if (text !== '') lines.push(text);
  }
  return lines.join('\n').trim();
}

/** commonmark-java visitor equivalent: Text/Code literals, soft break → ' ', hard break → '\n'. */
function collectText(node: MdNode): string {
  const out: string[] = [];
  const visit = (n: MdNode): void => {
    switch (n.type) {
      case 'text':
        out.push((n.value ?? '').replace(/\n/g, ' '));
        return;
      case 'inlineCode':
        out.push(n.value ?? '');
        return;
      case 'break':
        out.push('\n');
        return;
      case 'image':
      case 'imageReference':
        out.push(n.alt ?? '');
        return;
      case 'html':
      case 'code':
      case 'definition':
        return;
      default:
        for (const child of n.children ?? []) visit(child);
    }
  };
  visit(node);
  return out.join('');
}
