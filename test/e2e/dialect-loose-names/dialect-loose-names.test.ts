/**
 * Issue 12, class 1: `rest.deviceId` against the route `{deviceid}`, `rest.path.page_id`
 * against `{page-id}`, and a `with` key `deviceid` for the consumed `{deviceId}`. The
 * dialect resolves each (one candidate only) with a warning naming both spellings,
 * `--strict` refuses them, and the upstream receives the caller's values.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCapabilities } from '../../../src/capability/loader.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const file = resolve(import.meta.dirname, 'capability.yaml');

describe('dialect: names that differ only in case or separators', () => {
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    upstream = await startEchoUpstream((req) => ({ body: { path: req.path } }));
    rt = await startTestRuntime({ paths: [file], upstream: { devices: upstream.url } });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
  });

  it('validates with warnings naming both spellings; --strict refuses', async () => {
    const lenient = await loadCapabilities([file]);
    expect(lenient.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const warnings = lenient.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
    expect(warnings.some((m) => m.includes('`rest.deviceId`') && m.includes('`{deviceid}`'))).toBe(true);
    expect(warnings.some((m) => m.includes('`rest.path.page_id`') && m.includes('`{page-id}`'))).toBe(true);
    expect(warnings.some((m) => m.includes('`{deviceId}`') && m.includes('`deviceid`'))).toBe(true);
    const strict = await loadCapabilities([file], { strict: true });
    expect(strict.diagnostics.filter((d) => d.severity === 'error').length).toBeGreaterThanOrEqual(3);
  });

  it('REST: the route values reach the upstream path', async () => {
    expect((await fetch(`${rt.restUrl}/v1/devices/D-1/health`)).status).toBe(200);
    expect(upstream.last().url).toBe('/devices/D-1/health');
    expect((await fetch(`${rt.restUrl}/v1/pages/p%201`)).status).toBe(200);
    expect(upstream.last().url).toBe('/pages/p%201');
  });

  it('MCP: a with key spelled differently still fills the consumed placeholder', async () => {
    const client = await connectMcp(rt.mcpUrl);
    const result = await client.callTool({ name: 'get-health', arguments: { device: 'D-2' } });
    expect(result.isError).toBe(false);
    expect(upstream.last().url).toBe('/devices/D-2/health');
    await client.close();
  });
});
