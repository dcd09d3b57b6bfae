/**
 * A folder laid out and updated the way the kubelet updates a mounted
 * ConfigMap (its "atomic writer"):
 *
 *   banks.yaml -> ..data/banks.yaml          (one symlink per key, made once)
 *   ..data -> ..2026_12_06_03_00_00.000001   (swapped atomically on update)
 *   ..2026_12_06_03_00_00.000001/banks.yaml  (the real files, a new folder per version)
 *
 * An update writes a new timestamped folder, points `..data_tmp` at it,
 * renames `..data_tmp` over `..data` (the atomic step), adds symlinks for new
 * keys, removes those of deleted keys, then deletes the old folder.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class ConfigMapVolume {
  private version = 0;
  private current?: string;
  private keys = new Set<string>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Publishes a new version of the ConfigMap: exactly these keys and contents. */
  update(files: Record<string, string>): void {
    this.version += 1;
    const stamp = new Date().toISOString().replace(/[-:T]/g, '_').replace(/\..*/, '');
    const folder = `..${stamp}.${String(this.version).padStart(9, '0')}`;
    mkdirSync(join(this.dir, folder));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(this.dir, folder, name), text);
    symlinkSync(folder, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    const next = new Set(Object.keys(files));
    for (const key of next) if (!this.keys.has(key)) symlinkSync(join('..data', key), join(this.dir, key));
    for (const key of this.keys) if (!next.has(key)) unlinkSync(join(this.dir, key));
    if (this.current) rmSync(join(this.dir, this.current), { recursive: true, force: true });
    this.current = folder;
    this.keys = next;
  }
}
