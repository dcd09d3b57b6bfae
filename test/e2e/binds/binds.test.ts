/**
 * Bind variables end to end: values reach the wire (auth, headers), a missing
 * variable answers 503 / a tool error naming it, and a secret value never
 * appears in any log line, problem document or tool result.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { connectMcp } from '../../helpers/mcp-client.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const capability = resolve(import.meta.dirname, 'capability.yaml');
const CANARY = 'canary-secret-7f3a9c1e5b';

describe('binds', () => {
  let upstream: EchoUpstream;
  beforeAll(async () => {
    upstream = await startEchoUpstream((req) =>
      req.path.endsWith('/leak') ? { status: 500, body: { echoed: req.headers.authorization } } : { body: { id: req.path.split('/').pop(), ok: true } },
    );
  });
  afterAll(async () => upstream?.close());

  describe('with values', () => {
    let rt: TestRuntime;
    beforeAll(async () => {
      rt = await startTestRuntime({ paths: [capability], upstream: { widgets: upstream.url }, env: { WIDGET_TOKEN: CANARY, WIDGET_VERSION: '2024-01' } });
    });
    afterAll(async () => rt?.close());

    it('renders {{env.VAR}} and {{VAR}} into auth and header templates, path and query values encoded', async () => {
      const res = await fetch(`${rt.restUrl}/v1/widgets/a%20b%2Fc?expand=parts%26more`);
      expect(res.status).toBe(200);
      const sent = upstream.last();
      expect(sent.url).toBe('/api/widgets/a%20b%2Fc?expand=parts%26more');
      expect(sent.headers.authorization).toBe(`Bearer ${CANARY}`);
      expect(sent.headers['widget-version']).toBe('2024-01');
    });

    it('leaves an unresolved optional value unset (never the literal expression)', async () => {
      await fetch(`${rt.restUrl}/v1/widgets/w1`);
      expect(upstream.last().url).toBe('/api/widgets/w1');
    });

    it('never logs the secret, at any level, nor returns it in tool results', async () => {
      const client = await connectMcp(rt.mcpUrl);
      await client.callTool({ name: 'get-widget', arguments: { widget_id: 'leak' } }).then((r) => {
        expect(r.isError).toBe(true);
        expect(JSON.stringify(r)).not.toContain(CANARY);
        expect(JSON.stringify(r)).toContain('[REDACTED]');
      });
      await client.close();
      const rest = await fetch(`${rt.restUrl}/v1/widgets/leak`);
      expect(await rest.text()).not.toContain(CANARY);
      expect(rt.logs.length).toBeGreaterThan(0);
      for (const line of rt.logs) expect(line).not.toContain(CANARY);
    });
  });

  describe('missing', () => {
    let rt: TestRuntime;
    beforeAll(async () => {
      rt = await startTestRuntime({ paths: [capability], upstream: { widgets: upstream.url }, env: { WIDGET_VERSION: '2024-01' } });
    });
    afterAll(async () => rt?.close());

    it('warns at startup naming the variable, file and line', () => {
      const warning = rt.runtime.diagnostics.find((d) => d.code === 'bind-missing');
      expect(warning?.message).toContain('WIDGET_TOKEN');
      expect(warning?.file).toBe(capability);
      expect(warning?.position).toEqual({ line: 8, column: 5 });
    });

    it('answers 503 problem+json naming the variable on REST, and a tool error on MCP', async () => {
      const res = await fetch(`${rt.restUrl}/v1/widgets/w1`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toContain('WIDGET_TOKEN');
      const client = await connectMcp(rt.mcpUrl);
      const result = await client.callTool({ name: 'get-widget', arguments: { widget_id: 'w1' } });
      expect(result.isError).toBe(true);
      expect((result.content as { text: string }[])[0]!.text).toContain('WIDGET_TOKEN');
      await client.close();
    });

    it('refuses to start with --strict', async () => {
      await expect(startTestRuntime({ paths: [capability], strictBinds: true, env: {} })).rejects.toThrow(/Bind variables/);
    });
  });
});
