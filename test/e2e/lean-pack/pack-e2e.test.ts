/**
 * The Lean pack against Lean's contract: capabilities/lean/ served with the
 * runtime's token provider, the sandbox checking every request against
 * Lean's OpenAPI documents. Every one of the 76 operations is called through
 * REST and through MCP with valid inputs from the documents' examples; the
 * sandbox must accept each request (contract check passed), and every API
 * call must carry the provider's token.
 */
import { resolve } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTokenProviderSpec, type TokenProviders } from '../../../src/engine/tokens/index.js';
import { Redactor } from '../../../src/engine/redact.js';
import { UpstreamRoutes } from '../../../src/engine/upstream/routes.js';
import { loadCapabilities } from '../../../src/capability/loader.js';
import type { McpAdapter, RestAdapter } from '../../../src/capability/model.js';
import { hasLeanOpenApi, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startLeanSandbox, type ContractOperation, type LeanSandbox } from '../../fakes/lean/index.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { repoRoot } from '../../helpers/paths.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { inputsFor } from './inputs.js';

const packDir = resolve(repoRoot, 'capabilities/lean');
const TOKEN_FLAG =
  'LEAN_API_TOKEN=client_credentials:https://auth.leantech.me/oauth2/token?client_id_env=LEAN_CLIENT_ID&client_secret_env=LEAN_CLIENT_SECRET&scope=api';
const skip = !hasLeanOpenApi();
if (skip) console.warn('../shared/lean/openapi not found: the Lean pack e2e test (strict contract) is skipped');

interface PackOperation {
  key: string;
  contract: ContractOperation;
  route: { method: string; path: string; params: RestAdapter['resources'][number]['operations'][number]['inputParameters'] };
  tool: { name: string; params: McpAdapter['tools'][number]['inputParameters'] };
  consumedPath: string;
}

describe.skipIf(skip)('the Lean pack against the strict sandbox (REST and MCP)', () => {
  let lean: LeanSandbox;
  let rt: TestRuntime;
  let providers: TokenProviders;
  let mcp: Client;
  let ops: PackOperation[];

  beforeAll(async () => {
    lean = await startLeanSandbox({ contract: true, clock: { start: '2026-05-10T10:00:00Z' } });
    const loaded = await loadCapabilities([packDir]);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    ops = [];
    for (const capability of loaded.capabilities) {
      const restAdapter = capability.exposes.find((e): e is RestAdapter => e.type === 'rest')!;
      const mcpAdapter = capability.exposes.find((e): e is McpAdapter => e.type === 'mcp')!;
      for (const api of capability.consumes) for (const resource of api.resources) for (const operation of resource.operations) {
        const ref = `${api.namespace}.${operation.name}`;
        const contract = lean.contract!.operations.find((o) => o.method === operation.method && o.path.replace(/\/$/, '') === resource.path.replace(/\/$/, ''));
        const restResource = restAdapter.resources.find((r) => r.operations.some((o) => o.call?.ref === ref))!;
        const restOp = restResource.operations.find((o) => o.call?.ref === ref)!;
        const tool = mcpAdapter.tools.find((t) => t.call?.ref === ref)!;
        ops.push({
          key: `${operation.method} ${resource.path}`,
          contract: contract ?? ({ method: operation.method, path: resource.path, operationId: operation.name, document: 'lean-authentication-api-openapi.yml', parameters: [], example: { status: 200 }, resolveRef: () => undefined } as ContractOperation),
          route: { method: restOp.method, path: restResource.path, params: restOp.inputParameters },
          tool: { name: tool.name, params: tool.inputParameters },
          consumedPath: resource.path,
        });
      }
    }
    const env = { LEAN_CLIENT_ID: SANDBOX_CLIENT_ID, LEAN_CLIENT_SECRET: SANDBOX_CLIENT_SECRET };
    const upstreams = new UpstreamRoutes([
      ['https://auth.leantech.me', lean.authUrl],
      ['https://api2.leantech.me', lean.apiUrl],
    ]);
    const redactor = new Redactor();
    providers = parseTokenProviderSpec(TOKEN_FLAG).create({ routes: upstreams, env, redactor, now: () => lean.clock.now() });
    rt = await startTestRuntime({ paths: [packDir], upstreams, env, providers, redactor });
    providers.useLogger(rt.runtime.logger);
    mcp = await connectMcp(rt.mcpUrl);
  }, 120_000);

  afterAll(async () => {
    await mcp?.close();
    await rt?.close();
    await providers?.close();
    await lean?.close();
  });

  const requiredBy = (params: { name: string; required: boolean }[]) => new Set(params.filter((p) => p.required).map((p) => p.name));
  const isAuth = (op: PackOperation) => op.consumedPath === '/oauth2/token';
  const tokenForm = { grant_type: 'client_credentials', client_id: SANDBOX_CLIENT_ID, client_secret: SANDBOX_CLIENT_SECRET, scope: 'api' };

  /** The journal entry of the upstream call one surface call made (the last api entry after `mark`). */
  function upstreamEntry(mark: number, op: PackOperation) {
    return lean.journal.filter((e) => e.seq > mark && (isAuth(op) ? e.listener === 'auth' && !(e.headers['user-agent'] ?? '').includes('token-provider') : e.listener === 'api')).at(-1);
  }

  function verdict(op: PackOperation, mark: number, surface: string, status: number, text: string): string | undefined {
    const entry = upstreamEntry(mark, op);
    if (!entry) return `${surface} ${op.key}: no upstream request (answer ${status}: ${text.slice(0, 200)})`;
    if (isAuth(op)) return entry.status === 200 ? undefined : `${surface} ${op.key}: token endpoint answered ${entry.status}`;
    if (!entry.contract?.ok) return `${surface} ${op.key}: refused by Lean's contract: ${(entry.contract?.errors ?? ['no contract check']).join('; ')}`;
    if (!/^Bearer \[REDACTED\]$/.test(entry.headers.authorization ?? '')) return `${surface} ${op.key}: no bearer token upstream`;
    return undefined;
  }

  it('maps the 76 operations of the pack onto the 76 documented ones', () => {
    expect(ops).toHaveLength(76);
    expect(new Set(ops.map((o) => o.key)).size).toBe(76);
    expect(ops.filter((o) => !isAuth(o) && !lean.contract!.operations.includes(o.contract))).toEqual([]);
  });

  it('every operation over REST: the sandbox accepts each request', async () => {
    const failures: string[] = [];
    let ok2xx = 0;
    for (const [i, op] of ops.entries()) {
      const inputs = isAuth(op) ? { path: {}, query: {}, headers: {}, body: tokenForm } : inputsFor(op.contract, `rest-${i}`, requiredBy(op.route.params));
      let path = op.route.path;
      for (const [k, v] of Object.entries(inputs.path)) path = path.replace(`{${k}}`, encodeURIComponent(v));
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(inputs.query)) for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
      const headers: Record<string, string> = { ...inputs.headers };
      let body: string | undefined;
      if (inputs.body !== undefined) {
        if (isAuth(op)) {
          headers['content-type'] = 'application/x-www-form-urlencoded';
          body = new URLSearchParams(inputs.body as Record<string, string>).toString();
        } else {
          headers['content-type'] = 'application/json';
          body = JSON.stringify(inputs.body);
        }
      }
      const mark = lean.journal.at(-1)?.seq ?? 0;
      const res = await fetch(`${rt.restUrl}${path}${qs.size ? `?${qs.toString()}` : ''}`, { method: op.route.method, headers, body });
      const text = await res.text();
      if (res.status < 300) ok2xx++;
      const problem = verdict(op, mark, "REST", res.status, text);
      if (problem && process.env.PACK_DUMP) console.info(JSON.stringify({ sent: body, upstream: upstreamEntry(mark, op)?.body, path: upstreamEntry(mark, op)?.path }));
      if (problem) failures.push(problem);
    }
    console.info(`REST: ${ops.length - failures.length}/${ops.length} operations accepted by Lean's contract (${ok2xx} answered 2xx)`);
    if (failures.length) console.info(failures.join("\n"));
    expect(failures).toEqual([]);
  }, 120_000);

  it('every operation over MCP: the sandbox accepts each request', async () => {
    const failures: string[] = [];
    let ok = 0;
    for (const [i, op] of ops.entries()) {
      const inputs = isAuth(op) ? { path: {}, query: {}, headers: {}, body: tokenForm } : inputsFor(op.contract, `mcp-${i}`, requiredBy(op.tool.params));
      const all: Record<string, unknown> = { ...inputs.path, ...inputs.query, ...inputs.headers };
      const args: Record<string, unknown> = {};
      for (const p of op.tool.params) {
        if (p.name in all) args[p.name] = all[p.name];
        else if (p.name === 'body') args.body = inputs.body;
        else if (inputs.body && typeof inputs.body === 'object' && !Array.isArray(inputs.body) && p.name in (inputs.body as object)) args[p.name] = (inputs.body as Record<string, unknown>)[p.name];
      }
      const mark = lean.journal.at(-1)?.seq ?? 0;
      let text = '';
      let isError = true;
      try {
        const result = await mcp.callTool({ name: op.tool.name, arguments: args });
        isError = result.isError === true;
        text = JSON.stringify(result.content).slice(0, 300);
      } catch (error) {
        text = String((error as Error).message);
      }
      if (!isError) ok++;
      const problem = verdict(op, mark, 'MCP', isError ? 400 : 200, text);
      if (problem) failures.push(problem);
    }
    console.info(`MCP: ${ops.length - failures.length}/${ops.length} operations accepted by Lean's contract (${ok} tool results without isError)`);
    if (failures.length) console.info(failures.join("\n"));
    expect(failures).toEqual([]);
  }, 120_000);
});
