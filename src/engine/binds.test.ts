import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Capability } from '../capability/model.js';
import { BindScope, bindFilePath, parseDotenv } from './binds.js';
import { ConfigError } from './errors.js';
import { Redactor } from './redact.js';

const loc = { file: 'c.yaml', pointer: '' };
function scope(dir: string, binds: { namespace: string; location?: string; keys: Record<string, string> }[], env: Record<string, string> = {}) {
  const capability = { dir, binds: binds.map((b) => ({ ...b, keyLocs: {}, loc })) } as unknown as Capability;
  return new BindScope(capability, { env, providers: new Map(), redactor: new Redactor() });
}

describe('binds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'binds-'));
  writeFileSync(join(dir, 'a.json'), '{"k": "json-value", "n": 42, "deep": {"x": "y"}}');
  writeFileSync(join(dir, 'a.yml'), 'k: yaml-value\n');
  writeFileSync(join(dir, 'plain'), '{"k": "sniffed-json"}');
  writeFileSync(join(dir, '.env'), 'export K="dot env"\n# comment\nOTHER=1 # trailing\n');

  it('reads JSON, YAML, extensionless JSON and dotenv files relative to the capability folder', async () => {
    const s = scope(dir, [
      { namespace: 'j', location: 'file:///./a.json', keys: { J: 'k', N: 'n', D: 'deep.x' } },
      { namespace: 'y', location: 'file://./a.yml', keys: { Y: 'k' } },
      { namespace: 'p', location: 'file://plain', keys: { P: 'k' } },
      { namespace: 'e', location: `file://${join(dir, '.env')}`, keys: { E: 'K', O: 'OTHER' } },
    ]);
    expect(Object.fromEntries(await s.values(['J', 'N', 'D', 'Y', 'P', 'E', 'O']))).toEqual({ J: 'json-value', N: '42', D: 'y', Y: 'yaml-value', P: 'sniffed-json', E: 'dot env', O: '1' });
    expect(s.missing).toEqual([]);
  });

  it('names the missing key (BindingResolverTest) and the unsupported scheme', async () => {
    const s = scope(dir, [
      { namespace: 'j', location: 'file:///./a.json', keys: { GONE: 'nope' } },
      { namespace: 'v', location: 'vault://secret/x', keys: { V: 'token' } },
      { namespace: 'env', keys: { ENVV: 'NOT_SET' } },
    ]);
    await expect(s.values(['GONE'])).rejects.toThrow('set key `nope` in file:///./a.json');
    await expect(s.values(['V'])).rejects.toThrow(ConfigError);
    await expect(s.values(['V'])).rejects.toThrow('uses the `vault://` scheme, which this runtime does not support');
    await expect(s.values(['ENVV'])).rejects.toThrow('set the environment variable `NOT_SET`');
    expect(s.problems.map((p) => p.message)).toEqual([expect.stringContaining('`vault://` scheme')]);
  });

  it('qualified and plain names', () => {
    const s = scope(dir, [{ namespace: 'registry', keys: { TOKEN: 'T' } }], { T: 'x' });
    expect([s.variableFor('TOKEN'), s.variableFor('env.TOKEN'), s.variableFor('registry.TOKEN'), s.variableFor('other.TOKEN')]).toEqual(['TOKEN', 'TOKEN', 'TOKEN', undefined]);
  });

  it('file paths and dotenv parsing', () => {
    expect(bindFilePath('file:///./s.yaml', '/cap')).toBe('/cap/s.yaml');
    expect(bindFilePath('file://../s.yaml', '/cap/x')).toBe('/cap/s.yaml');
    expect(bindFilePath('file:///etc/s.yaml', '/cap')).toBe('/etc/s.yaml');
    expect(parseDotenv("A='x y'\nB=\"l1\\nl2\"")).toEqual({ A: 'x y', B: 'l1\nl2' });
  });

  it('dotenv: multi-line quoted values, backticks, comments, export, CRLF (Node parseEnv)', () => {
    const text = [
      '# a comment',
      'export PLAIN=value # trailing comment',
      'SPACED =  padded  ',
      'EMPTY=',
      "SINGLE='no \\n expansion'",
      'DOUBLE="hash # inside"',
      'BACKTICK=`it\'s "both"`',
      'PEM="-----BEGIN KEY-----',
      'line2',
      '-----END KEY-----"',
      "MULTI_SINGLE='a",
      "b'",
      'EQUALS=a=b=c',
      'DOTTED.name-x=ok',
      'AFTER=still read',
    ].join('\r\n');
    expect(parseDotenv(text)).toEqual({
      PLAIN: 'value',
      SPACED: 'padded',
      EMPTY: '',
      SINGLE: 'no \\n expansion',
      DOUBLE: 'hash # inside',
      BACKTICK: `it's "both"`,
      PEM: '-----BEGIN KEY-----\nline2\n-----END KEY-----',
      MULTI_SINGLE: 'a\nb',
      EQUALS: 'a=b=c',
      'DOTTED.name-x': 'ok',
      AFTER: 'still read',
    });
  });

  it('dotenv: a __proto__ line never changes the prototype', () => {
    const parsed = parseDotenv('__proto__=x\nA=1');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(parsed.A).toBe('1');
  });
});
