/** Paths the tests share: the repository root and the public data in ../shared. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = resolve(repoRoot, '../shared');
export const leanCapabilitiesDir = resolve(sharedDir, 'lean/capabilities');
export const corpusDir = resolve(sharedDir, 'corpus/apis-io');
export const seedCapability = resolve(repoRoot, 'capabilities/authentication-tokens.yaml');

/** `../shared` is public data beside the checkout (present in CI); a fresh clone may not have it. */
export const hasShared = existsSync(leanCapabilitiesDir);
export function sharedSkipReason(): string {
  return `../shared not found at ${sharedDir}: tests that read the Lean capabilities and the corpus are skipped`;
}

/** Every .yaml/.yml file under `dir`, recursively, in a stable (sorted) order. */
export function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? yamlFilesUnder(path) : /\.ya?ml$/.test(name) ? [path] : [];
    });
}
