/**
 * runtime.yaml end to end: `serve --config FILE` takes ports, upstreams and
 * token providers from the file; the environment and flags win over it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { runCli } from '../ops-helpers/cli.js';
import { capabilityYaml, tempDir, type TempDir } from '../ops-helpers/fixtures.js';

const CLIENT_SECRET = 'client-secret-canary-41c9e2';

describe('serve --config runtime.yaml', () => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  beforeAll(async () => {
    upstream = await startEchoUpstream((req) =>
      req.path === '/oauth2/token' ? { body: { access_token: 'minted-token-123', token_type: 'Bearer', expires_in: 3600 } } : { body: { path: req.path } },
    );
    dir = tempDir();
    dir.write('caps/alpha.yaml', capabilityYaml({ name: 'alpha', secretVar: 'ALPHA_TOKEN' }));
  });
  afterAll(async () => {
    await upstream?.close();
    dir?.cleanup();
  });

  it('reads ports, paths, upstreams and token providers from the file; env wins over the file', async () => {
    // The file asks for REST on port 1 and the environment for 0 (ephemeral): the environment wins,
    // so port 1 is never bound. The file's MCP and control ports (0) apply: a control listener
    // exists only because the file asked for one.
    dir.write(
      'runtime.yaml',
      [
        `paths: [caps]`,
        `restPort: 1`,
        `mcpPort: 0`,
        `controlPort: 0`,
        `logLevel: debug`,
        `upstreams:`,
        `  alpha: ${upstream.url}`,
        `  https://auth.alpha.invalid: ${upstream.url}`,
        `tokenProviders:`,
        `  ALPHA_TOKEN:`,
        `    tokenUrl: https://auth.alpha.invalid/oauth2/token`,
        `    clientIdEnv: ALPHA_CLIENT_ID`,
        `    clientSecretEnv: ALPHA_CLIENT_SECRET`,
      ].join('\n'),
    );
    const cli = runCli(['serve', '--config', `${dir.path}/runtime.yaml`], { RUNTIME_REST_PORT: '0', ALPHA_CLIENT_ID: 'client-1', ALPHA_CLIENT_SECRET: CLIENT_SECRET });
    try {
      await cli.waitForLine(/"msg":"ready/);
      // the environment's REST port won over the file's; the file's MCP and control ports apply
      const [rest, mcp, control] = [await cli.listening('rest'), await cli.listening('mcp'), await cli.listening('control')];
      expect(new URL(rest).port).not.toBe('1');
      expect(new URL(mcp).port).not.toBe('9090');
      const res = await fetch(`${rest}/v1/alpha/items`);
      expect(res.status).toBe(200);
      expect(upstream.last().headers.authorization).toBe('Bearer minted-token-123');
      expect(upstream.requests.some((r) => r.path === '/oauth2/token')).toBe(true);
      expect((await fetch(`${control}/health/ready`)).status).toBe(200);
      expect(cli.output()).toContain('configuration read from');
      cli.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      cli.kill('SIGKILL');
    }
    expect(cli.output()).not.toContain(CLIENT_SECRET);
    expect(cli.output()).not.toContain('minted-token-123');
  });

  it('rejects an unknown key with exit code 2', async () => {
    dir.write('bad.yaml', 'restport: 1\n');
    const cli = runCli(['serve', '--config', `${dir.path}/bad.yaml`]);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/Unknown setting `restport`.*did you mean `restPort`/);
  });

  it('uses ./runtime.yaml of the working folder when present', async () => {
    dir.write('runtime.yaml', `paths: [caps]\nrestPort: 0\nmcpPort: 0\nupstreams: [alpha=${upstream.url}]\n`);
    const cli = runCli(['serve'], { ALPHA_TOKEN: 'static-token' }, dir.path);
    try {
      const rest = await cli.listening('rest');
      expect((await fetch(`${rest}/v1/alpha/items`)).status).toBe(200);
      cli.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      cli.kill('SIGKILL');
    }
  });
});
