/**
 * Bind sources (naftiko-core §2): the environment, `file://` dotenv / JSON /
 * YAML files — relative paths resolve against the capability's folder (the
 * reference resolves them against the process working directory) — nested
 * keys by dotted path (the reference reads top-level keys only), and a clear
 * error for schemes this runtime does not implement (`vault://`).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../harness.js';

const file = resolve(import.meta.dirname, 'capability.yaml');

describe('conformance: bind sources', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ file, namespaces: ['svc'], env: { PROCESS_VAR: 'from-environment' } });
  });
  afterAll(async () => f?.close());

  it('reads environment, JSON, YAML and nested YAML values (files relative to the capability file)', async () => {
    expect((await f.rest('/files')).status).toBe(200);
    const headers = f.upstream.last().headers;
    expect({ env: headers['x-env'], json: headers['x-json'], port: headers['x-port'], yaml: headers['x-yaml'], nested: headers['x-nested'] }).toEqual({
      env: 'from-environment',
      json: 'from-json-file',
      port: '8443',
      yaml: 'from-yaml-file',
      nested: 'nested-yaml-token',
    });
  });

  it('warns at startup that vault:// is not supported, pointing at the bind', () => {
    const warning = f.rt.runtime.diagnostics.find((d) => d.code === 'bind-source');
    expect(warning?.severity).toBe('warning');
    expect(warning?.message).toContain('`vault://` scheme, which this runtime does not support');
    expect(warning?.position?.line).toBe(19);
  });

  it('answers 503 naming the variable and the unsupported scheme (REST) and a tool error (MCP); nothing is sent', async () => {
    const before = f.upstream.requests.length;
    const res = await f.rest('/vault');
    expect(res.status).toBe(503);
    const problem = (await res.json()) as { detail: string; variable: string };
    expect(problem.variable).toBe('FROM_VAULT');
    expect(problem.detail).toBe(
      'The bind variable `FROM_VAULT` has no value: the bind location `vault://secret/data/registry` uses the `vault://` scheme, which this runtime does not support (use a `file://` dotenv/JSON/YAML file, or no location for the environment).',
    );
    const tool = await f.tool('vault');
    expect(tool.isError).toBe(true);
    expect(tool.content[0]!.text).toContain('`vault://` scheme');
    expect(f.upstream.requests.length).toBe(before);
  });
});
