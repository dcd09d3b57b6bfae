import { describe, expect, it } from 'vitest';
import { FormBody } from '../input.js';
import { Template } from '../templates.js';
import { compileBody, encodeCallerBody, encodeMultipart, renderJsonText } from './body.js';

const values: Record<string, unknown> = { name: 'a"b', n: 3, list: ['x', 'y'], obj: { k: 1 } };
const lookup = (p: string) => values[p];

describe('request bodies', () => {
  it('JSON text templates: escaped inside strings, JSON outside, null when missing', () => {
    expect(renderJsonText(Template.compile('{"s": "{{name}}", "n": {{n}}, "l": {{list}}, "o": {{obj}}, "m": {{missing}}, "t": "x{{list}}"}'), lookup)).toBe(
      '{"s": "a\\"b", "n": 3, "l": ["x","y"], "o": {"k":1}, "m": null, "t": "x[\\"x\\",\\"y\\"]"}',
    );
  });

  it('raw string bodies: sniffed, or escaped for the declared Content-Type', () => {
    const raw = (template: string) => compileBody({ kind: 'raw', template })!;
    expect(raw('{"a": "{{name}}"}')(lookup)).toEqual({ body: '{"a": "a\\"b"}', contentType: 'application/json' });
    expect(raw('<a>{{name}}</a>')(lookup)).toEqual({ body: '<a>a&quot;b</a>', contentType: 'application/xml' });
    expect(raw('hi {{name}}')(lookup)).toEqual({ body: 'hi a"b', contentType: 'text/plain; charset=utf-8' });
    expect(raw('q={{name}}')(lookup, 'application/x-www-form-urlencoded')).toEqual({ body: 'q=a%22b', contentType: 'application/x-www-form-urlencoded' });
    expect(raw('{{obj}}')(lookup, 'application/vnd.api+json')).toEqual({ body: '{"k":1}', contentType: 'application/vnd.api+json' });
  });

  it('json `data` as non-JSON text is one JSON string; `data: null` means no body', () => {
    expect(compileBody({ kind: 'json', data: 'hello {{name}}' })!(lookup)).toEqual({ body: '"hello a\\"b"', contentType: 'application/json' });
    expect(compileBody({ kind: 'json', data: null })).toBeUndefined();
  });

  it('structured media types (OperationStepExecutorBranchTest) and escaping', () => {
    expect(compileBody({ kind: 'xml', data: '<x>{{name}}</x>' })!(lookup).contentType).toBe('application/xml');
    expect(compileBody({ kind: 'sparql', data: 'ASK { ?s ?p "{{name}}" }' })!(lookup)).toEqual({ body: 'ASK { ?s ?p "a\\"b" }', contentType: 'application/sparql-query' });
    expect(compileBody({ kind: 'formUrlEncoded', data: { a: '{{name}}', l: '{{list}}', gone: '{{missing}}' } })!(lookup)).toEqual({ body: 'a=a%22b&l=x&l=y', contentType: 'application/x-www-form-urlencoded' });
  });

  it('multipart: exact bytes', () => {
    const encoded = encodeMultipart(
      [
        { part: { name: 'f"1' }, value: 'v' },
        { part: { name: 'file', filename: 'a.bin' }, value: Buffer.from([1, 2]) },
        { part: { name: 'skipped' }, value: undefined },
      ],
      'B',
    );
    expect(encoded.contentType).toBe('multipart/form-data; boundary=B');
    expect(encoded.body.toString('latin1')).toBe('--B\r\nContent-Disposition: form-data; name="f%221"\r\n\r\nv\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x01\x02\r\n--B--\r\n');
  });

  it('caller bodies keep their encoding; OAuth2 token requests are forms', () => {
    expect(encodeCallerBody(new FormBody(new URLSearchParams('a=1&b=2')))).toEqual({ body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' });
    expect(encodeCallerBody({ a: 1 })).toEqual({ body: '{"a":1}', contentType: 'application/json' });
    expect(encodeCallerBody({ grant_type: 'client_credentials', scope: 'x y' })).toEqual({ body: 'grant_type=client_credentials&scope=x+y', contentType: 'application/x-www-form-urlencoded' });
    expect(encodeCallerBody('plain')).toEqual({ body: 'plain', contentType: 'text/plain; charset=utf-8' });
  });
});
