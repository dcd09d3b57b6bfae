/**
 * Watches capability files and folders (and the env file) and calls back once
 * things settle. Uses fs.watch (recursive on folders, Node ≥ 20 on Linux): a
 * watched file is watched through its folder, so editors that save by
 * rename-and-replace keep being seen. Events are debounced; the Gateway's
 * reload compares file versions itself, so a spurious event costs one re-read.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from './logger.js';

/**
 * Files editors write next to the one being edited (swap, backup, lock and
 * probe files): never capability files, and editing one file writes several
 * of them, so they must not trigger reloads. Dot files are skipped by the
 * loader anyway (vim's `.x.yaml.swp`, emacs' `.#x.yaml`).
 */
export function isEditorScratch(name: string): boolean {
  return (
    name.startsWith('.') || // .x.yaml.swp, .#x.yaml (emacs lock), .DS_Store
    name.endsWith('~') || // x.yaml~ (emacs, vim backups)
    /\.(sw[a-p]|swx|bak|orig|tmp|crswap)$/i.test(name) || // vim swap files, backups, atomic-save temporaries
    /^#.*#$/.test(name) || // #x.yaml# (emacs auto-save)
    name === '4913' // vim's probe file
  );
}

export interface WatchOptions {
  debounceMs?: number;
  logger?: Logger;
}

export class FileWatcher {
  private readonly watchers: FSWatcher[] = [];
  private timer?: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly onChange: () => void,
    private readonly options: WatchOptions,
  ) {}

  static async start(paths: readonly string[], onChange: () => void, options: WatchOptions = {}): Promise<FileWatcher> {
    const watcher = new FileWatcher(onChange, options);
    // Folders are watched recursively; files through their folder, filtered by name.
    const folders = new Set<string>();
    const files = new Map<string, Set<string>>();
    for (const path of paths) {
      const full = resolve(path);
      const info = await stat(full).catch(() => undefined);
      if (info?.isDirectory()) folders.add(full);
      else {
        const dir = dirname(full);
        const names = files.get(dir) ?? new Set<string>();
        names.add(basename(full));
        files.set(dir, names);
      }
    }
    for (const folder of folders) watcher.add(folder, true);
    for (const [dir, names] of files) {
      if (folders.has(dir)) continue;
      watcher.add(dir, false, names);
    }
    return watcher;
  }

  private add(path: string, recursive: boolean, names?: Set<string>): void {
    try {
      const w = watch(path, { recursive, persistent: false }, (_event, filename) => {
        if (names && filename && !names.has(basename(String(filename)))) return;
        if (filename && isEditorScratch(basename(String(filename)))) {
          this.options.logger?.debug({ file: String(filename) }, 'file watcher: editor scratch file ignored');
          return;
        }
        this.schedule();
      });
      w.on('error', (error) => this.options.logger?.warn({ path, err: error.message }, 'file watcher error'));
      this.watchers.push(w);
    } catch (error) {
      this.options.logger?.warn({ path, err: (error as Error).message }, `cannot watch ${path}`);
    }
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.onChange();
    }, this.options.debounceMs ?? 150);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
  }
}
