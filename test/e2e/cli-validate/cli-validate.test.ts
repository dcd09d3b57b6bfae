/**
 * `runtime validate` as an operator meets it: the built CLI in a child process,
 * exit codes, one located error per real problem, and the three output formats.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hasShared, leanCapabilitiesDir, repoRoot, seedCapability } from '../../helpers/paths.js';

const run = promisify(execFile);
const bin = resolve(repoRoot, 'bin/runtime.js');
const broken = resolve(import.meta.dirname, 'broken.yaml');
const malformed = resolve(import.meta.dirname, 'malformed.yaml');

async function validate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'validate', ...args], { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('runtime validate', () => {
  it('exits 0 on the bundled capabilities', async () => {
    const { code, stdout } = await validate('capabilities');
    expect(code).toBe(0);
    expect(stdout).toMatch(/0 error\(s\)/);
  });

  it.skipIf(!hasShared)('exits 0 on the 19 Lean capabilities', async () => {
    expect((await validate(leanCapabilitiesDir)).code).toBe(0);
  });

  it('reports one located error per problem with a code frame and a hint, and exits 1', async () => {
    const { code, stdout } = await validate(broken);
    expect(code).toBe(1);
    expect(stdout).toContain('broken.yaml:17:9 error schema-unknown-key: unknown key `outputParameter`');
    expect(stdout).toContain('hint: did you mean `outputParameters`?');
    expect(stdout).toContain('  > 17 |         outputParameter:');
    expect(stdout).toContain('broken.yaml:22:13 error schema-unsupported: authentication type `hmac` is not supported');
    expect(stdout).toMatch(/broken\.yaml:33:15 error call-target-unresolved: .*`things\.getThin`/);
    expect(stdout).toContain('3 error(s)');
  });

  it('locates YAML syntax errors', async () => {
    const { code, stdout } = await validate(malformed);
    expect(code).toBe(1);
    expect(stdout).toMatch(/malformed\.yaml:\d+:\d+ error yaml-syntax/);
  });

  it('prints json for tools and annotations for GitHub', async () => {
    const json = await validate('--format', 'json', broken);
    const report = JSON.parse(json.stdout) as { errors: number; diagnostics: { code: string; position: { line: number } }[] };
    expect(report.errors).toBe(3);
    expect(report.diagnostics.find((d) => d.code === 'schema-unsupported')?.position.line).toBe(22);
    const github = await validate('--format', 'github', broken);
    expect(github.stdout).toMatch(/^::error file=.*broken\.yaml,line=17,col=9,title=schema-unknown-key::/m);
  });

  it('hides infos unless --verbose', async () => {
    const quiet = await validate(broken);
    expect(quiet.stdout).not.toContain(' info ');
    expect(quiet.stdout).toMatch(/info\(s\) hidden \(--verbose shows them\)/);
    const verbose = await validate('--verbose', broken);
    expect(verbose.stdout).toMatch(/broken\.yaml:\d+:\d+ info description-missing/);
  });

  it('validates large sets in worker threads with the same verdicts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-many-'));
    try {
      for (let i = 0; i < 70; i++) copyFileSync(broken, join(dir, `broken-${String(i).padStart(2, '0')}.yaml`));
      const { code, stdout } = await validate('--format', 'json', dir);
      expect(code).toBe(1);
      const report = JSON.parse(stdout) as { files: number; errors: number; diagnostics: { file: string; severity: string; message: string; position?: { line: number } }[] };
      expect(report.files).toBe(70);
      // Per file: the same 3 errors in every copy. The copies also clash with one another
      // on their shared ports (what serve would refuse): reported "also declared at …".
      const perFile = report.diagnostics.filter((d) => d.severity === 'error' && !d.message.includes('also declared at'));
      expect(perFile).toHaveLength(70 * 3);
      expect(new Set(report.diagnostics.map((d) => d.file)).size).toBe(70);
      expect(report.diagnostics.every((d) => d.position !== undefined && d.position.line > 0)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the cross-file checks serve runs: two folders with the same route fail', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'validate-a-')), mkdtempSync(join(tmpdir(), 'validate-b-'))];
    try {
      for (const dir of dirs) copyFileSync(seedCapability, join(dir, 'seed.yaml'));
      const { code, stdout } = await validate(...dirs);
      expect(code).toBe(1);
      expect(stdout).toMatch(/error rest-route-duplicate: Route POST .* is declared twice on port 8080 \(also declared at /);
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('places cross-file conflicts in worker runs exactly as in-process runs (positions lent by the workers)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-clash-'));
    try {
      const files = Array.from({ length: 70 }, (_, i) => join(dir, `seed-${String(i).padStart(2, '0')}.yaml`));
      for (const file of files) copyFileSync(seedCapability, file);
      type Report = { diagnostics: { file: string; code: string; pointer: string; message: string; position?: { line: number; column: number } }[] };
      const clashesOf = (stdout: string) =>
        (JSON.parse(stdout) as Report).diagnostics.filter((d) => d.file === files[1] && d.message.includes('also declared at')).map(({ code, pointer, message, position }) => ({ code, pointer, message, position }));
      const inWorkers = clashesOf((await validate('--format', 'json', dir)).stdout);
      const inProcess = clashesOf((await validate('--format', 'json', files[0]!, files[1]!)).stdout);
      expect(inWorkers.length).toBeGreaterThan(0);
      expect(inWorkers.every((d) => d.position !== undefined && d.position.line > 0)).toBe(true);
      expect(inWorkers).toEqual(inProcess);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails on a folder without capability files, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-empty-'));
    try {
      const { code, stdout } = await validate(dir);
      expect(code).not.toBe(0);
      expect(stdout).toContain(`The folder ${dir} holds no capability file`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 when a path does not exist', async () => {
    expect((await validate('/no/such/capabilities')).code).toBe(2);
  });

  it('rejects the dialect in --strict mode', async () => {
    const { code, stdout } = await validate('--strict', seedCapability);
    expect(code).toBe(1);
    expect(stdout).toContain('schema-dialect');
  });
});
