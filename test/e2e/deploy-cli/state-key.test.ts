/**
 * Tokens never go to Redis in clear: `--redis-url` with a token provider and
 * no (or a weak) RUNTIME_STATE_KEY is a usage error at startup (exit 2), for
 * a single process and for a --workers primary alike, before any connection.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';
import { leanBanksCapability, TOKEN_PROVIDER_FLAG } from '../deploy-helpers/capabilities.js';
import { scratch } from '../deploy-helpers/services.js';
import { ensureBuilt } from '../ops-helpers/cli.js';

function serve(extra: string[], env: Record<string, string>) {
  ensureBuilt();
  const dir = scratch('state-key-');
  try {
    const caps = join(dir.path, 'caps');
    leanBanksCapability(caps);
    return spawnSync(process.execPath, [join(repoRoot, 'bin/runtime.js'), 'serve', caps, '--rest-port', '0', '--redis-url', 'redis://127.0.0.1:1/0', '--token-provider', TOKEN_PROVIDER_FLAG, ...extra], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', LEAN_CLIENT_ID: 'id', LEAN_CLIENT_SECRET: 'secret', ...env },
      timeout: 20_000,
    });
  } finally {
    dir.cleanup();
  }
}

describe('RUNTIME_STATE_KEY is required to share tokens through Redis', () => {
  it('missing: exit 2 naming the variable', () => {
    const run = serve([], {});
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('set RUNTIME_STATE_KEY');
  }, 60_000);

  it('too short, with --workers: exit 2 from the primary', () => {
    const run = serve(['--workers', '2'], { RUNTIME_STATE_KEY: 'short' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('RUNTIME_STATE_KEY is too short');
  }, 60_000);
});
