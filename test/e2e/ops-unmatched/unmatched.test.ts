/**
 * Issue 14 item 7: requests no operation answers (REST 404 and 405, MCP
 * unknown paths) are counted in the request metrics, with bounded label
 * values — a scanner probing a million paths must not create a million series.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLeanSandbox, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, type LeanSandbox } from '../../fakes/lean/index.js';
import { seedCapability } from '../../helpers/paths.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

describe('metrics: unmatched requests', () => {
  let lean: LeanSandbox;
  let rt: TestRuntime;

  beforeAll(async () => {
    lean = await startLeanSandbox();
    rt = await startTestRuntime({
      paths: [seedCapability],
      upstream: { 'https://auth.leantech.me': lean.authUrl },
      env: { LEAN_CLIENT_ID: SANDBOX_CLIENT_ID, LEAN_CLIENT_SECRET: SANDBOX_CLIENT_SECRET },
      controlPort: 0,
    });
  });
  afterAll(async () => {
    await rt?.close();
    await lean?.close();
  });

  const series = (text: string, surface: string, operation: string, status: number) => {
    const line = text.split('\n').find((l) => l.startsWith('runtime_requests_total{') && l.includes(`surface="${surface}"`) && l.includes(`operation="${operation}"`) && l.includes(`status="${status}"`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('counts REST 404s and 405s and MCP unknown paths without the raw path in any label', async () => {
    for (const path of ['/v1/nope', '/v1/secret-probe-1', '/v1/secret-probe-2?x=1']) expect((await fetch(`${rt.restUrl}${path}`)).status).toBe(404);
    expect((await fetch(`${rt.restUrl}/v1/oauth2/token`)).status).toBe(405);
    const mcp = await fetch(`${rt.mcpUrl.replace(/\/mcp$/, '')}/mcp-probe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(mcp.status).toBe(404);

    const metrics = await (await fetch(`${rt.runtime.url('control')}/metrics`)).text();
    expect(series(metrics, 'rest', '(unmatched)', 404)).toBe(3);
    expect(series(metrics, 'rest', '(method-not-allowed)', 405)).toBe(1);
    expect(series(metrics, 'mcp', '(unmatched)', 404)).toBe(1);
    expect(metrics).not.toContain('secret-probe');
    expect(metrics).not.toContain('mcp-probe');
    // The request log shows them too, with the same bounded labels.
    expect(rt.logs.some((l) => l.includes('"operation":"(unmatched)"') && l.includes('"status":404'))).toBe(true);
  });
});
