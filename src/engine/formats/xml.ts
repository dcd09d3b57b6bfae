import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FormatError } from './errors.js';
import { setOwn } from './text.js';

/**
 * `xml`: mimics Jackson `XmlMapper.readTree` (jackson-dataformat-xml 2.14+):
 * - the root element's name is dropped; its content becomes the result object;
 * - attributes and child elements both become plain fields (attributes first, in order);
 * - repeated names (siblings, or an attribute and a child with the same name) → array;
 * - a leaf element (no attributes, no children) → its text as a string (`<a/>` → `""`);
 * - text inside an element that also has attributes/children → field `""`
 *   (whitespace-only text between elements is ignored);
 * - a root holding only text → `{"": "text"}`; an empty root → `{}`;
 * - all values are strings; namespace prefixes and `xmlns` declarations are ignored;
 * - comments, processing instructions and the DOCTYPE are ignored; DTD entities are not expanded
 *   (only the five XML entities and numeric character references are decoded).
 */
export function parseXml(text: string): unknown {
  if (text.trim() === '') return null;
  const check = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (check !== true) {
    const { msg, line } = check.err;
    throw new FormatError('xml', `upstream body is not valid XML: ${msg}${line ? ` (line ${line})` : ''}`);
  }
  let doc: OrderedNode[];
  try {
    doc = parser.parse(text) as OrderedNode[];
  } catch (err) {
    throw new FormatError('xml', `upstream body is not valid XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const root = doc.find((n) => elementName(n) !== undefined);
  if (!root) throw new FormatError('xml', 'upstream body is not valid XML: no root element');
  const value = convertElement(root, elementName(root)!);
  return typeof value === 'string' ? (value === '' ? {} : { '': value }) : value;
}

const TEXT = '#text';
const CDATA = '#cdata';
const ATTRS = ':@';
const ATTR_PREFIX = '@_';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_PREFIX,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: CDATA,
  allowBooleanAttributes: true,
});

/** One entry of fast-xml-parser's `preserveOrder` output. */
type OrderedNode = { [name: string]: unknown };

function elementName(node: OrderedNode): string | undefined {
  for (const key of Object.keys(node)) {
    if (key !== ATTRS && key !== TEXT && key !== CDATA && !key.startsWith('?') && key !== '!DOCTYPE') return key;
  }
  return undefined;
}

type Json = string | Json[] | { [k: string]: Json };

function convertElement(node: OrderedNode, name: string): Json {
  const obj: Record<string, Json> = {};
  let hasFields = false;
  // Field values are never arrays themselves, so an array means "repeated name".
  const put = (key: string, value: Json): void => {
    hasFields = true;
    if (!Object.prototype.hasOwnProperty.call(obj, key)) {
      setOwn(obj, key, value);
      return;
    }
    const prev = obj[key]!;
    if (Array.isArray(prev)) prev.push(value);
    else setOwn<Json>(obj, key, [prev, value]);
  };

  const attrs = node[ATTRS] as Record<string, unknown> | undefined;
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      const key = k.startsWith(ATTR_PREFIX) ? k.slice(ATTR_PREFIX.length) : k;
      if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
      put(key, decodeEntities(String(v)));
    }
  }

  const texts: string[] = [];
  let hasChildElements = false;
  for (const child of (node[name] as OrderedNode[] | undefined) ?? []) {
    if (TEXT in child) {
      texts.push(decodeEntities(String(child[TEXT])));
      continue;
    }
    if (CDATA in child) {
      for (const part of (child[CDATA] as OrderedNode[] | undefined) ?? []) texts.push(String(part[TEXT] ?? ''));
      continue;
    }
    const childName = elementName(child);
    if (childName === undefined) continue;
    hasChildElements = true;
    // Text collected so far belongs to the parent (mixed content) – flush as a "" field.
    flushText(texts, put);
    put(childName, convertElement(child, childName));
  }

  if (!hasFields && !hasChildElements) {
    const text = texts.join('');
    return text.trim() === '' ? '' : text;
  }
  flushText(texts, put);
  return obj;
}

function flushText(texts: string[], put: (key: string, value: Json) => void): void {
  if (texts.length === 0) return;
  const text = texts.join('');
  texts.length = 0;
  if (text.trim() !== '') put('', text.trim());
}

const ENTITY = /&(?:#[xX]([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (whole, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
    if (named) return NAMED[named]!;
    const code = hex ? parseInt(hex, 16) : parseInt(dec!, 10);
    try {
      return String.fromCodePoint(code);
    } catch {
      return whole;
    }
  });
}
