/**
 * Issue 12, class 3: a consumed operation name with punctuation (nothing routes on
 * it; `call` matches it exactly) is a warning, JSON Schema keys on parameters are
 * accepted, and `default` is the value sent when the caller gives none — shown in
 * the derived MCP input schema.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCapabilities } from '../../../src/capability/loader.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const file = resolve(import.meta.dirname, 'capability.yaml');

describe('dialect: harmless shape habits', () => {
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  beforeAll(async () => {
    upstream = await startEchoUpstream(() => ({ body: { ended: true } }));
    rt = await startTestRuntime({ paths: [file], upstream: { conf: upstream.url } });
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
  });

  it('validates with a name-invalid warning; --strict refuses the name and the keys', async () => {
    const lenient = await loadCapabilities([file]);
    expect(lenient.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(lenient.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code)).toEqual(['name-invalid']);
    const strict = await loadCapabilities([file], { strict: true });
    expect(new Set(strict.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))).toContain('schema-dialect');
  });

  it('REST: defaults fill what the caller leaves out; what it sends wins', async () => {
    expect((await fetch(`${rt.restUrl}/v1/conferences/c-9/end`, { method: 'POST' })).status).toBe(200);
    expect(upstream.last().method).toBe('POST');
    expect(upstream.last().url).toBe('/conferences/c-9:end?reason=done&limit=25');
    expect((await fetch(`${rt.restUrl}/v1/conferences/c-9/end?limit=5&reason=timeout`, { method: 'POST' })).status).toBe(200);
    expect(upstream.last().url).toBe('/conferences/c-9:end?reason=timeout&limit=5');
  });

  it('MCP: the derived schema shows the defaults, and the call sends them', async () => {
    const client = await connectMcp(rt.mcpUrl);
    const { tools } = await client.listTools();
    expect(tools[0]!.inputSchema).toMatchObject({
      properties: { id: { type: 'string' }, reason: { type: 'string', default: 'done' }, limit: { type: 'integer', default: 25 } },
      required: ['id'],
    });
    const result = await client.callTool({ name: 'end-conference', arguments: { id: 'c-3' } });
    expect(result.isError).toBe(false);
    expect(upstream.last().url).toBe('/conferences/c-3:end?reason=done&limit=25');
    await client.close();
  });
});
