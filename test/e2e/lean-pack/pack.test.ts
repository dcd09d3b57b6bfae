/**
 * The Lean pack (capabilities/lean/): exactly what `npm run lean:generate`
 * writes from Lean's documents and the reviewed overlay; valid together with
 * the seed and lean-tokens.yaml (no port, route, tool or namespace conflict);
 * Lean's 76 distinct operations; Lean's required parameters; every API call
 * authenticated with {{LEAN_API_TOKEN}}.
 */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack, type PackSpec } from '../../../src/openapi/pack.js';
import { validateFiles } from '../../../src/cli/validate-files.js';
import { loadCapabilities } from '../../../src/capability/loader.js';
import { planListeners } from '../../../src/server/plan.js';
import { repoRoot, sharedDir } from '../../helpers/paths.js';

const packDir = resolve(repoRoot, 'capabilities/lean');
const leanOpenApiDir = resolve(sharedDir, 'lean/openapi');
const hasDocs = existsSync(leanOpenApiDir);

interface Op { name: string; method: string; inputParameters?: { name: string; in: string; required?: boolean; type?: string }[] }
interface Cap {
  capability: {
    consumes: { namespace: string; baseUri: string; authentication?: { type: string; token?: string }; resources: { path: string; operations: Op[] }[] }[];
    exposes: { type: string; namespace: string; tools?: { name: string; call: string; inputParameters?: { name: string; required?: boolean }[] }[] }[];
  };
}

async function packFiles(): Promise<{ file: string; cap: Cap }[]> {
  const files = (await readdir(packDir)).filter((f) => f.endsWith('.yaml')).sort();
  return Promise.all(files.map(async (file) => ({ file, cap: parse(await readFile(join(packDir, file), 'utf8')) as Cap })));
}

function findOp(files: { cap: Cap }[], name: string, namespace?: string): Op {
  for (const { cap } of files) for (const c of cap.capability.consumes) {
    if (namespace && c.namespace !== namespace) continue;
    for (const r of c.resources) for (const o of r.operations) if (o.name === name) return o;
  }
  throw new Error(`no operation ${name}`);
}

describe('the Lean capability pack', () => {
  it.skipIf(!hasDocs)('is exactly what `npm run lean:generate` writes (regenerate and review, never edit by hand)', async () => {
    const spec = parse(await readFile(resolve(repoRoot, 'scripts/lean-pack.yaml'), 'utf8')) as PackSpec;
    const generated = await generatePack(spec, leanOpenApiDir);
    for (const g of generated) expect(await readFile(join(packDir, g.file), 'utf8'), `${g.file} differs from the generator's output: run npm run lean:generate`).toBe(g.text);
    expect((await readdir(packDir)).filter((f) => f.endsWith('.yaml')).sort()).toEqual(generated.map((g) => g.file).sort());
  }, 60_000);

  it('validates with the seed and lean-tokens.yaml and plans without any conflict', async () => {
    const { diagnostics } = await validateFiles([resolve(repoRoot, 'capabilities')], { keepInfos: false });
    expect(diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.file}: ${d.code} ${d.message}`)).toEqual([]);
    const loaded = await loadCapabilities([resolve(repoRoot, 'capabilities')]);
    const plan = planListeners(loaded.capabilities, { host: '127.0.0.1' });
    expect(plan.diagnostics).toEqual([]);
    const rest = plan.listeners.filter((l) => l.kind === 'rest');
    const mcp = plan.listeners.filter((l) => l.kind === 'mcp');
    expect(rest.map((l) => l.port)).toEqual([8080]);
    expect(mcp.map((l) => l.port)).toEqual([9090]);
    expect(mcp[0]!.mcp.flatMap((a) => a.adapter.tools)).toHaveLength(76 + 2);
  });

  it("covers Lean's 76 distinct operations, each authenticated with {{LEAN_API_TOKEN}} (the token endpoint excepted)", async () => {
    const files = await packFiles();
    expect(files).toHaveLength(12);
    const operations = new Set<string>();
    for (const { file, cap } of files) {
      for (const c of cap.capability.consumes) {
        if (file === 'lean-auth.yaml') {
          expect(c.baseUri).toBe('https://auth.leantech.me');
          expect(c.authentication).toBeUndefined();
        } else {
          expect(c.baseUri).toBe('https://api2.leantech.me');
          expect(c.authentication).toEqual({ type: 'bearer', token: '{{LEAN_API_TOKEN}}' });
        }
        for (const r of c.resources) for (const o of r.operations) operations.add(`${o.method} ${r.path}`);
      }
      for (const tool of cap.capability.exposes.flatMap((e) => e.tools ?? [])) expect(tool.name.length).toBeLessThanOrEqual(64);
    }
    expect(operations.size).toBe(76);
  });

  it("carries Lean's required parameters and bodies (lean.md §3)", async () => {
    const files = await packFiles();
    const param = (op: Op, name: string) => op.inputParameters?.find((p) => p.name === name);
    for (const name of ['fetchAccountsV2', 'fetchBalancesV2', 'fetchTransactionsV2', 'fetchIdentitiesV2', 'getDataRefreshes', 'getDataRefreshStatus']) {
      expect(param(findOp(files, name, 'lean-data'), 'entity_id'), name).toMatchObject({ in: 'query', required: true });
    }
    expect(param(findOp(files, 'listEntities'), 'start_date')).toMatchObject({ required: true });
    expect(param(findOp(files, 'listEntities'), 'end_date')).toMatchObject({ required: true });
    expect(param(findOp(files, 'getCashflows'), 'start_date')).toMatchObject({ required: true });
    expect(param(findOp(files, 'initiateAccountOnFilePayment', 'lean-aof'), 'Idempotency-Key')).toMatchObject({ in: 'header', required: true });
    expect(param(findOp(files, 'initiateAccountOnFilePayment', 'lean-payments'), 'Idempotency-Key')).toMatchObject({ in: 'header', required: true });
    expect(param(findOp(files, 'createPayout'), 'idempotency-key')).toMatchObject({ in: 'header' });
    expect(param(findOp(files, 'createRefund'), 'idempotency-key')).toMatchObject({ in: 'header', required: false });
    for (const name of ['createRefund', 'processRefunds', 'createPayoutDestination']) expect(param(findOp(files, name), 'body'), name).toMatchObject({ in: 'body', type: 'array' });
    const intent = files.flatMap((f) => f.cap.capability.exposes).flatMap((e) => e.tools ?? []).find((t) => t.name === 'lean-payments-create-payment-intent')!;
    for (const name of ['customer_id', 'amount', 'currency']) expect(intent.inputParameters?.find((p) => p.name === name), name).toMatchObject({ required: true });
  });
});
