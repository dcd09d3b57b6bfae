/**
 * Issue 11 ("found as a new user would"): an `--upstream` key that matches nothing
 * (`https://auth.leantec.me=…`, a typo) used to be accepted and logged as "overrides
 * active" while traffic went to the real host. It is now a usage error (exit 2) naming
 * the key and the close origin; keys that match a consumed API's origin or namespace,
 * or only a token provider's token URL, still start. Black box: the real CLI.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { repoRoot } from '../../helpers/paths.js';

const bin = join(repoRoot, 'bin/runtime.js');
const built = existsSync(join(repoRoot, 'dist/server/gateway.js'));
if (!built) console.warn('the runtime is not built (npm run build): its CLI tests are skipped');
const fixed = join(repoRoot, 'test/e2e/upstream-keys/fixed');
const templated = join(repoRoot, 'test/e2e/upstream-keys/templated');
const TOKEN_FLAG = 'THINGS_TOKEN=client_credentials:https://auth.things.test/oauth2/token?client_id_env=THINGS_CLIENT_ID&client_secret_env=THINGS_CLIENT_SECRET';

function refused(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, 'serve', ...args, '--rest-port', '0', '--mcp-port', '0'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    // Before the fix the runtime started and kept serving: kill it rather than wait for a drain.
    timeout: 10_000,
    killSignal: 'SIGKILL',
  });
}

/** Starts the CLI and resolves with the REST URL once it listens (rejects if it exits first). */
function serve(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; rest: string }> {
  const child = spawn(process.execPath, [bin, 'serve', ...args, '--rest-port', '0', '--mcp-port', '0', '--log-format', 'json'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        lines.push(line);
        const match = /REST listening on (http:\/\/[^ "]+)/.exec(line);
        if (match) resolve({ child, rest: match[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`runtime exited with ${code}:\n${lines.join('\n')}`)));
  });
}

const running: ChildProcess[] = [];

describe.skipIf(!built)('--upstream keys must match something the runtime calls', () => {
  let upstream: EchoUpstream;

  beforeAll(async () => {
    upstream = await startEchoUpstream((req) => ({ body: { path: req.path } }));
  });
  afterAll(async () => {
    await upstream.close();
  });
  afterEach(() => {
    for (const child of running.splice(0)) child.kill('SIGKILL');
  });

  it('refuses a typo of the origin with exit 2, naming the key and the close origin', () => {
    const run = refused([fixed, '--upstream', `https://api.thigns.test=${upstream.url}`]);
    expect(run.status).toBe(2);
    const out = run.stderr + run.stdout;
    expect(out).toContain('`https://api.thigns.test`');
    expect(out).toContain('Did you mean `https://api.things.test`?');
    expect(out).not.toContain('overrides active');
  });

  it('refuses an unknown namespace key, suggesting the close one', () => {
    const run = refused([fixed, '--upstream', `thing=${upstream.url}`]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Did you mean `things`?');
  });

  it('refuses a typo against a rendered templated baseUri', () => {
    const run = refused([templated, '--upstream', `https://api.thigns.test=${upstream.url}`], { THINGS_BASE: 'https://api.things.test/v1' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Did you mean `https://api.things.test`?');
  });

  it('serves with the correct origin key (the call reaches the override)', async () => {
    const { rest } = await serve([fixed, '--upstream', `https://api.things.test=${upstream.url}`]);
    const res = await fetch(`${rest}/v1/things/7`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ path: '/v1/things/7' });
  });

  it('serves with a namespace key', async () => {
    const { rest } = await serve([fixed, '--upstream', `things=${upstream.url}`]);
    expect((await fetch(`${rest}/v1/things/8`)).status).toBe(200);
  });

  it("serves with a key that matches only the token provider's token URL origin", async () => {
    await expect(
      serve([fixed, '--token-provider', TOKEN_FLAG, '--upstream', `https://auth.things.test=${upstream.url}`], { THINGS_CLIENT_ID: 'id', THINGS_CLIENT_SECRET: 'secret' }),
    ).resolves.toMatchObject({ rest: expect.stringMatching(/^http:/) });
  });

  it('does not refuse an origin key when a templated baseUri cannot be rendered at startup', async () => {
    await expect(serve([templated, '--upstream', `https://elsewhere.test=${upstream.url}`])).resolves.toMatchObject({ rest: expect.stringMatching(/^http:/) });
  });
});
