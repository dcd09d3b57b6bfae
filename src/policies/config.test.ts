import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_POLICIES, normalizeOrigin, parsePolicies, PolicyConfigError } from './config.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes runtime.yaml and parses its `policies:` the way the CLI does. */
function fromFile(yaml: string, flags = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'policies-'));
  dirs.push(dir);
  const file = join(dir, 'runtime.yaml');
  writeFileSync(file, yaml);
  return parsePolicies((parse(yaml) as { policies?: unknown } | null)?.policies, { file }, flags);
}

function errorOf(run: () => unknown): PolicyConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return error as PolicyConfigError;
  }
  throw new Error('expected a PolicyConfigError');
}

describe('parsePolicies', () => {
  it('has the agreed defaults when the section is absent', () => {
    const policies = parsePolicies(undefined);
    expect(policies.for('any', 'op')).toEqual(DEFAULT_POLICIES);
    expect(policies.anyEnabled('rateLimit')).toBe(false);
    expect(policies.anyEnabled('retry')).toBe(true);
  });

  it('reads every policy section and the overrides; a later, more specific match wins', () => {
    const policies = fromFile(`
policies:
  retry: { maxAttempts: 4 }
  rateLimit: { requestsPerSecond: 5, burst: 10 }
  cors: { origins: [https://app.example.com] }
  overrides:
    - match: { adapter: pay, operation: create }
      retry: { enabled: false }
    - match: { adapter: pay }
      retry: { maxAttempts: 2, baseDelayMs: 50 }
      rateLimit: { key: global }
    - match: { adapter: pay }
      retry: { maxAttempts: 5 }
    - match: { adapter: pay, operation: create }
      rateLimit: { requestsPerSecond: 1 }
`);
    const other = policies.for('other', 'x');
    expect(other.retry).toMatchObject({ enabled: true, maxAttempts: 4, baseDelayMs: 100 });
    expect(other.rateLimit).toEqual({ enabled: true, requestsPerSecond: 5, burst: 10, key: 'caller', per: 'adapter' });
    expect(other.cors).toMatchObject({ enabled: true, origins: ['https://app.example.com'], credentials: false });
    const list = policies.for('pay', 'list');
    expect(list.retry).toMatchObject({ enabled: true, maxAttempts: 5, baseDelayMs: 50 });
    expect(list.rateLimit).toMatchObject({ key: 'global', per: 'adapter', requestsPerSecond: 5 });
    const create = policies.for('pay', 'create');
    // the operation match wins over the adapter matches even though one adapter match comes later in the file
    expect(create.retry).toMatchObject({ enabled: false, maxAttempts: 5 });
    // an operation's own limit is its own bucket
    expect(create.rateLimit).toMatchObject({ requestsPerSecond: 1, key: 'global', per: 'operation' });
    expect(Object.isFrozen(create.retry)).toBe(true);
    expect(policies.for('pay', 'create')).toBe(create); // memoised
  });

  it('a section written without `enabled` turns its policy on; `enabled: false` or `false` turns it off', () => {
    const p = fromFile('policies:\n  cache: { ttlMs: 1000 }\n  circuitBreaker: false\n  retry:\n');
    expect(p.for('a').cache).toMatchObject({ enabled: true, ttlMs: 1000 });
    expect(p.for('a').circuitBreaker.enabled).toBe(false);
    expect(p.for('a').retry.enabled).toBe(true);
    const q = fromFile('policies:\n  overrides:\n    - match: { adapter: a }\n      rateLimit: { burst: 3 }\n');
    expect(q.anyEnabled('rateLimit')).toBe(true);
    expect(q.for('a').rateLimit).toMatchObject({ enabled: true, burst: 3 });
    expect(q.for('b').rateLimit.enabled).toBe(false);
  });

  it('points at the file and line of a wrong key or value', () => {
    const typo = errorOf(() => fromFile('host: 127.0.0.1\npolicies:\n  rateLimit:\n    requestsPerSecnd: 5\n'));
    expect(typo.message).toMatch(/runtime\.yaml:4:5: policies\.rateLimit\.requestsPerSecnd is not a rateLimit setting/);
    expect(typo.line).toBe(4);
    const value = errorOf(() => fromFile('policies:\n  retry:\n    maxAttempts: 0\n'));
    expect(value.message).toMatch(/runtime\.yaml:3:5: policies\.retry\.maxAttempts must be a whole number ≥ 1, got 0/);
    const unknown = errorOf(() => fromFile('policies:\n  ratelimit: {}\n'));
    expect(unknown.message).toMatch(/:2:3: policies\.ratelimit is not a policy \(did you mean `rateLimit`\?\)/);
    const match = errorOf(() => fromFile('policies:\n  overrides:\n    - retry: { enabled: false }\n'));
    expect(match.message).toMatch(/:3:7: policies\.overrides\[0\]\.match is required/);
    const noChange = errorOf(() => fromFile('policies:\n  overrides:\n    - match: { adapter: a }\n'));
    expect(noChange.message).toMatch(/overrides\[0\] changes no policy/);
    const enumValue = errorOf(() => fromFile('policies:\n  rateLimit: { key: ip }\n'));
    expect(enumValue.message).toMatch(/:2:16: policies\.rateLimit\.key must be one of caller, global, got "ip"/);
    const notMap = errorOf(() => fromFile('policies: [retry]\n'));
    expect(notMap.message).toMatch(/:1:1: policies must be a mapping/);
  });

  it('refuses CORS `*` with credentials, origins with a path, and bad methods', () => {
    expect(errorOf(() => fromFile('policies:\n  cors: { origins: ["*"], credentials: true }\n')).message).toMatch(/cors\.origins cannot be `\*` when `credentials: true`/);
    expect(errorOf(() => fromFile('policies:\n  cors:\n    origins:\n      - https://ok.example\n      - https://app.example.com/path\n')).message).toMatch(
      /:5:9: policies\.cors\.origins\[1\] must be `\*` or an origin/,
    );
    expect(errorOf(() => fromFile('policies:\n  cors: { methods: [GET, "PO ST"] }\n')).message).toMatch(/cors\.methods\[1\] must be an HTTP method/);
    expect(errorOf(() => fromFile('policies:\n  overrides:\n    - match: { adapter: a }\n      cors: { origins: ["*"], credentials: true }\n')).message).toMatch(/overrides\[0\]\.cors\.origins cannot be/);
  });

  it('flags/env replace the file defaults; overrides stay more specific', () => {
    const p = fromFile('policies:\n  rateLimit: { requestsPerSecond: 50, enabled: false }\n  overrides:\n    - match: { adapter: slow }\n      rateLimit: { requestsPerSecond: 1, burst: 1 }\n', {
      rateLimit: '10',
      corsOrigins: ['https://a.example, https://B.example:443'],
      retry: 'off',
      cache: 'on',
    });
    expect(p.for('x').rateLimit).toMatchObject({ enabled: true, requestsPerSecond: 10, burst: 20 });
    expect(p.for('slow').rateLimit).toMatchObject({ enabled: true, requestsPerSecond: 1, burst: 1 });
    expect(p.for('x').cors).toMatchObject({ enabled: true, origins: ['https://a.example', 'https://b.example'] });
    expect(p.for('x').retry.enabled).toBe(false);
    expect(p.for('x').cache.enabled).toBe(true);
    expect(parsePolicies(undefined, {}, { rateLimit: '4', rateLimitBurst: '1' }).for('x').rateLimit).toMatchObject({ requestsPerSecond: 4, burst: 1 });
    expect(parsePolicies(undefined, {}, { rateLimit: 'off' }).for('x').rateLimit.enabled).toBe(false);
    expect(errorOf(() => parsePolicies(undefined, {}, { rateLimit: 'fast' })).message).toMatch(/--rate-limit must be requests per second/);
    expect(errorOf(() => parsePolicies(undefined, {}, { circuitBreaker: 'maybe' })).message).toMatch(/--circuit-breaker must be on or off/);
    expect(errorOf(() => parsePolicies(undefined, {}, { corsOrigins: ['ftp://x'] })).message).toMatch(/--cors-origin must be/);
  });

  it('normalises origins', () => {
    expect(normalizeOrigin('https://App.Example.com:443')).toBe('https://app.example.com');
    expect(normalizeOrigin('http://localhost:5173/')).toBe('http://localhost:5173');
    expect(normalizeOrigin('*')).toBe('*');
    expect(normalizeOrigin('https://user:pw@x.example')).toBeUndefined();
    expect(normalizeOrigin('https://x.example/a')).toBeUndefined();
    expect(normalizeOrigin('x.example')).toBeUndefined();
  });
});
