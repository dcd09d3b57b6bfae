/**
 * Request body encoders. The content type always matches the encoding:
 * JSON, form-urlencoded, multipart, text/xml/sparql, raw strings. Template
 * values are escaped for where they land (JSON string, JSON value, form field).
 */
import type { RequestBody } from '../../spec/model.js';
import { FormBody } from '../input.js';
import { Template, stringifyValue, type Lookup } from '../templates.js';

export interface EncodedBody {
  body: string | Buffer | FormData;
  contentType?: string;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** A body declared on the consumed operation, compiled once. */
export type BodyEncoder = (lookup: Lookup) => EncodedBody;

export function compileBody(body: RequestBody): BodyEncoder {
  switch (body.kind) {
    case 'raw': {
      const template = Template.compile(body.template);
      const looksJson = /^\s*[[{]/.test(body.template);
      return (lookup) =>
        looksJson ? { body: renderJsonText(template, lookup), contentType: JSON_TYPE } : { body: template.render(lookup), contentType: 'text/plain; charset=utf-8' };
    }
    case 'json': {
      if (typeof body.data === 'string') {
        const template = Template.compile(body.data);
        return (lookup) => ({ body: renderJsonText(template, lookup), contentType: JSON_TYPE });
      }
      const render = compileStructure(body.data);
      return (lookup) => ({ body: JSON.stringify(render(lookup)), contentType: JSON_TYPE });
    }
    case 'text':
    case 'xml':
    case 'sparql': {
      const contentType = body.kind === 'text' ? 'text/plain; charset=utf-8' : body.kind === 'xml' ? 'application/xml' : 'application/sparql-query';
      const template = Template.compile(stringifyValue(body.data ?? ''));
      const escape = body.kind === 'xml' ? xmlEscape : stringifyValue;
      return (lookup) => ({ body: template.render(lookup, escape), contentType });
    }
    case 'formUrlEncoded': {
      if (typeof body.data === 'string') {
        const template = Template.compile(body.data);
        return (lookup) => ({ body: template.render(lookup, (v) => encodeURIComponent(stringifyValue(v))), contentType: FORM });
      }
      const render = compileStructure(body.data ?? {});
      return (lookup) => ({ body: encodeForm(render(lookup)), contentType: FORM });
    }
    case 'multipartForm': {
      const parts = body.data.map((part) => ({ ...part, render: compileStructure(part.value ?? '') }));
      return (lookup) => {
        const form = new FormData();
        for (const part of parts) {
          const value = part.render(lookup);
          if (part.filename !== undefined) {
            const blob = new Blob([typeof value === 'string' ? value : JSON.stringify(value)], { type: part.contentType ?? 'application/octet-stream' });
            form.append(part.name, blob, part.filename);
          } else {
            form.append(part.name, stringifyValue(value ?? ''));
          }
        }
        return { body: form }; // the client sets multipart/form-data with its boundary
      };
    }
  }
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
 * exactly one variable keeps the value's type (`count: "{{n}}"` → a number).
 */
export function compileStructure(data: unknown): (lookup: Lookup) => unknown {
  if (typeof data === 'string') {
    if (!data.includes('{{')) return () => data;
    const template = Template.compile(data);
    return (lookup) => template.evaluate(lookup) ?? (template.single ? null : '');
  }
  if (Array.isArray(data)) {
    const items = data.map(compileStructure);
    return (lookup) => items.map((item) => item(lookup));
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

function xmlEscape(value: unknown): string {
  return stringifyValue(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
