/**
 * Hot reload of capability files mounted from a Kubernetes ConfigMap: the
 * kubelet never edits a file in place, it swaps the `..data` symlink to a new
 * timestamped folder (see deploy-helpers/configmap.ts). The real FileWatcher
 * (src/server/watch.ts) must see that swap, and the Gateway must load the
 * files through their in-folder symlinks (key → ..data/key → ..<stamp>/key)
 * and never the hidden `..` folders themselves (which would load every file
 * twice). Symlinks that stay inside the watched folder must keep working
 * whatever the watcher refuses (e.g. links leading outside the folder).
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileWatcher } from '../../../src/server/watch.js';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { ConfigMapVolume } from '../deploy-helpers/configmap.js';
import { scratch, type Scratch } from '../deploy-helpers/services.js';
import { capabilityYaml, waitFor } from '../ops-helpers/fixtures.js';

describe('ConfigMap-mounted capabilities (kubelet symlink swap)', () => {
  let dir: Scratch;
  let volume: ConfigMapVolume;
  let upstream: EchoUpstream;
  let rt: TestRuntime;
  let watcher: FileWatcher;
  let changes = 0;
  let onChange: (() => void) | undefined;

  beforeAll(async () => {
    dir = scratch('configmap-');
    volume = new ConfigMapVolume(join(dir.path, 'capabilities'));
    volume.update({ 'alpha.yaml': capabilityYaml({ name: 'alpha' }) });
    upstream = await startEchoUpstream((req) => ({ body: { path: req.path } }));
    rt = await startTestRuntime({ paths: [volume.dir], restPort: 0, mcpPort: 0, allowUnmatchedUpstreams: true /* the beta override waits for a file a reload adds */, upstream: { alpha: upstream.url, beta: upstream.url } });
    watcher = await FileWatcher.start(
      [volume.dir],
      () => {
        changes++;
        onChange?.();
        void rt.runtime.reload();
      },
      { debounceMs: 100 },
    );
  });
  afterAll(async () => {
    watcher?.close();
    await rt?.close();
    await upstream?.close();
    dir?.cleanup();
  });

  const status = async (path: string) => (await fetch(`${rt.restUrl}${path}`)).status;
  const swapSeen = () => new Promise<void>((resolve) => (onChange = resolve));

  it('serves the files through the ConfigMap symlinks, each once', async () => {
    expect(lstatSync(join(volume.dir, 'alpha.yaml')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(volume.dir, '..data')).isSymbolicLink()).toBe(true);
    expect(rt.runtime.files.map((f) => f.file)).toEqual([join(volume.dir, 'alpha.yaml')]);
    expect(await status('/v1/alpha/items')).toBe(200);
  });

  it('the watcher sees a ConfigMap update (..data swapped) and the new version is served', async () => {
    const seen = swapSeen();
    volume.update({ 'alpha.yaml': capabilityYaml({ name: 'alpha', routes: ['/v1/alpha/items', '/v1/alpha/v2'] }) });
    await seen;
    await waitFor(async () => ((await status('/v1/alpha/v2')) === 200 ? true : undefined), 10_000, 'the updated file to be served');
    expect(await status('/v1/alpha/items')).toBe(200);
  });

  it('a key added to the ConfigMap is served; a key removed stops being served', async () => {
    let seen = swapSeen();
    volume.update({
      'alpha.yaml': capabilityYaml({ name: 'alpha', routes: ['/v1/alpha/items', '/v1/alpha/v2'] }),
      'beta.yaml': capabilityYaml({ name: 'beta' }),
    });
    await seen;
    await waitFor(async () => ((await status('/v1/beta/items')) === 200 ? true : undefined), 10_000, 'the added key');
    expect(rt.runtime.files.map((f) => f.file).sort()).toEqual([join(volume.dir, 'alpha.yaml'), join(volume.dir, 'beta.yaml')]);

    seen = swapSeen();
    volume.update({ 'alpha.yaml': capabilityYaml({ name: 'alpha' }) });
    await seen;
    await waitFor(async () => ((await status('/v1/beta/items')) === 404 && (await status('/v1/alpha/v2')) === 404 ? true : undefined), 10_000, 'the removed key');
    expect(await status('/v1/alpha/items')).toBe(200);
    expect(changes).toBeGreaterThanOrEqual(3);
  });

  it('a broken ConfigMap version keeps the previous one serving', async () => {
    const seen = swapSeen();
    volume.update({ 'alpha.yaml': 'naftiko: 1.0.0-alpha2\ncapability: [unclosed\n' });
    await seen;
    const result = await rt.runtime.reload();
    expect(['unchanged', 'applied']).toContain(result.result);
    expect(await status('/v1/alpha/items')).toBe(200);
    volume.update({ 'alpha.yaml': capabilityYaml({ name: 'alpha' }) });
  });
});
