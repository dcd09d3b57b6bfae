/**
 * The token provider through the real CLI: `runtime serve --token-provider …`
 * and `runtime serve --config examples/runtime.local-sandbox.yaml`-style
 * profiles, against the Lean sandbox. Black box: a child process, JSON logs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LEAN_IDS, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startLeanSandbox, type LeanSandbox } from '../../fakes/lean/index.js';
import { hasShared, leanCapabilitiesDir, repoRoot, sharedSkipReason } from '../../helpers/paths.js';

const bin = join(repoRoot, 'bin/runtime.js');
const wired =
  existsSync(join(repoRoot, 'dist/engine/tokens/index.js')) && spawnSync(process.execPath, [bin, 'serve', '--help'], { encoding: 'utf8' }).stdout.includes('--token-provider');
if (!hasShared) console.warn(sharedSkipReason());
if (!wired) console.warn('`runtime serve --token-provider` is not built yet (npm run build): the CLI token-provider tests are skipped');

const TOKEN_FLAG = 'LEAN_API_TOKEN=client_credentials:https://auth.leantech.me/oauth2/token?client_id_env=LEAN_CLIENT_ID&client_secret_env=LEAN_CLIENT_SECRET&scope=api';

interface Served {
  child: ChildProcess;
  rest: string;
  lines: string[];
}

async function serve(args: string[], env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, [bin, 'serve', ...args, '--rest-port', '0', '--mcp-port', '0', '--log-format', 'json'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const rest = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start:\n${lines.join('\n')}`)), 15_000);
    const onData = (chunk: Buffer) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        lines.push(line);
        const match = /REST listening on (http:\/\/[^ ]+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited with ${code}:\n${lines.join('\n')}`));
    });
  });
  return { child, rest, lines };
}

describe.skipIf(!hasShared || !wired)('runtime serve with a token provider (CLI)', () => {
  let lean: LeanSandbox;
  let served: Served | undefined;
  const env = { LEAN_CLIENT_ID: SANDBOX_CLIENT_ID, LEAN_CLIENT_SECRET: SANDBOX_CLIENT_SECRET };

  beforeAll(async () => {
    lean = await startLeanSandbox({ strict: false, clock: { start: '2026-05-10T10:00:00Z' } });
  });
  afterEach(async () => {
    if (served && served.child.exitCode === null) {
      const exited = new Promise((r) => served!.child.once('exit', r));
      served.child.kill('SIGTERM');
      await exited;
    }
    served = undefined;
  });
  afterAll(async () => lean?.close());

  const providerRequests = () => lean.journal.filter((e) => e.path === '/oauth2/token' && (e.headers['user-agent'] ?? '').includes('token-provider'));

  it('--token-provider + --upstream: Lean calls authenticated by one minted token; the secret never printed', async () => {
    lean.clearJournal();
    served = await serve(
      [leanCapabilitiesDir, '--upstream', `https://auth.leantech.me=${lean.authUrl}`, '--upstream', `https://api2.leantech.me=${lean.apiUrl}`, '--token-provider', TOKEN_FLAG],
      env,
    );
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${served.rest}/v1/customers/v1/${LEAN_IDS.customers.C1}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { customer_id: string }).customer_id).toBe(LEAN_IDS.customers.C1);
    }
    expect(providerRequests()).toHaveLength(1);
    expect(served.lines.some((l) => l.includes('token provider: LEAN_API_TOKEN ← client_credentials https://auth.leantech.me/oauth2/token scope=api'))).toBe(true);
    expect(served.lines.join('\n')).not.toContain(SANDBOX_CLIENT_SECRET);
  });

  it('runtime.yaml tokenProviders + upstreams (a Lean environment profile)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lean-profile-'));
    const config = join(dir, 'runtime.yaml');
    writeFileSync(
      config,
      [
        'upstreams:',
        `  https://auth.leantech.me: ${lean.authUrl}`,
        `  https://api2.leantech.me: ${lean.apiUrl}`,
        'tokenProviders:',
        '  LEAN_API_TOKEN:',
        '    tokenUrl: https://auth.leantech.me/oauth2/token',
        '    clientIdEnv: LEAN_CLIENT_ID',
        '    clientSecretEnv: LEAN_CLIENT_SECRET',
        '    scope: api',
        '',
      ].join('\n'),
    );
    lean.clearJournal();
    served = await serve([leanCapabilitiesDir, '--config', config], env);
    const res = await fetch(`${served.rest}/v1/payouts/refunds/reasons`);
    expect(res.status).toBe(200);
    expect(providerRequests()).toHaveLength(1);
  });

  it('a missing secret is named at startup and answers 503 naming the variable', async () => {
    served = await serve([leanCapabilitiesDir, '--upstream', `https://api2.leantech.me=${lean.apiUrl}`, '--token-provider', TOKEN_FLAG], { LEAN_CLIENT_ID: SANDBOX_CLIENT_ID });
    expect(served.lines.some((l) => l.includes('environment variable LEAN_CLIENT_SECRET'))).toBe(true);
    const res = await fetch(`${served.rest}/v1/payouts/refunds/reasons`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toContain('needs the environment variable `LEAN_CLIENT_SECRET`');
  });

  it('refuses a malformed --token-provider with a usage error (exit 2)', () => {
    const run = spawnSync(process.execPath, [bin, 'serve', leanCapabilitiesDir, '--token-provider', 'LEAN_API_TOKEN=client_credentials:https://a.example/t?client_id=a&client_secret=shh'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 15_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr + run.stdout).toContain('never be written in configuration');
  });
});
