/**
 * The Lean environment profiles in examples/: each reads as a runtime.yaml
 * through the CLI's own config resolution, moves the auth and API hosts
 * together (never one alone), and points the token provider at the auth host
 * of the same region and environment.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../../src/cli/config.js';
import { tokenProvidersFromConfig } from '../../../src/engine/tokens/index.js';
import { repoRoot } from '../../helpers/paths.js';

const examples = join(repoRoot, 'examples');
const EXPECTED: Record<string, { auth: string; api: string }> = {
  'runtime.uae-production.yaml': { auth: 'https://auth.leantech.me', api: 'https://api2.leantech.me' },
  'runtime.uae-sandbox.yaml': { auth: 'https://auth.sandbox.leantech.me', api: 'https://sandbox.leantech.me' },
  'runtime.ksa-production.yaml': { auth: 'https://auth.sa.leantech.me', api: 'https://api2.sa.leantech.me' },
  'runtime.ksa-sandbox.yaml': { auth: 'https://auth.sandbox.sa.leantech.me', api: 'https://sandbox.sa.leantech.me' },
  'runtime.local-sandbox.yaml': { auth: 'http://127.0.0.1:4010', api: 'http://127.0.0.1:4011' },
};

describe('Lean environment profiles (examples/runtime.*.yaml)', () => {
  it('ships one profile per region × environment, plus the local sandbox', () => {
    expect(readdirSync(examples).filter((f) => /^runtime\..+\.yaml$/.test(f)).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, hosts] of Object.entries(EXPECTED)) {
    it(`${file}: both hosts move together and the token provider follows`, () => {
      const config = resolveServeConfig({ config: join(examples, file) }, {}, [], repoRoot);
      const rewrite = (base: string) => config.upstreams.rewrite('any', base);
      expect(rewrite('https://auth.leantech.me')).toBe(hosts.auth);
      expect(rewrite('https://api2.leantech.me')).toBe(hosts.api);
      expect(config.upstreams.size === 0 || config.upstreams.size === 2).toBe(true);

      const providers = tokenProvidersFromConfig(config.tokenProviders).create({ routes: config.upstreams, env: {} });
      const summary = providers.summary();
      expect(summary.map((s) => s.variable)).toEqual(['LEAN_API_TOKEN']);
      expect(summary[0]!.tokenUrl).toBe(`${hosts.auth}/oauth2/token`);
      expect(summary[0]!.missing).toEqual(['environment variable LEAN_CLIENT_ID', 'environment variable LEAN_CLIENT_SECRET']);
      expect(providers.provider('LEAN_API_TOKEN')!.spec).toMatchObject({ scope: 'api', auth: 'post' });
      void providers.close();
    });
  }
});
