import { describe, expect, it } from 'vitest';
import type { McpTool, OutputParameter } from '../../capability/model.js';
import { decodeHeaderValue } from './http.js';
import { checkOrigin } from '../pipeline/guard.js';
import { guessMime, isTextual } from './protocol.js';
import { annotationsFor, inputSchemaFor, outputSchemaFor } from './tool-schema.js';
import { compileUriTemplate } from './uri-template.js';

const loc = { file: 'x.yaml', pointer: '' };
const out = (o: Partial<OutputParameter>): OutputParameter => ({ loc, ...o });
const tool = (t: Partial<McpTool>): McpTool => ({ name: 't', inputParameters: [], outputParameters: [], with: {}, steps: [], mappings: [], loc, ...t });

describe('URI templates', () => {
  it('matches one segment per {var} and the rest of a path for {+var}, percent-decoded', () => {
    const t = compileUriTemplate('accounts://{account_id}/tx/{tx}')!;
    expect(t.match('accounts://a%201/tx/9')).toEqual({ account_id: 'a 1', tx: '9' });
    expect(t.match('accounts://a/b/tx/9')).toBeUndefined();
    expect(compileUriTemplate('docs://{+path}')!.match('docs://a/b/c.md')).toEqual({ path: 'a/b/c.md' });
    expect(compileUriTemplate('test://static')).toBeUndefined();
    expect(compileUriTemplate('x://{a}.{b}')!.match('x://1.2')).toEqual({ a: '1', b: '2' });
  });

  it('refuses malformed templates and bad escapes', () => {
    expect(() => compileUriTemplate('x://{a}/{a}')).toThrow(/twice/);
    expect(() => compileUriTemplate('x://{a b}')).toThrow(/malformed/);
    expect(compileUriTemplate('x://{a}')!.match('x://%E0%A4%A')).toBeUndefined();
  });
});

describe('Mcp-Name header values', () => {
  it('decodes the =?base64?…?= sentinel and keeps plain values', () => {
    expect(decodeHeaderValue('get_weather')).toBe('get_weather');
    expect(decodeHeaderValue(`=?base64?${Buffer.from('Hello, 世界').toString('base64')}?=`)).toBe('Hello, 世界');
    expect(decodeHeaderValue('=?base64?***?=')).toBeUndefined();
  });
});

describe('media types', () => {
  it('serves text as text and everything else as base64 blobs', () => {
    for (const t of ['text/plain', 'application/json; charset=utf-8', 'application/problem+json', 'application/yaml', undefined]) expect(isTextual(t), String(t)).toBe(true);
    for (const t of ['image/png', 'application/pdf', 'application/octet-stream', 'audio/wav']) expect(isTextual(t), t).toBe(false);
    expect(guessMime('a/b.MD')).toBe('text/markdown');
    expect(guessMime('x.bin')).toBe('application/octet-stream');
  });
});

describe('origin guard', () => {
  const policy = { allowedOrigins: ['https://app.example.com'], allowedHosts: ['api.internal'] };
  const check = (h: Record<string, string>) => checkOrigin(new Headers(h), policy);
  it('accepts loopback and allow-listed hosts/origins, refuses the rest', () => {
    expect(check({ host: 'localhost:9090' })).toBeUndefined();
    expect(check({ host: '[::1]:9090', origin: 'http://127.0.0.1:3000' })).toBeUndefined();
    expect(check({ host: 'api.internal:443', origin: 'https://app.example.com' })).toBeUndefined();
    expect(check({ host: 'evil.example.com' })).toMatch(/Host/);
    expect(check({ host: 'localhost', origin: 'http://evil.example.com' })).toMatch(/Origin/);
    expect(check({ host: 'localhost', origin: 'null' })).toMatch(/Opaque/);
  });
});

describe('tool schemas', () => {
  it('builds the input schema from declared parameters, keeping JSON Schema keywords only', () => {
    const schema = inputSchemaFor(
      tool({
        inputParameters: [
          { name: 'q', type: 'string', description: 'Query', required: true, schema: { enum: ['a', 'b'], mapping: 'body.q', label: 'The query' }, loc },
          { name: 'n', type: 'integer', required: false, schema: { minimum: 1 }, loc },
          { name: 'fixed', type: 'string', required: true, value: 'v', schema: {}, loc },
        ],
      }),
      'ns',
      undefined,
    );
    expect(schema).toEqual({
      type: 'object',
      properties: { q: { type: 'string', description: 'Query', enum: ['a', 'b'], title: 'The query' }, n: { type: 'integer', minimum: 1 } },
      required: ['q'],
      additionalProperties: false,
    });
  });

  it('gives a no-argument tool the recommended empty object schema', () => {
    expect(inputSchemaFor(tool({}), 'ns', undefined)).toEqual({ type: 'object', properties: {}, additionalProperties: false });
  });

  it('derives output schemas the way the engine shapes results', () => {
    expect(outputSchemaFor([out({ name: 'greeting', type: 'string', value: 'hi {{x}}' })], { mode: 'mock' })).toEqual({
      schema: { type: 'object', properties: { greeting: { type: ['string', 'null'] } } },
      wrapKey: 'result',
    });
    expect(outputSchemaFor([out({ name: 'id', type: 'string', mapping: '$.id' }), out({ name: 'n', type: 'integer', mapping: '$.n' })], { mode: 'call' })!.schema).toEqual({
      type: 'object',
      properties: { id: { type: ['string', 'null'] }, n: { type: ['integer', 'null'] } },
    });
    expect(outputSchemaFor([out({ name: 'items', type: 'array', mapping: '$.items', items: out({ type: 'string' }) })], { mode: 'call' })).toEqual({
      schema: { type: 'object', properties: { items: { type: ['array', 'null'], items: { type: ['string', 'null'] } } } },
      wrapKey: 'items',
    });
    const account = out({ name: 'account', type: 'object', mapping: '$.a', properties: { id: out({ type: 'string', mapping: '$.id' }) } });
    expect(outputSchemaFor([account], { mode: 'call' })!.schema).toEqual({ type: 'object', properties: { id: { type: ['string', 'null'] } } });
    // Unknown shapes: no schema (but a wrap key for non-object results).
    expect(outputSchemaFor([out({ name: 'r', type: 'object', mapping: '$.' })], { mode: 'call' })).toEqual({ wrapKey: 'r' });
    expect(outputSchemaFor([out({ mapping: '$.a' }), out({ mapping: '$.b' })], { mode: 'call' })).toEqual({ wrapKey: 'result' });
    expect(outputSchemaFor([], { mode: 'call' })).toBeUndefined();
    expect(outputSchemaFor([out({ name: 'x', type: 'string', mapping: '$.x' })], { mode: 'steps' })!.schema).toBeUndefined();
  });

  it('derives annotations from the HTTP method, explicit hints winning', () => {
    const op = (method: string) => ({ method }) as never;
    expect(annotationsFor(tool({ call: { namespace: 'a', operation: 'b', ref: 'a.b', loc } }), op('GET'))).toEqual({ readOnlyHint: true });
    expect(annotationsFor(tool({ label: 'Del', call: { namespace: 'a', operation: 'b', ref: 'a.b', loc } }), op('DELETE'))).toEqual({
      title: 'Del',
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
    });
    expect(annotationsFor(tool({ hints: { destructive: false }, call: { namespace: 'a', operation: 'b', ref: 'a.b', loc } }), op('POST'))).toEqual({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
    expect(annotationsFor(tool({}), undefined)).toEqual({ openWorldHint: false });
  });
});
