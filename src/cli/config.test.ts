import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { capabilityYaml, tempDir, type TempDir } from '../../test/e2e/ops-helpers/fixtures.js';
import { FIELDS, resolveServeConfig, UsageError } from './config.js';

let dir: TempDir | undefined;
afterEach(() => {
  dir?.cleanup();
  dir = undefined;
});

function withConfig(yaml: string): TempDir {
  dir = tempDir('ops-config-');
  dir.write('runtime.yaml', yaml);
  return dir;
}

describe('resolveServeConfig', () => {
  it('has defaults', () => {
    const c = resolveServeConfig({}, {}, [], '/nonexistent-dir');
    expect(c).toMatchObject({ paths: ['capabilities'], host: '127.0.0.1', strict: false, watch: false, drainTimeoutMs: 10_000, workers: 1, logLevel: 'info', logFormat: 'auto', maxBodyBytes: 1048576, upstreamTimeoutMs: 30_000 });
    expect(c.configFile).toBeUndefined();
    expect(c.controlPort).toBeUndefined();
  });

  it('reads ./runtime.yaml when present: flags > env > file > defaults', () => {
    const d = withConfig(['host: 0.0.0.0', 'restPort: 7001', 'mcpPort: 7002', 'controlPort: 7003', 'logLevel: debug', 'watch: true', 'drainTimeout: 2500', 'workers: 3', 'upstreams:', '  alpha: http://127.0.0.1:1', 'paths: [caps, more]', 'envFile: secrets.env', 'strict: true'].join('\n'));
    const fromFile = resolveServeConfig({}, {}, [], d.path);
    expect(fromFile).toMatchObject({ host: '0.0.0.0', restPort: 7001, mcpPort: 7002, controlPort: 7003, logLevel: 'debug', watch: true, drainTimeoutMs: 2500, workers: 3, strict: true });
    expect(fromFile.configFile).toBe(resolve(d.path, 'runtime.yaml'));
    // relative paths in the file are relative to the file
    expect(fromFile.paths).toEqual([resolve(d.path, 'caps'), resolve(d.path, 'more')]);
    expect(fromFile.envFile).toBe(resolve(d.path, 'secrets.env'));
    expect(fromFile.upstreams.entries()).toEqual([{ key: 'alpha', target: 'http://127.0.0.1:1/' }]);
    const fromEnv = resolveServeConfig({}, { RUNTIME_REST_PORT: '8001', RUNTIME_WATCH: 'false', RUNTIME_LOG_LEVEL: 'warn', RUNTIME_PATHS: 'x,y' }, [], d.path);
    expect(fromEnv).toMatchObject({ restPort: 8001, watch: false, logLevel: 'warn', mcpPort: 7002, paths: ['x', 'y'] });
    const fromFlags = resolveServeConfig({ restPort: '9001', logLevel: 'error', watch: true }, { RUNTIME_REST_PORT: '8001', RUNTIME_WATCH: 'false' }, ['z'], d.path);
    expect(fromFlags).toMatchObject({ restPort: 9001, logLevel: 'error', watch: true, paths: ['z'] });
  });

  it('--config / RUNTIME_CONFIG name another file; a missing named file is an error', () => {
    const d = withConfig('restPort: 7001\n');
    d.write('other.yaml', 'restPort: 7777\n');
    expect(resolveServeConfig({ config: 'other.yaml' }, {}, [], d.path).restPort).toBe(7777);
    expect(resolveServeConfig({}, { RUNTIME_CONFIG: resolve(d.path, 'other.yaml') }, [], '/').restPort).toBe(7777);
    expect(() => resolveServeConfig({ config: 'missing.yaml' }, {}, [], d.path)).toThrow(UsageError);
  });

  it('rejects unknown keys with a suggestion, and bad values naming their source', () => {
    expect(() => resolveServeConfig({}, {}, [], withConfig('rest-port: 1\n').path)).toThrow(/Unknown setting `rest-port`.*did you mean `restPort`/);
    dir!.cleanup();
    expect(() => resolveServeConfig({}, {}, [], withConfig('watch: maybe\n').path)).toThrow(/watch in .*runtime\.yaml must be true or false/);
    expect(() => resolveServeConfig({}, { RUNTIME_MCP_PORT: 'x' }, [], '/')).toThrow(/--mcp-port must be a port number/);
    expect(() => resolveServeConfig({ workers: '0' }, {}, [], '/')).toThrow(/--workers/);
    expect(() => resolveServeConfig({ restPort: '7000', controlPort: '7000' }, {}, [], '/')).toThrow(/control endpoints need a port of their own/);
  });

  it('passes tokenProviders through untouched', () => {
    const d = withConfig('tokenProviders:\n  lean:\n    type: oauth2-client-credentials\n    scopes: [api]\n');
    expect(resolveServeConfig({}, {}, [], d.path).tokenProviders).toEqual({ lean: { type: 'oauth2-client-credentials', scopes: ['api'] } });
  });

  it('accepts `auto` workers and list settings from env (comma-separated) and file (YAML list)', () => {
    expect(resolveServeConfig({ workers: 'auto' }, {}, [], '/').workers).toBeGreaterThanOrEqual(1);
    expect(resolveServeConfig({}, { RUNTIME_ALLOWED_HOSTS: 'a.example, b.example' }, [], '/').allowedHosts).toEqual(['a.example', 'b.example']);
    const d = withConfig('allowedOrigins: [https://app.example]\nupstreams: [alpha=http://127.0.0.1:2]\n');
    expect(resolveServeConfig({}, {}, [], d.path).allowedOrigins).toEqual(['https://app.example']);
  });

  it('reads `policies:` from runtime.yaml, applies the policy flags/env, and places errors at file:line', () => {
    const d = withConfig('policies:\n  rateLimit: { requestsPerSecond: 3 }\n  overrides:\n    - match: { adapter: a }\n      retry: false\n');
    const c = resolveServeConfig({}, { RUNTIME_CORS_ORIGINS: 'https://app.example' }, [], d.path);
    expect(c.policies.for('a').rateLimit).toMatchObject({ enabled: true, requestsPerSecond: 3, burst: 40 });
    expect(c.policies.for('a').retry.enabled).toBe(false);
    expect(c.policies.for('a').cors).toMatchObject({ enabled: true, origins: ['https://app.example'] });
    expect(resolveServeConfig({ rateLimit: '7' }, {}, [], d.path).policies.for('b').rateLimit).toMatchObject({ requestsPerSecond: 7, burst: 14 });
    const bad = withConfig('host: 127.0.0.1\npolicies:\n  cors: { credentials: yes }\n');
    expect(() => resolveServeConfig({}, {}, [], bad.path)).toThrow(UsageError);
    expect(() => resolveServeConfig({}, {}, [], bad.path)).toThrow(/runtime\.yaml:3:\d+: policies\.cors\.credentials must be true or false/);
  });

  it('README documents every flag, env var and config key in one table', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    for (const field of Object.values(FIELDS)) {
      const row = readme.split('\n').find((l) => l.startsWith('|') && l.includes(`\`${field.env}\``));
      expect(row, field.env).toBeDefined();
      if (field.flag.startsWith('--')) expect(row, field.flag).toContain(`\`${field.flag}`);
      if (field.key) expect(row, field.key).toContain(`\`${field.key}\``);
    }
    expect(readme).toContain('`tokenProviders`');
  });
});

describe('fixtures', () => {
  it('generate valid capability files', async () => {
    const { loadCapabilityText } = await import('../capability/loader.js');
    const result = await loadCapabilityText(capabilityYaml({ name: 'alpha', secretVar: 'TOKEN' }));
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});
