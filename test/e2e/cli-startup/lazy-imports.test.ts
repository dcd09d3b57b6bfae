/**
 * What the CLI loads before it answers: `--version` must not pull in the server
 * graph, and a default `serve` must leave the optional features' libraries
 * (OAuth2's jose, the resource MIME database, yaml, OpenTelemetry's SDK, Redis,
 * the HTML and OpenAPI parsers…) to their first use. Each was once imported
 * eagerly and cost the cold start tens of milliseconds of CPU.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hasShared, leanCapabilitiesDir, repoRoot } from '../../helpers/paths.js';

const bin = resolve(repoRoot, 'bin/runtime.js');
const dir = mkdtempSync(join(tmpdir(), 'lazy-imports-'));
const log = join(dir, 'loaded.txt');
// Records every ES module loaded (hook thread) and, at exit, every CommonJS one.
const hooks = join(dir, 'hooks.mjs');
writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`);
const register = join(dir, 'register.mjs');
writeFileSync(
  register,
  `import { register, createRequire } from 'node:module';\nimport { appendFileSync } from 'node:fs';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\nconst cache = createRequire(import.meta.url).cache;\nprocess.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(cache).join('\\n') + '\\n'));\n`,
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI until it exits, or until `readyLine` appears on stdout (then SIGTERM); returns the packages and dist modules loaded. */
function loadedBy(args: string[], readyLine?: string): Promise<{ packages: Set<string>; modules: string[] }> {
  rmSync(log, { force: true });
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(register).href, bin, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += String(chunk);
      if (readyLine && out.includes(readyLine)) child.kill('SIGTERM');
    });
    child.once('error', fail);
    child.once('exit', () => {
      const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      const packages = new Set(urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p): p is string => p !== undefined));
      const modules = urls.map((u) => /\/dist\/(.+\.js)$/.exec(u)?.[1]).filter((m): m is string => m !== undefined);
      done({ packages, modules });
    });
  });
}

describe('lazy imports', () => {
  it('--version loads commander and the settings names, not the server', async () => {
    const { packages, modules } = await loadedBy(['--version']);
    expect([...packages]).toEqual(['commander']);
    expect(modules.filter((m) => m.startsWith('server/') || m.startsWith('capability/') || m.startsWith('exposes/'))).toEqual([]);
  });

  // The cold-start benchmark's files: their diagnostics need no exact YAML positions, so even yaml stays unloaded.
  it.skipIf(!hasShared)('a default serve leaves the optional libraries to their first use', async () => {
    const { packages } = await loadedBy(['serve', leanCapabilitiesDir, '--rest-port', '0', '--mcp-port', '0'], 'ready:');
    expect(packages.has('hono')).toBe(true); // it did serve
    const lazy = ['jose', 'mime-types', 'mime-db', 'yaml', 'undici', 'ioredis', 'cheerio', 'swagger-ui-dist', 'pino-pretty', '@apidevtools/swagger-parser', 'fast-xml-parser', 'mdast-util-from-markdown', '@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http'];
    expect(lazy.filter((p) => packages.has(p))).toEqual([]);
  });

  // The project's own folder: the seed, lean-tokens.yaml and the curated Lean pack, whose descriptions
  // hold Markdown bold (`**required**`) that once passed for YAML aliases and sent every file to the
  // positioned parser (a third of the pack's cold start).
  it('a serve of capabilities/ (the Lean pack) parses every file with the fast parser', async () => {
    const { packages } = await loadedBy(['serve', resolve(repoRoot, 'capabilities'), '--rest-port', '0', '--mcp-port', '0'], 'ready:');
    expect(packages.has('hono')).toBe(true);
    expect(packages.has('yaml')).toBe(false);
  });
});
