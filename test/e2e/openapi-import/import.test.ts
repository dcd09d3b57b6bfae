/**
 * `runtime import openapi`: every one of Lean's 13 OpenAPI documents becomes a
 * capability file that `runtime validate` passes with 0 errors and that
 * exposes every operation of the document over REST and MCP (81 in all);
 * Swagger 2.0, cycles, form/multipart bodies, security schemes, selection
 * flags, tool-name limits and error reporting on small fixtures.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importOpenApi, type ImportFlags } from '../../../src/cli/import.js';
import { validateFiles } from '../../../src/cli/validate-files.js';
import { sharedDir } from '../../helpers/paths.js';

const leanOpenApiDir = resolve(sharedDir, 'lean/openapi');
const hasLeanOpenApi = existsSync(leanOpenApiDir);
const fixtures = resolve(import.meta.dirname, 'fixtures');
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openapi-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runImport(spec: string, flags: ImportFlags = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += String(c)));
  err.on('data', (c) => (stderr += String(c)));
  const code = await importOpenApi(spec, flags, { stdout: out, stderr: err });
  return { code, stdout, stderr };
}

interface Capability {
  binds?: { keys: Record<string, string> }[];
  capability: {
    consumes: { baseUri: string; authentication?: Record<string, string>; resources: { path: string; operations: { name: string; method: string; inputParameters?: Record<string, unknown>[]; body?: { type: string; data: unknown } }[] }[] }[];
    exposes: ({ type: 'rest'; resources: { path: string; operations: { method: string; name: string; call: string; inputParameters?: Record<string, unknown>[] }[] }[] } | { type: 'mcp'; tools: { name: string; call: string; hints: Record<string, boolean>; inputParameters?: Record<string, unknown>[]; outputParameters?: unknown[] }[] })[];
  };
}

async function importAndValidate(spec: string, flags: ImportFlags = {}): Promise<Capability> {
  const output = join(dir, `${spec.split('/').pop()!.replace(/\.\w+$/, '')}-${Math.random().toString(36).slice(2)}.yaml`);
  const result = await runImport(spec, { ...flags, output });
  expect(result.code, result.stderr).toBe(0);
  const { diagnostics } = await validateFiles([output], { keepInfos: false });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  return parse(await readFile(output, 'utf8')) as Capability;
}

const rest = (c: Capability) => c.capability.exposes.find((e) => e.type === 'rest') as Extract<Capability['capability']['exposes'][number], { type: 'rest' }>;
const mcp = (c: Capability) => c.capability.exposes.find((e) => e.type === 'mcp') as Extract<Capability['capability']['exposes'][number], { type: 'mcp' }>;

if (!hasLeanOpenApi) console.warn(`../shared/lean/openapi not found at ${leanOpenApiDir}: the Lean import test is skipped`);

describe.skipIf(!hasLeanOpenApi)("Lean's 13 OpenAPI documents", () => {
  it('each imports into a file that validates and exposes every operation (81 in all)', async () => {
    const files = (await readdir(leanOpenApiDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
    expect(files).toHaveLength(13);
    let total = 0;
    const counts: Record<string, number> = {};
    for (const file of files) {
      const spec = join(leanOpenApiDir, file);
      const doc = parse(await readFile(spec, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
      const expected = Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));
      const capability = await importAndValidate(spec);
      const routes = rest(capability).resources.flatMap((r) => r.operations.map((o) => ({ route: `${o.method} ${r.path}`, call: o.call })));
      const tools = mcp(capability).tools;
      const consumed = capability.capability.consumes[0]!.resources.flatMap((r) => r.operations.map((o) => `${o.method} ${r.path}`));
      expect(consumed.sort()).toEqual([...expected].sort());
      expect(routes.map((r) => r.route).sort()).toEqual(expected.map((e) => e.replace(/(.)\/$/, '$1')).sort());
      expect(tools).toHaveLength(expected.length);
      for (const tool of tools) expect(tool.name.length).toBeLessThanOrEqual(64);
      expect(new Set(tools.map((t) => t.call)).size).toBe(expected.length);
      // Every upstream is authenticated through a bind variable, never a literal (the token endpoint itself has no security).
      if (file !== 'lean-authentication-api-openapi.yml') expect(capability.capability.consumes[0]!.authentication?.token ?? '').toMatch(/^\{\{[A-Z0-9_]+\}\}$/);
      counts[file] = expected.length;
      total += expected.length;
    }
    console.info(`imported operations per document: ${JSON.stringify(counts)}`);
    expect(total).toBe(81);
  }, 120_000);

  it('keeps required parameters, enums, defaults and bodies (refunds: array body; data: entity_id)', async () => {
    const data = await importAndValidate(join(leanOpenApiDir, 'lean-data-openapi.yml'), { namespace: 'lean-data' });
    const accounts = rest(data).resources.find((r) => r.path === '/data/v2/accounts')!.operations[0]!;
    // The document marks entity_id optional (Lean requires it: the pack's overlay fixes that, not the importer).
    expect(accounts.inputParameters).toContainEqual(expect.objectContaining({ name: 'entity_id', in: 'query', required: false, format: 'uuid' }));
    const tool = mcp(data).tools.find((t) => t.name === 'lean-data-fetch-accounts-v2')!;
    expect(tool.hints).toMatchObject({ readOnly: true, destructive: false });
    expect(tool.inputParameters).toContainEqual(expect.objectContaining({ name: 'entity_id', type: 'string' }));
    expect(mcp(data).tools.find((t) => t.name === 'lean-data-fetch-transactions-v2')!.inputParameters).toContainEqual(expect.objectContaining({ name: 'account_id', required: true }));
    const refunds = await importAndValidate(join(leanOpenApiDir, 'lean-refunds-openapi.yml'), { namespace: 'lean-refunds' });
    const create = mcp(refunds).tools.find((t) => t.name === 'lean-refunds-create-refund')!;
    expect(create.inputParameters).toContainEqual(expect.objectContaining({ name: 'body', type: 'array' }));
    const auth = await importAndValidate(join(leanOpenApiDir, 'lean-authentication-api-openapi.yml'), { namespace: 'lean-auth' });
    const token = auth.capability.consumes[0]!.resources[0]!.operations[0]!;
    expect(token.body?.type).toBe('formUrlEncoded');
  });
});

describe('import openapi on small documents', () => {
  it('lifts Swagger 2.0: server from host/basePath, body and multipart parameters, apiKey through a bind variable', async () => {
    const c = await importAndValidate(join(fixtures, 'petstore-swagger2.json'), { namespace: 'pets' });
    const consumes = c.capability.consumes[0]!;
    expect(consumes.baseUri).toBe('https://pets.example.com/v2');
    expect(consumes.authentication).toEqual({ type: 'apikey', key: 'X-Api-Key', value: '{{PETS_API_KEY}}', placement: 'header' });
    expect(c.binds?.[0]?.keys).toEqual({ PETS_API_KEY: 'PETS_API_KEY' });
    const upload = consumes.resources.find((r) => r.path === '/pets/{petId}/photo')!.operations[0]!;
    expect(upload.body?.type).toBe('multipartForm');
    expect(upload.body?.data).toContainEqual(expect.objectContaining({ name: 'file', filename: 'file' }));
    const list = mcp(c).tools.find((t) => t.name === 'pets-list-pets')!;
    expect(list.inputParameters).toContainEqual(expect.objectContaining({ name: 'limit', type: 'integer', default: 20 }));
    expect(list.inputParameters).toContainEqual(expect.objectContaining({ name: 'kind', enum: ['cat', 'dog'] }));
    // A JSON object body becomes one argument per field for agents; REST takes the body whole.
    const create = mcp(c).tools.find((t) => t.name === 'pets-create-pet')!;
    expect(create.inputParameters).toContainEqual(expect.objectContaining({ name: 'name', required: true }));
    expect(create.outputParameters).toBeDefined();
    expect(rest(c).resources.find((r) => r.path === '/pets')!.operations.find((o) => o.method === 'POST')!.inputParameters).toContainEqual(
      expect.objectContaining({ name: 'body', in: 'body', required: true }),
    );
  });

  it('survives a recursive schema, maps basic auth, form bodies and cuts tool names at 64 characters', async () => {
    const c = await importAndValidate(join(fixtures, 'cyclic-openapi31.yaml'));
    const consumes = c.capability.consumes[0]!;
    expect(consumes.baseUri).toBe('https://trees.example.com/api');
    expect(consumes.authentication).toEqual({ type: 'basic', username: '{{TREE_SERVICE_USERNAME}}', password: '{{TREE_SERVICE_PASSWORD}}' });
    const login = consumes.resources.find((r) => r.path === '/login')!.operations[0]!;
    expect(login.body).toEqual({ type: 'formUrlEncoded', data: { user: '{{user}}', remember: '{{remember}}' } });
    const tools = mcp(c).tools;
    const long = tools.find((t) => t.call.endsWith('aVeryLongOperationIdentifierThatKeepsGoingAndGoingWellPastAnyReasonableLengthForATool'))!;
    expect(long.name.length).toBeLessThanOrEqual(64);
    expect(tools.find((t) => t.call.endsWith('.replaceNode'))!.hints).toMatchObject({ destructive: true, idempotent: true });
  });

  it('selects operations by tag and operationId', async () => {
    const spec = join(fixtures, 'petstore-swagger2.json');
    expect(mcp(await importAndValidate(spec, { includeTag: ['photos'] })).tools.map((t) => t.call)).toEqual(['pet-store.uploadPhoto']);
    expect(mcp(await importAndValidate(spec, { excludeTag: ['photos'] })).tools).toHaveLength(2);
    expect(mcp(await importAndValidate(spec, { operation: ['createPet', 'GET /pets'] })).tools.map((t) => t.call).sort()).toEqual(['pet-store.createPet', 'pet-store.listPets']);
    const none = await runImport(spec, { operation: ['nope'] });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no operation matches/);
  });

  it('writes JSON on request', async () => {
    const result = await runImport(join(fixtures, 'petstore-swagger2.json'), { format: 'json' });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).naftiko).toBe('1.0.0-alpha2');
  });

  it('reports an unreadable file (exit 2) and an invalid document with file, pointer and message (exit 1)', async () => {
    const missing = await runImport(join(fixtures, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml: cannot read the file \(ENOENT\)/);
    const invalid = await runImport(join(fixtures, 'invalid.yaml'));
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/invalid\.yaml \/paths\/~1things\/get\/responses.*: not a valid OpenAPI document/);
  });
});
