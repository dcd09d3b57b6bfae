/**
 * Request construction (naftiko-core §4): consumed parameters in every
 * location, API/resource/operation merge, base paths and bind-built hosts,
 * resource paths with a query string, every method and every body encoding.
 * Each case asserts the exact upstream request.
 *
 * Where the reference engine is wrong we assert the correct behaviour:
 * - it only sends `header`/`query` parameters (§4.3); `cookie`, `path`,
 *   `body` and `environment` parameters reach the wire here;
 * - it never encodes path values and never JSON-escapes body values (§3.1);
 * - it never applies resource-level parameters (§4.3, QUIRK);
 * - its structured bodies are JSON whatever the type (§4.4, QUIRK, open question 8);
 * - bind variables are not injected in consumes templates (§2.3).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_HEADERS, startFixture, wire, type Fixture } from '../harness.js';

const file = resolve(import.meta.dirname, 'capability.yaml');
const JSON_BODY = { ...BASE_HEADERS, 'content-type': 'application/json' };

describe('conformance: requests', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({
      file,
      namespaces: ['shop'],
      env: (url) => ({ API_VERSION: '2024-06', DIRECT_HOST: new URL(url).host, HOME_REGION: 'eu-west' }),
    });
  });
  afterAll(async () => f?.close());

  it('GET: path value percent-encoded, array query repeats its key, header/cookie/environment/static/template parameters, levels merged (operation wins)', async () => {
    const res = await f.rest('/v1/items/a%20b%2Fc?tag=x&tag=y&q=ice%20class', { headers: { requestId: 'r-1', cookie: 'session=s 1; other=2' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(wire(f.upstream.last())).toEqual({
      method: 'GET',
      url: '/api/v2/items/a%20b%2Fc?tenant=acme&tag=x&tag=y&q=ice+class&region=eu-west',
      headers: { ...BASE_HEADERS, 'x-api-version': '2024-06', 'x-level': 'operation', 'x-resource': 'items', 'x-trace': 'trace-r-1', cookie: 'session=s%201' },
      body: '',
    });
  });

  it('leaves optional parameters out when they have no value; a template with a missing variable renders the rest', async () => {
    await f.rest('/v1/items/7');
    expect(wire(f.upstream.last())).toMatchObject({ url: '/api/v2/items/7?tenant=acme&region=eu-west', headers: { 'x-trace': 'trace-' } });
    expect(f.upstream.last().headers.cookie).toBeUndefined();
  });

  it('DELETE: resource-level parameters apply (the reference drops them), no body and no content type', async () => {
    const res = await f.rest('/v1/items/42', { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(wire(f.upstream.last())).toEqual({
      method: 'DELETE',
      url: '/api/v2/items/42?tenant=acme',
      headers: { ...BASE_HEADERS, 'x-api-version': '2024-06', 'x-level': 'resource', 'x-resource': 'items' },
      body: '',
    });
  });

  it('PUT: exposed body parameters read by JSONPath, typed, and JSON-escaped into a JSON object body', async () => {
    await f.rest('/v1/items/42', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: { name: 'Lamp "Deluxe"\n', price: '19.5' } }) });
    const body = '{"name":"Lamp \\"Deluxe\\"\\n","price":19.5}';
    expect(wire(f.upstream.last())).toEqual({
      method: 'PUT',
      url: '/api/v2/items/42?tenant=acme',
      headers: { ...JSON_BODY, 'x-api-version': '2024-06', 'x-level': 'resource', 'x-resource': 'items', 'content-length': String(body.length) },
      body,
    });
  });

  it('PATCH: a JSON-text body template, a declared JSON content type, a typed consumed body parameter, and 400 when a required one is missing', async () => {
    await f.rest('/v1/items/42?count=3', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"name":"Bolt"}' });
    expect(wire(f.upstream.last())).toMatchObject({ method: 'PATCH', url: '/api/v2/items/42?tenant=acme', body: '{"name": "Bolt", "count": 3}' });
    expect(f.upstream.last().headers['content-type']).toBe('application/merge-patch+json'); // a declared JSON type is kept for a JSON body
    const before = f.upstream.requests.length;
    const res = await f.rest('/v1/items/42', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"name":"Bolt"}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toContain('Missing required parameter `count`');
    expect(f.upstream.requests.length).toBe(before);
  });

  it('a query string in the resource path: templated values encoded, unsupplied ones dropped, static ones kept', async () => {
    await f.rest('/v1/search?kind=hand%20tools&page=2');
    expect(f.upstream.last().url).toBe('/api/v2/search?kind=hand+tools&fixed=a+b&tenant=acme&page=2');
    await f.rest('/v1/search');
    expect(wire(f.upstream.last())).toEqual({
      method: 'GET',
      url: '/api/v2/search?fixed=a+b&tenant=acme',
      headers: { ...BASE_HEADERS, 'x-api-version': '2024-06', 'x-level': 'api' },
      body: '',
    });
  });

  it('the caller body is forwarded in its own encoding, with named `in: body` parameters merged in', async () => {
    await f.rest('/v1/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(wire(f.upstream.last())).toMatchObject({ url: '/api/v2/bodies?tenant=acme', body: '{"a":1,"source":"rest"}', headers: { 'content-type': 'application/json' } });
    await f.rest('/v1/echo', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=x+y' });
    expect(wire(f.upstream.last())).toMatchObject({ body: 'a=1&b=x+y&source=rest', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  });

  it('a baseUri host from a bind variable ({{VAR}}) is used as is', async () => {
    const res = await f.rest('/v1/ping');
    expect(res.status).toBe(200);
    expect(wire(f.upstream.last())).toEqual({ method: 'GET', url: '/base/ping', headers: BASE_HEADERS, body: '' });
  });

  it('HEAD reaches the upstream as HEAD', async () => {
    const result = await f.tool('head-item', { itemId: '7' });
    expect(result.isError).toBe(false);
    expect(wire(f.upstream.last())).toMatchObject({ method: 'HEAD', url: '/api/v2/items/7?tenant=acme', body: '' });
  });

  describe('bodies (content type always matches the encoding; values escaped for where they land)', () => {
    const sent = async (tool: string, args: Record<string, unknown>) => {
      const result = await f.tool(tool, args);
      expect(result.isError, JSON.stringify(result)).toBe(false);
      const req = f.upstream.last();
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/api/v2/bodies?tenant=acme');
      return { type: String(req.headers['content-type'] ?? ''), body: req.body.toString('utf8'), length: req.headers['content-length'] };
    };

    it('json object: typed single-variable leaves, escaped strings, missing leaves left out', async () => {
      const out = await sent('json-object', { name: 'Ann "A"', count: 2, tags: ['a', 'b'] });
      expect(out.type).toBe('application/json');
      expect(out.body).toBe(JSON.stringify({ name: 'Ann "A"', count: 2, tags: ['a', 'b'], note: 'say "Ann "A""' }));
      expect(out.length).toBe(String(Buffer.byteLength(out.body)));
    });

    it('json array', async () => {
      expect(await sent('json-array', { name: 'x', count: 2 })).toMatchObject({ type: 'application/json', body: '["x",1,{"k":2}]' });
    });

    it('raw JSON string: values inside strings escaped, values standing alone written as JSON', async () => {
      expect(await sent('raw-json', { name: 'a"b\\', tags: ['t'], count: 3 })).toMatchObject({ type: 'application/json', body: '{"name": "a\\"b\\\\", "tags": ["t"], "count": 3}\n' });
    });

    it('raw text string', async () => {
      expect(await sent('raw-text', { name: 'Zoë' })).toMatchObject({ type: 'text/plain; charset=utf-8', body: 'Hello Zoë!' });
    });

    it('text, xml (values XML-escaped) and sparql (values literal-escaped)', async () => {
      expect(await sent('text', { name: 'x' })).toMatchObject({ type: 'text/plain; charset=utf-8', body: 'note: x' });
      expect(await sent('xml', { name: 'A & B <c>' })).toMatchObject({ type: 'application/xml', body: '<item><name>A &amp; B &lt;c&gt;</name></item>' });
      expect(await sent('sparql', { name: 'x" } DROP ALL; #' })).toMatchObject({ type: 'application/sparql-query', body: 'SELECT ?s WHERE { ?s rdfs:label "x\\" } DROP ALL; #" }' });
    });

    it('formUrlEncoded from a map and from text, values form-encoded', async () => {
      expect(await sent('form-object', { name: 'a b&c=d', count: 2 })).toMatchObject({ type: 'application/x-www-form-urlencoded', body: 'name=a+b%26c%3Dd&count=2' });
      expect(await sent('form-string', { name: 'a b&c=d' })).toMatchObject({ type: 'application/x-www-form-urlencoded', body: 'name=a+b%26c%3Dd&fixed=1' });
    });

    it('multipartForm: a field and a file, exact bytes', async () => {
      const out = await sent('multipart', { name: 'Title "1"', content: 'line1\nline2' });
      const boundary = /^multipart\/form-data; boundary=(\S+)$/.exec(out.type)?.[1];
      expect(boundary).toBeDefined();
      expect(out.body).toBe(
        `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nTitle "1"\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\nline1\nline2\r\n` +
          `--${boundary}--\r\n`,
      );
    });
  });

  it('`{{tools.X}}` in consumes templates names the argument X (APIs.io dialect)', async () => {
    await f.tool('tools-templates', { name: 'N', count: 4, redirect: 'https://app.example/cb?x=1' });
    expect(wire(f.upstream.last())).toMatchObject({ url: '/api/v2/bodies?tenant=acme&redirectUri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1', body: '{"displayName":"N","count":4}' });
  });

  it('refuses a header value with a line break (no request is sent)', async () => {
    const before = f.upstream.requests.length;
    const result = await f.tool('header-injection', { note: 'a\r\nX-Evil: 1' });
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toContain('`X-Note` contains a line break');
    expect(f.upstream.requests.length).toBe(before);
    await f.tool('header-injection', { note: 'fine' });
    expect(f.upstream.last().headers['x-note']).toBe('fine');
  });
});
