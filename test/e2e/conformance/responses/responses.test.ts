/**
 * Response formats (naftiko-core §5.1) end to end — the upstream answers XML,
 * CSV, TSV, PSV, YAML, HTML or Markdown, the engine converts it and the
 * outputs map it — and upstream errors (§4.7). Deliberate differences:
 * - declared scalar types coerce lossless strings (XML/CSV carry only strings);
 * - an upstream error whose body is not in the expected format (a CDN's HTML
 *   502 page, a plain-text 401) is reported as an upstream error problem
 *   (REST) / tool error (MCP) naming the upstream status, instead of relaying
 *   the page; readable (JSON) error bodies are still relayed as they came.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest, Reply } from '../../../helpers/echo-upstream.js';
import { startFixture, toolJson, type Fixture } from '../harness.js';

const file = resolve(import.meta.dirname, 'capability.yaml');

const USERS_XML = `<?xml version="1.0"?>
<users><user><id>1</id><name>Alice Smith</name><active>true</active></user><user><id>2</id><name>Bob Jones</name><active>false</active></user><user><id>3</id><name>Carol White</name><active>true</active></user></users>`;
const VESSELS_XML = '<vessels><vessel><vesselCode>V001</vesselCode><name>Aurora</name></vessel></vessels>';
const CSV = 'id,name,email\n1,Alice Smith,alice@example.com\n2,Bob Jones,bob@example.com\n3,Carol White,carol@example.com\n';
const HTML = `<!doctype html><html><body>
<table class="other"><tr><th>X</th></tr><tr><td>ignored</td></tr></table>
<table class="products"><thead><tr><th>Name</th><th>Price</th></tr></thead>
<tbody><tr><td>Widget</td><td>$10</td></tr><tr><td>Gadget</td><td>$99</td></tr></tbody></table>
</body></html>`;
const MARKDOWN = `---
title: Product Release Notes
---
# Overview

Release summary.

| Feature | Status |
|---------|--------|
| Search  | GA     |
| Export  | Beta   |

## Details

More.
`;
const CDN_PAGE = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudfront</center></body></html>';

function upstream(req: RecordedRequest): Reply {
  switch (req.path) {
    case '/users.xml':
      return { headers: { 'content-type': 'application/xml' }, body: USERS_XML };
    case '/vessels.xml':
      return { headers: { 'content-type': 'text/xml; charset=utf-8' }, body: VESSELS_XML };
    case '/users.csv':
      return { headers: { 'content-type': 'text/csv' }, body: CSV };
    case '/users.tsv':
      return { headers: { 'content-type': 'text/tab-separated-values' }, body: CSV.replaceAll(',', '\t') };
    case '/users.psv':
      return { headers: { 'content-type': 'text/plain' }, body: CSV.replaceAll(',', '|') };
    case '/users.yaml':
      return { headers: { 'content-type': 'application/yaml' }, body: 'users:\n  - {id: 1, name: Alice}\n  - {id: 2, name: Bob}\n  - {id: 3, name: Carol}\n' };
    case '/products.html':
      return { headers: { 'content-type': 'text/html' }, body: HTML };
    case '/readme.md':
      return { headers: { 'content-type': 'text/markdown' }, body: MARKDOWN };
    case '/status/200':
      return { body: { data: { ok: true } } };
    case '/status/200-html':
      return { headers: { 'content-type': 'text/html' }, body: '<html><body>Maintenance</body></html>' };
    case '/status/404':
      return { status: 404, body: { error: 'not_found', message: 'No such thing' } };
    case '/status/401-text':
      return { status: 401, headers: { 'content-type': 'text/plain' }, body: 'Unauthorized' };
    case '/status/502-cdn':
      return { status: 502, headers: { 'content-type': 'text/html' }, body: CDN_PAGE };
    case '/status/503-empty':
      return { status: 503 };
    default:
      return { status: 500, body: { unexpected: req.path } };
  }
}

describe('conformance: response formats and upstream errors', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ file, namespaces: ['feeds'], handler: upstream });
  });
  afterAll(async () => f?.close());

  const json = async (path: string) => {
    const res = await f.rest(path);
    expect(res.status, path).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    return res.json();
  };

  it('xml: root element dropped, repeated siblings an array, typed items', async () => {
    expect(await json('/xml/users')).toEqual([
      { id: 1, name: 'Alice Smith', active: true },
      { id: 2, name: 'Bob Jones', active: false },
      { id: 3, name: 'Carol White', active: true },
    ]);
    expect(f.upstream.last().headers.accept).toBe('application/xml, text/xml;q=0.9, */*;q=0.5');
  });

  it('xml: a single child stays an object ($.vessel.vesselCode → "V001")', async () => {
    expect(await json('/xml/vessel-code')).toBe('V001');
  });

  it('no outputs: the upstream XML is passed through unchanged (bytes and media type)', async () => {
    const res = await f.rest('/xml/raw');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(await res.text()).toBe(VESSELS_XML);
  });

  it('csv / tsv / psv: header row → row objects, values are strings', async () => {
    const rows = [
      { id: '1', name: 'Alice Smith', email: 'alice@example.com' },
      { id: '2', name: 'Bob Jones', email: 'bob@example.com' },
      { id: '3', name: 'Carol White', email: 'carol@example.com' },
    ];
    expect(await json('/csv')).toEqual(rows);
    expect(await json('/tsv')).toEqual(['Alice Smith', 'Bob Jones', 'Carol White']);
    expect(await json('/psv')).toEqual({ first: 'alice@example.com' });
    expect(toolJson(await f.tool('csv'))).toEqual(rows);
  });

  it('yaml', async () => {
    expect(await json('/yaml')).toEqual([
      { id: 1, name: 'Alice' },
      { id: 2, name: 'Bob' },
      { id: 3, name: 'Carol' },
    ]);
  });

  it('html: tables selected by the outputSchema CSS selector', async () => {
    expect(await json('/html')).toEqual([
      { Name: 'Widget', Price: '$10' },
      { Name: 'Gadget', Price: '$99' },
    ]);
  });

  it('markdown: front matter, tables and sections', async () => {
    expect(await json('/markdown')).toEqual({ title: 'Product Release Notes', status: 'GA', firstSection: 'Overview' });
    expect(toolJson(await f.tool('markdown'))).toEqual([
      { Feature: 'Search', Status: 'GA' },
      { Feature: 'Export', Status: 'Beta' },
    ]);
  });

  it('a readable (JSON) upstream error is relayed with its status and body', async () => {
    const res = await f.rest('/status/404');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ error: 'not_found', message: 'No such thing' });
    const tool = await f.tool('status', { code: '404' });
    expect(tool.isError).toBe(true);
    expect(tool.content[0]!.text).toBe('The upstream call feeds.json-status failed with HTTP 404. Response body: {"error":"not_found","message":"No such thing"}');
  });

  it('an HTML 502 page from a CDN is an upstream error: REST 502 problem, MCP tool error — never the page', async () => {
    const res = await f.rest('/status/502-cdn');
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      type: 'https://capability-runtime.dev/problems/upstream-error',
      title: 'Bad gateway',
      status: 502,
      detail: 'The upstream call feeds.json-status failed with HTTP 502 and answered with an HTML page ("502 Bad Gateway") instead of json.',
      upstreamStatus: 502,
      operation: 'feeds.json-status',
    });
    const tool = await f.tool('status', { code: '502-cdn' });
    expect(tool.isError).toBe(true);
    expect(tool.content[0]!.text).toContain('failed with HTTP 502 and answered with an HTML page');
    expect(tool.content[0]!.text).not.toContain('<center>');
  });

  it('a plain-text 401 keeps its status as a problem; an empty 503 is relayed as it came', async () => {
    const res = await f.rest('/status/401-text');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toBe('The upstream call feeds.json-status failed with HTTP 401; its answer is not json: Unauthorized');
    const empty = await f.rest('/status/503-empty');
    expect(empty.status).toBe(503);
    expect(await empty.text()).toBe('');
  });

  it('a 200 HTML page where JSON was expected, with outputs to map: 502 problem', async () => {
    const res = await f.rest('/status/200-html');
    expect(res.status).toBe(502);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/^The upstream answer of feeds.json-status could not be read as json/);
    expect(await json('/status/200')).toEqual({ ok: true });
  });
});
