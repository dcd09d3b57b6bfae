/**
 * OpenAPI out: `runtime export openapi` writes a valid OpenAPI 3.1 document
 * for a REST adapter; every REST listener serves its merged document at
 * /openapi.json and a Swagger UI page at /docs (assets from the installed
 * package), which a real headless Chromium renders with every operation.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import SwaggerParser from '@apidevtools/swagger-parser';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOpenApiCommand } from '../../../src/cli/export.js';
import { repoRoot } from '../../helpers/paths.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const packDir = resolve(repoRoot, 'capabilities/lean');
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`${CHROMIUM} not found (Debian package \`chromium\`, installed by .ci/run): the /docs browser test is skipped`);

type Doc = { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
const operationCount = (doc: Doc) => Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).filter((k) => k !== 'description').length, 0);

describe('runtime export openapi', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openapi-export-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a valid OpenAPI 3.1 document with every operation of the adapter', async () => {
    const output = join(dir, 'refunds.json');
    const code = await exportOpenApiCommand(join(packDir, 'lean-refunds.yaml'), { output, adapter: 'lean-refunds-rest' });
    expect(code).toBe(0);
    const doc = JSON.parse(await readFile(output, 'utf8')) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(doc) as never);
    expect(operationCount(doc)).toBe(4);
    const create = doc.paths['/payouts/refunds']!.post as unknown as { requestBody: { required: boolean; content: Record<string, { schema: { type: string } }> }; parameters: { name: string; in: string }[] };
    expect(create.requestBody.required).toBe(true);
    expect(create.requestBody.content['application/json']!.schema.type).toBe('array');
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: 'idempotency-key', in: 'header' }));
  });

  it('says which adapters exist when --adapter names none (exit 1), and exit 2 for a missing file', async () => {
    const err = new PassThrough();
    let stderr = '';
    err.on('data', (c) => (stderr += String(c)));
    expect(await exportOpenApiCommand(join(packDir, 'lean-refunds.yaml'), { adapter: 'nope' }, { stdout: new PassThrough(), stderr: err })).toBe(1);
    expect(stderr).toMatch(/no REST adapter `nope` \(REST adapters: lean-refunds-rest\)/);
    expect(await exportOpenApiCommand(join(dir, 'missing.yaml'), {}, { stdout: new PassThrough(), stderr: new PassThrough() })).toBe(2);
  });
});

describe('/openapi.json and /docs on a REST listener', () => {
  let rt: TestRuntime;
  let browser: BrowserContext | undefined;
  let profile: string;
  beforeAll(async () => {
    rt = await startTestRuntime({ paths: [packDir] });
    profile = await mkdtemp(join(tmpdir(), 'docs-chromium-'));
  });
  afterAll(async () => {
    await browser?.close();
    await rt?.close();
    await rm(profile, { recursive: true, force: true });
  });

  it('serves the merged document of every adapter on the listener (76 operations), valid OpenAPI 3.1', async () => {
    const res = await fetch(`${rt.restUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const doc = (await res.json()) as Doc;
    expect(operationCount(doc)).toBe(76);
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  it('serves the docs page and its assets from the installed package, with a strict CSP', async () => {
    const page = await fetch(`${rt.restUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    expect(html).toContain('/docs/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await fetch(`${rt.restUrl}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it.skipIf(!hasChromium)('renders in headless Chromium and lists every operation', async () => {
    // A fresh profile directory (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(rt.restUrl)) external.push(request.url());
    });
    await page.goto(`${rt.restUrl}/docs`);
    await page.waitForSelector('.opblock-summary', { timeout: 90_000 });
    const operations = await page.locator('.opblock').count();
    expect(operations).toBe(76);
    expect(await page.locator('.info .title').innerText()).toContain('capability-runtime');
    expect(await page.locator('.opblock-summary-path').allInnerTexts()).toContain('/payouts/refunds/reasons');
    expect(external).toEqual([]);
  }, 150_000);
});
