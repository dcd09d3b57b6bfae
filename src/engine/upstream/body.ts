/**
 * Request body encoders. The content type always matches the encoding:
 * JSON, form-urlencoded, multipart, text/xml/sparql, raw strings. Template
 * values are escaped for where they land (JSON string, JSON value, form field,
 * XML text, SPARQL literal), so a caller's value can never change the
 * structure of the body.
 */
import { randomBytes } from 'node:crypto';
import type { MultipartPart, RequestBody } from '../../capability/model.js';
import { sparqlEscape, xmlEscape } from '../escapes.js';
import { FormBody } from '../input.js';
import { Template, stringifyValue, type Lookup } from '../templates.js';

export interface EncodedBody {
  body: string | Buffer;
  contentType?: string;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const TEXT = 'text/plain; charset=utf-8';
const XML = 'application/xml';
const SPARQL = 'application/sparql-query';

/**
 * A body declared on the consumed operation, compiled once. `declaredContentType`
 * is a `Content-Type` header parameter of the operation: it decides how a raw
 * string body is escaped (and is kept as the content type).
 */
export type BodyEncoder = (lookup: Lookup, declaredContentType?: string) => EncodedBody;

/** Undefined when the body declares no data (`data: null`): the caller's body, if any, is sent instead. */
export function compileBody(body: RequestBody): BodyEncoder | undefined {
  switch (body.kind) {
    case 'raw': {
      const template = Template.compile(body.template);
      const sniffed = /^\s*[[{"]/.test(body.template) ? 'json' : /^\s*</.test(body.template) ? 'xml' : 'text';
      return (lookup, declared) => {
        const kind = declared ? kindOf(declared) : sniffed;
        const contentType = declared ?? (kind === 'json' ? JSON_TYPE : kind === 'xml' ? XML : TEXT);
        if (kind === 'json') return { body: renderJsonText(template, lookup), contentType };
        if (kind === 'form') return { body: template.render(lookup, formEscape), contentType };
        return { body: template.render(lookup, kind === 'xml' ? xmlEscapeValue : stringifyValue), contentType };
      };
    }
    case 'json': {
      if (body.data === undefined || body.data === null) return undefined;
      if (typeof body.data === 'string') {
        const text = body.data;
        const template = Template.compile(text);
        // JSON text (`{"a": "{{x}}"}`, `{{payload}}`, `[1, 2]`) is templated as JSON; other text is one JSON string.
        const isJsonText = /^\s*([[{"]|-?\d|true\b|false\b|null\b)/.test(text) || template.single !== undefined;
        return isJsonText
          ? (lookup) => ({ body: renderJsonText(template, lookup), contentType: JSON_TYPE })
          : (lookup) => ({ body: JSON.stringify(template.render(lookup)), contentType: JSON_TYPE });
      }
      const render = compileStructure(body.data);
      return (lookup) => ({ body: JSON.stringify(render(lookup)), contentType: JSON_TYPE });
    }
    case 'text':
    case 'xml':
    case 'sparql': {
      if (body.data === undefined || body.data === null) return undefined;
      const contentType = body.kind === 'text' ? TEXT : body.kind === 'xml' ? XML : SPARQL;
      const template = Template.compile(stringifyValue(body.data));
      const escape = body.kind === 'xml' ? xmlEscapeValue : body.kind === 'sparql' ? sparqlEscapeValue : stringifyValue;
      return (lookup) => ({ body: template.render(lookup, escape), contentType });
    }
    case 'formUrlEncoded': {
      if (body.data === undefined || body.data === null) return undefined;
      if (typeof body.data === 'string') {
        const template = Template.compile(body.data);
        return (lookup) => ({ body: template.render(lookup, formEscape), contentType: FORM });
      }
      const render = compileStructure(body.data);
      return (lookup) => ({ body: encodeForm(render(lookup)), contentType: FORM });
    }
    case 'multipartForm': {
      const parts = body.data.map((part) => ({ part, render: compileStructure(part.value ?? '') }));
      return (lookup) => encodeMultipart(parts.map(({ part, render }) => ({ part, value: render(lookup) })));
    }
  }
}

function kindOf(contentType: string): 'json' | 'xml' | 'form' | 'text' {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === JSON_TYPE || type.endsWith('+json')) return 'json';
  if (type === XML || type === 'text/xml' || type.endsWith('+xml')) return 'xml';
  if (type === FORM) return 'form';
  return 'text';
}

/**
 * multipart/form-data (RFC 7578), built here rather than with FormData so the
 * bytes are exactly what the parts say. Parts with a `filename` are files
 * (their `contentType`, default application/octet-stream); others are fields.
 */
export function encodeMultipart(parts: { part: MultipartPart; value: unknown }[], boundary = `----capability-runtime-${randomBytes(12).toString('hex')}`): EncodedBody {
  const chunks: Buffer[] = [];
  for (const { part, value } of parts) {
    if (value === undefined || value === null) continue;
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${dispositionEscape(part.name)}"`;
    if (part.filename !== undefined) head += `; filename="${dispositionEscape(part.filename)}"`;
    head += '\r\n';
    if (part.filename !== undefined || part.contentType !== undefined) head += `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(value) ? value : Buffer.from(stringifyValue(value)), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

function dispositionEscape(text: string): string {
  return text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * A body value passed by the caller (`in: body` parameter) with no body declared
 * on the operation. Form bodies stay form-encoded; an explicit Content-Type
 * header parameter decides; OAuth2 token requests (a `grant_type` field) are
 * form-encoded as RFC 6749 §4 requires; other objects go as JSON.
 */
export function encodeCallerBody(value: unknown, declaredContentType?: string): EncodedBody {
  const declared = declaredContentType?.split(';')[0]?.trim().toLowerCase();
  if (value instanceof FormBody) {
    return declared === JSON_TYPE ? { body: JSON.stringify(value.toJSON()), contentType: JSON_TYPE } : { body: value.params.toString(), contentType: FORM };
  }
  if (Buffer.isBuffer(value)) return { body: value, contentType: declaredContentType ?? 'application/octet-stream' };
  if (typeof value === 'string') {
    return { body: value, contentType: declaredContentType ?? (/^\s*[[{]/.test(value) ? JSON_TYPE : 'text/plain; charset=utf-8') };
  }
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (declared === FORM || (declared === undefined && isObject && 'grant_type' in (value as object))) {
    return { body: encodeForm(value), contentType: FORM };
  }
  return { body: JSON.stringify(value), contentType: declaredContentType ?? JSON_TYPE };
}

export function encodeForm(value: unknown): string {
  const params = new URLSearchParams();
  if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) params.append(key, stringifyValue(item));
      else params.append(key, stringifyValue(v));
    }
  }
  return params.toString();
}

/**
 * Compiles a YAML structure whose string leaves may be templates. A leaf that is
 * exactly one variable keeps the value's type (`count: "{{n}}"` → a number) and
 * is left out of its object when the variable has no value (null in a list).
 */
export function compileStructure(data: unknown): (lookup: Lookup) => unknown {
  if (typeof data === 'string') {
    if (!data.includes('{{')) return () => data;
    const template = Template.compile(data);
    // A lone variable keeps its type; when it has no value the field is left out (never sent as "").
    if (template.single) return (lookup) => template.evaluate(lookup) ?? undefined;
    return (lookup) => template.render(lookup);
  }
  if (Array.isArray(data)) {
    const items = data.map(compileStructure);
    return (lookup) => items.map((item) => item(lookup) ?? null);
  }
  if (data !== null && typeof data === 'object') {
    const entries = Object.entries(data).map(([k, v]) => [k, compileStructure(v)] as const);
    return (lookup) => {
      const out: Record<string, unknown> = {};
      for (const [k, render] of entries) {
        const value = render(lookup);
        if (value !== undefined) out[k] = value;
      }
      return out;
    };
  }
  return () => data;
}

/**
 * Renders a JSON-text template: a variable inside a string literal is JSON-string
 * escaped; a variable standing as a value is written as JSON (`null` when missing).
 */
export function renderJsonText(template: Template, lookup: Lookup): string {
  let inString = false;
  return template.renderParts(lookup, (literal) => {
    for (let i = 0; i < literal.length; i++) {
      const c = literal[i];
      if (c === '\\') i++;
      else if (c === '"') inString = !inString;
    }
  }, (value) => (inString ? JSON.stringify(stringifyValue(value ?? '')).slice(1, -1) : JSON.stringify(value ?? null)));
}

function formEscape(value: unknown): string {
  return encodeURIComponent(stringifyValue(value)).replace(/%20/g, '+');
}

/** A value as text, escaped for a SPARQL string literal. */
function sparqlEscapeValue(value: unknown): string {
  return sparqlEscape(stringifyValue(value));
}

/** A value as text, escaped for XML. */
function xmlEscapeValue(value: unknown): string {
  return xmlEscape(stringifyValue(value));
}
