/**
 * The `yaml` package, loaded on first use: importing it costs ~50 ms of CPU at
 * startup, and `serve` needs it only for a runtime.yaml, a YAML bind file or a
 * diagnostic's exact position. Under Node, `import` and `require` of `yaml`
 * both resolve to its CommonJS build, so this is the same module instance.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

const requireCjs = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;

export function yamlModule(): typeof Yaml {
  loaded ??= requireCjs('yaml') as typeof Yaml;
  return loaded;
}
