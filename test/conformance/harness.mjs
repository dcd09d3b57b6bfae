/**
 * Shared by the conformance runner (run.mjs, `npm run conformance`) and the
 * vitest test (conformance.test.ts): the static "media" upstream the fixture
 * tools call, and a run of the official MCP conformance suite against a URL.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const conformanceDir = dirname(fileURLToPath(import.meta.url));
export const capabilitiesDir = join(conformanceDir, 'capabilities');
export const expectedFailures = join(conformanceDir, 'expected-failures.yml');
/** Newest suite that runs on Node 20 (0.1.14+ need Node 22's fs.globSync). */
export const NODE20_SUITE_VERSION = '0.1.13';
/** The newer suite pinned with its own Node 24 binary in test/conformance/node24 (see its package.json). */
export const NODE24_SUITE_VERSION = '0.1.16';

/**
 * The suite and the Inspector CLI are pinned devDependencies: the tests run them from
 * node_modules with this Node, never fetch them at test time, and so never skip.
 */
const repoRoot = resolve(conformanceDir, '../..');
export const pinnedSuite = join(repoRoot, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
export const pinnedInspectorCli = join(repoRoot, 'node_modules/@modelcontextprotocol/inspector-cli/build/index.js');
/**
 * The Node 24 pair lives in its own package (installed by the root `postinstall`): a `node`
 * devDependency at the root would link node_modules/.bin/node and run every npm script on Node 24.
 */
const node24Root = join(conformanceDir, 'node24/node_modules');
export const pinnedNode24 = join(node24Root, 'node/bin/node');
export const pinnedNode24Suite = join(node24Root, '@modelcontextprotocol/conformance/dist/index.js');

const TYPES = { '.png': 'image/png', '.wav': 'audio/wav', '.pdf': 'application/pdf', '.txt': 'text/plain' };

/** Serves the files of capabilities/static (GET /<file>), as the `media` upstream. */
export async function startMediaServer() {
  const root = join(capabilitiesDir, 'static');
  const server = createServer(async (req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://media').pathname.slice(1));
    const path = resolve(root, name);
    if (name.includes('/') || !path.startsWith(root)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'content-length': body.length }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/**
 * Runs `conformance server` against `url` with the expected-failures baseline.
 * The two pinned versions run from node_modules: NODE20_SUITE_VERSION on this Node,
 * NODE24_SUITE_VERSION on the pinned Node 24 binary. Any other version is fetched with npx
 * (`npm run conformance -- --version …` only, never by a test); `node24: true` runs it under
 * Node 24 from npm (needed from 0.1.14 on). Resolves with the exit code and the captured output;
 * `fetchFailed` tells that npx could not get the package.
 */
export function runSuite({ url, version = NODE20_SUITE_VERSION, node24 = false, suite, scenario, outputDir, echo = false, timeoutMs = 600_000, baseline = expectedFailures }) {
  const args = ['server', '--url', url];
  if (baseline) args.push('--expected-failures', baseline);
  if (suite) args.push('--suite', suite);
  if (scenario) args.push('--scenario', scenario);
  if (outputDir) args.push('-o', outputDir);
  const pinnedCommand =
    version === NODE20_SUITE_VERSION && !node24 ? [process.execPath, pinnedSuite] : version === NODE24_SUITE_VERSION ? [pinnedNode24, pinnedNode24Suite] : undefined;
  const pinned = pinnedCommand !== undefined;
  const command = node24
    ? ['-y', '-p', 'node@24', '-p', `@modelcontextprotocol/conformance@${version}`, '-c', ['conformance', ...args].map(quote).join(' ')]
    : ['-y', `@modelcontextprotocol/conformance@${version}`, ...args];
  return new Promise((done) => {
    const child = pinned
      ? spawn(pinnedCommand[0], [pinnedCommand[1], ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.platform === 'win32' ? 'npx.cmd' : 'npx', command, { stdio: ['ignore', 'pipe', 'pipe'], env: { npm_config_fetch_retries: '1', npm_config_fetch_timeout: '30000', ...process.env, npm_config_update_notifier: 'false' } });
    let output = '';
    const take = (stream, sink) =>
      stream.on('data', (chunk) => {
        output += chunk;
        if (echo) sink.write(chunk);
      });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const fetchFailed = !pinned && code !== 0 && !/Running \w+ suite|=== Running scenario|Test Results/.test(output) && /(E404|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network|could not determine executable|npm ERR|npm error)/i.test(output);
      done({ code: code ?? 1, output, fetchFailed, summary: summarize(output) });
    });
    child.on('error', (error) => done({ code: 1, output: `${output}\n${error.message}`, fetchFailed: !pinned, summary: summarize(output) }));
  });
}

/** Per-scenario verdicts from the suite's SUMMARY block (`✓ name: 1 passed, 0 failed`). */
export function summarize(output) {
  const scenarios = {};
  for (const match of output.matchAll(/^([✓✗]) ([\w-]+): (\d+) passed, (\d+) failed/gm)) {
    scenarios[match[2]] = { ok: match[1] === '✓', passed: Number(match[3]), failed: Number(match[4]) };
  }
  return scenarios;
}

function quote(arg) {
  return /^[\w@./:=-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
