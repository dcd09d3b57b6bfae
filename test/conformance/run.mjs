#!/usr/bin/env node
/**
 * `npm run conformance`: serves the fixture capabilities with the built CLI
 * (`node bin/runtime.js serve …`, so run `npm run build` first) and runs the
 * official MCP conformance suite against it with the expected-failures
 * baseline. Exit code: the suite's (0 = every failure is an expected one).
 *
 *   node test/conformance/run.mjs                   # 0.1.13 on this Node (20+)
 *   node test/conformance/run.mjs --version 0.1.16  # pinned with its Node 24 binary (test/conformance/node24)
 *   node test/conformance/run.mjs --version 0.1.15  # any other version: fetched with npx, run under Node 24 from npm
 *   node test/conformance/run.mjs --suite all       # also the pending scenarios (no baseline)
 *   node test/conformance/run.mjs --scenario tools-call-image
 *   node test/conformance/run.mjs --serve           # just serve the fixtures (for the Inspector, curl…)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NODE20_SUITE_VERSION, capabilitiesDir, conformanceDir, runSuite, startMediaServer } from './harness.mjs';

const { values } = parseArgs({
  options: {
    version: { type: 'string', default: NODE20_SUITE_VERSION },
    suite: { type: 'string' },
    scenario: { type: 'string' },
    output: { type: 'string', short: 'o' },
    serve: { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
  },
});

const freePort = () =>
  new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });

const media = await startMediaServer();
const [restPort, mcpPort] = [await freePort(), await freePort()];
const runtimeBin = join(conformanceDir, '../../bin/runtime.js');
const server = spawn(
  process.execPath,
  [
    runtimeBin,
    'serve',
    capabilitiesDir,
    '--rest-port',
    String(restPort),
    '--mcp-port',
    String(mcpPort),
    '--upstream',
    `loopback=http://127.0.0.1:${restPort}`,
    '--upstream',
    `media=${media.url}`,
    '--log-level',
    values.serve ? 'info' : 'warn',
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
let serverExited = false;
server.on('exit', () => (serverExited = true));

const url = `http://localhost:${mcpPort}/mcp`;
const stop = async () => {
  if (!serverExited) server.kill('SIGTERM');
  await media.close();
};

// Ready when an initialize succeeds.
const deadline = Date.now() + 20_000;
for (;;) {
  if (serverExited) {
    await media.close();
    console.error('conformance: the runtime exited before serving (did you run `npm run build`?)');
    process.exit(2);
  }
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '0' } } }),
    });
    if (res.ok) break;
  } catch {
    // not listening yet
  }
  if (Date.now() > deadline) {
    await stop();
    console.error('conformance: the runtime did not become ready within 20 s');
    process.exit(2);
  }
  await new Promise((r) => setTimeout(r, 150));
}

if (values.serve) {
  console.error(`conformance fixtures served at ${url} (Ctrl+C to stop)`);
  const quit = () => void stop().then(() => process.exit(0));
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
} else {
  const [major] = process.versions.node.split('.').map(Number);
  const node24 = values.version !== NODE20_SUITE_VERSION && major < 22;
  const run = await runSuite({
    url,
    version: values.version,
    node24,
    suite: values.suite,
    scenario: values.scenario,
    outputDir: values.output,
    echo: true,
    baseline: values['no-baseline'] || values.suite === 'all' || values.suite === 'pending' ? null : undefined,
  });
  await stop();
  if (run.fetchFailed) console.error('conformance: npx could not fetch the suite (is the npm registry reachable?)');
  process.exit(run.code);
}
