/**
 * Issue 11 item 9 and the Low item on files: what lands in a served folder is
 * read unattended, so a FIFO named `*.yaml` must not wedge startup, reload or
 * shutdown; a symbolic link out of the folder is refused; a file over the size
 * limit is refused before it is read; a file that is no capability document is
 * never quoted back; editor scratch files do not trigger reloads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/engine/redact.js';
import { FileWatcher, isEditorScratch } from '../../../src/server/watch.js';
import { createLogger } from '../../../src/server/logger.js';
import { StartupError } from '../../../src/server/gateway.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime } from '../../helpers/runtime.js';
import { capabilityYaml, tempDir, type TempDir } from '../ops-helpers/fixtures.js';

/** Text that must never be quoted back: it stands for /etc/passwd, a .env file… */
const PRIVATE = 'PRIVATE-CONTENT-q8w7e6';

describe('files in a served folder', () => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  let outside: string;
  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dir = tempDir('security-files-');
    dir.write('good.yaml', capabilityYaml({ name: 'good' }));
    outside = mkdtempSync(join(tmpdir(), 'security-outside-'));
  });
  afterAll(async () => {
    await upstream?.close();
    dir?.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  it('a FIFO named *.yaml is skipped: startup, reload and shutdown complete', async () => {
    execFileSync('mkfifo', [join(dir.path, 'pipe.yaml')]);
    try {
      const rt = await startTestRuntime({ paths: [dir.path], upstream: { good: upstream.url } });
      const warning = rt.runtime.diagnostics.find((d) => d.code === 'file-not-regular');
      expect(warning?.message).toContain('pipe.yaml');
      expect((await fetch(`${rt.restUrl}/v1/good/items`)).status).toBe(200);
      const reload = await rt.runtime.reload();
      expect(reload.result).not.toBe('rejected');
      await rt.close();
    } finally {
      dir.remove('pipe.yaml');
    }
  });

  it('a symbolic link to a file outside the folder is refused, and its content never shown', async () => {
    const target = join(outside, 'passwd');
    writeFileSync(target, `root:x:0:0:${PRIVATE}:/root:/bin/bash\n`);
    symlinkSync(target, join(dir.path, 'evil.yaml'));
    try {
      const failure = await startTestRuntime({ paths: [dir.path], upstream: { good: upstream.url } }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StartupError);
      const diagnostic = (failure as StartupError).diagnostics.find((d) => d.code === 'file-outside-folder');
      expect(diagnostic?.message).toContain('evil.yaml');
      expect(JSON.stringify((failure as StartupError).diagnostics)).not.toContain(PRIVATE);
      // --skip-invalid: the rest is served, the link still is not read.
      const rt = await startTestRuntime({ paths: [dir.path], upstream: { good: upstream.url }, skipInvalid: true });
      expect((await fetch(`${rt.restUrl}/v1/good/items`)).status).toBe(200);
      await rt.runtime.reload();
      for (const line of rt.logs) expect(line).not.toContain(PRIVATE);
      await rt.close();
    } finally {
      dir.remove('evil.yaml');
    }
  });

  it('a symbolic link inside the folder is served', async () => {
    const inner = dir.write('sub/real.yaml', capabilityYaml({ name: 'linked', routes: ['/v1/linked'], tools: ['linked-list'] }));
    symlinkSync(inner, join(dir.path, 'alias.yml'));
    try {
      const rt = await startTestRuntime({ paths: [join(dir.path, 'alias.yml')], upstream: { linked: upstream.url } });
      expect((await fetch(`${rt.restUrl}/v1/linked`)).status).toBe(200);
      await rt.close();
    } finally {
      dir.remove('alias.yml');
      dir.remove('sub/real.yaml');
    }
  });

  it('a file that is no capability document is refused without quoting it', async () => {
    dir.write('notes.yaml', `${PRIVATE} is the admin password\n`);
    dir.write('compose.yaml', `services:\n  db:\n    environment:\n      PASSWORD: ${PRIVATE}\n`);
    try {
      const failure = (await startTestRuntime({ paths: [dir.path], upstream: { good: upstream.url } }).catch((error: unknown) => error)) as StartupError;
      expect(failure).toBeInstanceOf(StartupError);
      const codes = failure.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
      expect(codes).toEqual(expect.arrayContaining(['document-not-object', 'document-not-capability']));
      expect(JSON.stringify(failure.diagnostics)).not.toContain(PRIVATE);
      // No position either, so no code frame quotes a line of them.
      for (const d of failure.diagnostics.filter((x) => /notes|compose/.test(x.file))) expect(d.position, d.code).toBeUndefined();
    } finally {
      dir.remove('notes.yaml');
      dir.remove('compose.yaml');
    }
  });

  // TODO(security): enable once the Gateway reads files through readCapabilityText (gateway.ts is being split).
  it.skip('a file over the size limit is refused before it is read', async () => {
    const big = `# ${'x'.repeat(1024 * 1024)}\n${capabilityYaml({ name: 'big' })}`;
    dir.write('big.yaml', big);
    try {
      const failure = (await startTestRuntime({ paths: [dir.path], upstream: { good: upstream.url } }).catch((error: unknown) => error)) as StartupError;
      expect(failure).toBeInstanceOf(StartupError);
      const diagnostic = failure.diagnostics.find((d) => d.code === 'file-too-large');
      expect(diagnostic?.message).toMatch(/big\.yaml is 1\.0 MiB, over the 1\.0 MiB limit/);
      expect(diagnostic?.message).toContain('--max-file-size');
    } finally {
      dir.remove('big.yaml');
    }
  });
});

describe('file watcher', () => {
  it('recognises editor swap, backup and lock files', () => {
    for (const name of ['.x.yaml.swp', '.x.yaml.swo', 'x.yaml~', '.#x.yaml', '#x.yaml#', '4913', 'x.yaml.bak', 'x.yaml.tmp']) expect(isEditorScratch(name), name).toBe(true);
    for (const name of ['x.yaml', 'x.yml', 'secrets.env', 'sub']) expect(isEditorScratch(name), name).toBe(false);
  });

  it('ignores scratch files written next to capability files, and still sees the real save', async () => {
    const dir = tempDir('security-watch-');
    const staging = mkdtempSync(join(tmpdir(), 'security-staging-'));
    const lines: string[] = [];
    let notify: () => void = () => {};
    const logger = createLogger({
      level: 'debug',
      redactor: new Redactor(),
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          notify();
          done();
        },
      }),
    });
    const waitFor = (check: () => boolean) =>
      new Promise<void>((resolve) => {
        notify = () => check() && resolve();
        notify();
      });
    let changes = 0;
    let changed: () => void = () => {};
    const watcher = await FileWatcher.start([dir.path], () => {
      changes++;
      changed();
    }, { debounceMs: 0, logger });
    try {
      const scratch = ['.x.yaml.swp', 'x.yaml~', '.#x.yaml', '4913'];
      for (const name of scratch) writeFileSync(join(dir.path, name), 'scratch');
      await waitFor(() => scratch.every((name) => lines.some((l) => l.includes('scratch file ignored') && l.includes(name))));
      expect(changes).toBe(0);
      // The real save: one atomic rename into place.
      writeFileSync(join(staging, 'x.yaml'), 'naftiko: 1.0.0-alpha2\n');
      const saved = new Promise<void>((resolve) => (changed = resolve));
      renameSync(join(staging, 'x.yaml'), join(dir.path, 'x.yaml'));
      await saved;
      expect(changes).toBeGreaterThanOrEqual(1);
    } finally {
      watcher.close();
      dir.cleanup();
      rmSync(staging, { recursive: true, force: true });
    }
  });
});
