/**
 * Upstream response format converters (`outputRawFormat`, naftiko-core.md §5.1): turn a raw
 * upstream body into the JSON value that output JSONPath mappings read.
 */
import { parseBinary } from './binary.js';
import { parseDelimited } from './delimited.js';
import { FormatError } from './errors.js';
import { parseHtml } from './html.js';
import { parseJson } from './json.js';
import { charsetOf, toText } from './text.js';
import { parseYaml } from './yaml.js';

export { FormatError } from './errors.js';

export type RawFormat = 'json' | 'xml' | 'yaml' | 'csv' | 'tsv' | 'psv' | 'html' | 'markdown' | 'avro' | 'protobuf';

export const RAW_FORMATS: readonly RawFormat[] = [
  'json', 'xml', 'yaml', 'csv', 'tsv', 'psv', 'html', 'markdown', 'avro', 'protobuf',
];

/** Formats this runtime can actually convert (avro/protobuf are declared but unsupported). */
const SUPPORTED: ReadonlySet<string> = new Set(['json', 'xml', 'yaml', 'csv', 'tsv', 'psv', 'html', 'markdown']);
const KNOWN: ReadonlySet<string> = new Set(RAW_FORMATS);

export interface ParseBodyOptions {
  /** The consumed operation's `outputSchema`: CSS selector (html), heading prefix (markdown). */
  outputSchema?: string;
  /** Upstream Content-Type; its `charset` is used to decode Buffer bodies (default UTF-8). */
  contentType?: string;
}

/** Normalise a declared format label: case-insensitive; `undefined`/`null` → `json`. */
export function normalizeFormat(format: string | undefined | null): string {
  return format == null ? 'json' : format.toLowerCase();
}

/** A format name the Naftiko schema defines (case-insensitive). */
export function isKnownFormat(name: string | undefined | null): name is RawFormat {
  return name != null && KNOWN.has(name.toLowerCase());
}

/** A format this runtime can convert (case-insensitive; `avro`/`protobuf` → false). */
export function isSupportedFormat(name: string | undefined | null): boolean {
  return name != null && SUPPORTED.has(name.toLowerCase());
}

/**
 * Convert an upstream body to a JSON value according to `outputRawFormat`.
 * Throws {@link FormatError} on unparsable input or an unknown/unsupported format.
 */
/**
 * The XML and Markdown parsers (and their libraries) are loaded only when a
 * served capability uses those formats: importing them cost a tenth of a cold
 * start. `preloadFormats` is awaited when capabilities are loaded (and by tests).
 */
let xmlModule: typeof import('./xml.js') | undefined;
let markdownModule: typeof import('./markdown.js') | undefined;

export async function preloadFormats(formats: Iterable<string | undefined>): Promise<void> {
  for (const format of formats) {
    const fmt = normalizeFormat(format);
    if (fmt === 'xml') xmlModule ??= await import('./xml.js');
    else if (fmt === 'markdown') markdownModule ??= await import('./markdown.js');
  }
}

function notLoaded(fmt: string): never {
  throw new FormatError(fmt, `the \`${fmt}\` parser was not loaded (preloadFormats was not called for it)`);
}

export function parseBody(format: string | undefined, body: Buffer | string, options?: ParseBodyOptions): unknown {
  const fmt = normalizeFormat(format);
  const charset = charsetOf(options?.contentType);
  switch (fmt) {
    case 'json':
      return parseJson(toText(body, charset));
    case 'xml':
      return (xmlModule ?? notLoaded(fmt)).parseXml(toText(body, charset ?? xmlDeclaredEncoding(body)));
    case 'yaml':
      return parseYaml(toText(body, charset));
    case 'csv':
      return parseDelimited(toText(body, charset), ',', fmt);
    case 'tsv':
      return parseDelimited(toText(body, charset), '\t', fmt);
    case 'psv':
      return parseDelimited(toText(body, charset), '|', fmt);
    case 'html':
      return parseHtml(toText(body, charset), options?.outputSchema);
    case 'markdown':
      return (markdownModule ?? notLoaded(fmt)).parseMarkdown(toText(body, charset), options?.outputSchema);
    case 'avro':
    case 'protobuf':
      return parseBinary(fmt);
    default:
      throw new FormatError(fmt, `unsupported output format \`${format}\``);
  }
}

/** `encoding="…"` from an XML declaration at the start of a byte body (ASCII-compatible only). */
function xmlDeclaredEncoding(body: Buffer | string): string | undefined {
  if (typeof body === 'string') return undefined;
  const head = body.subarray(0, 200).toString('latin1');
  const m = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  return m?.[1]?.toLowerCase();
}
