/**
 * `--workers 2` without Redis: the workers share the token-provider token
 * through the primary (IPC), so 64 concurrent first calls, spread over both
 * workers, make one token request at Lean.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startLeanSandbox, type LeanSandbox } from '../../fakes/lean/index.js';
import { scratch, startReplica, type Replica, type Scratch } from '../deploy-helpers/services.js';
import { leanBanksCapability, TOKEN_PROVIDER_FLAG } from '../deploy-helpers/capabilities.js';
import { waitFor } from '../ops-helpers/fixtures.js';

describe('--workers 2 share tokens through the primary', () => {
  let dir: Scratch;
  let lean: LeanSandbox;
  let served: Replica | undefined;

  beforeAll(async () => {
    dir = scratch();
    lean = await startLeanSandbox({ strict: false });
    leanBanksCapability(join(dir.path, 'caps'));
  });
  afterAll(async () => {
    await served?.stop();
    await lean?.close();
    dir?.cleanup();
  });

  it('64 concurrent first calls over two workers: one token request', async () => {
    served = await startReplica(
      [
        join(dir.path, 'caps'),
        '--workers',
        '2',
        '--upstream',
        `https://auth.leantech.me=${lean.authUrl}`,
        '--upstream',
        `https://api2.leantech.me=${lean.apiUrl}`,
        '--token-provider',
        TOKEN_PROVIDER_FLAG,
      ],
      { LEAN_CLIENT_ID: SANDBOX_CLIENT_ID, LEAN_CLIENT_SECRET: SANDBOX_CLIENT_SECRET },
      { cluster: true },
    );
    const control = served.control;
    const rest = await waitFor(async () => {
      const ready = (await (await fetch(`${control}/health/ready`)).json()) as { state: string; listeners: { kind: string; url: string }[] };
      return ready.state === 'ready' ? ready.listeners.find((l) => l.kind === 'rest')?.url : undefined;
    }, 20_000, 'both workers ready');
    lean.clearJournal();
    const answers = await Promise.all(Array.from({ length: 64 }, () => fetch(`${rest}/v1/banks`, { headers: { connection: 'close' } }).then((r) => r.status)));
    expect(answers.filter((s) => s !== 200)).toEqual([]);
    expect(lean.journal.filter((e) => e.path === '/oauth2/token')).toHaveLength(1);
    const metrics = await (await fetch(`${control}/metrics`)).text();
    const outcome = (name: string) =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith(`runtime_token_store_total{outcome="${name}"`))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(outcome('minted')).toBe(1);
    expect(outcome('shared')).toBe(1);
    expect(outcome('local')).toBe(0);
  }, 60_000);
});
