/**
 * Third-party clients against the real server: the official MCP conformance
 * suite (server scenarios, with our fixture capability and the baseline in
 * test/conformance/expected-failures.yml) and the MCP Inspector CLI. All are
 * pinned and run from node_modules: the 0.1.13 suite and the Inspector on this
 * Node, the 0.1.16 suite on the Node 24 binary pinned in test/conformance/node24.
 * Nothing is fetched at test time and no test ever skips.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamRoutes } from '../../../src/engine/upstream/routes.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { NODE24_SUITE_VERSION, capabilitiesDir, pinnedInspectorCli, pinnedNode24, runSuite, startMediaServer, type MediaServer } from '../../conformance/harness.mjs';

let media: MediaServer;
let rt: TestRuntime;

beforeAll(async () => {
  media = await startMediaServer();
  const upstreams = new UpstreamRoutes([['media', media.url]]);
  rt = await startTestRuntime({ paths: [capabilitiesDir], upstreams, logLevel: 'warn' });
  // The dynamic fixtures call this capability's own REST adapter, whose port is known only now.
  upstreams.add('loopback', rt.restUrl);
});

afterAll(async () => {
  await rt?.close();
  await media?.close();
});

/** Runs the pinned Inspector CLI (`@modelcontextprotocol/inspector-cli`) with this Node. */
function inspector(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    // The CLI finds its own package.json by testing `../package.json` against the working
    // directory, so it runs from its build folder.
    const child = spawn(process.execPath, [pinnedInspectorCli, ...args], { cwd: dirname(pinnedInspectorCli), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? 1, stdout, stderr });
    });
    child.on('error', (error) => done({ code: 1, stdout, stderr: `${stderr}\n${error.message}` }));
  });
}

describe('official MCP conformance suite (0.1.13, Node 20)', () => {
  it('passes every active server scenario outside the expected-failures baseline', { timeout: 900_000 }, async () => {
    const run = await runSuite({ url: rt.mcpUrl, timeoutMs: 850_000 });
    if (run.code !== 0) console.error(run.output.slice(-6000));
    expect(run.code).toBe(0);
    // The scenarios the fixtures make pass (a regression here would also fail the baseline check).
    for (const scenario of [
      'server-initialize',
      'ping',
      'tools-list',
      'tools-call-simple-text',
      'tools-call-image',
      'tools-call-audio',
      'tools-call-embedded-resource',
      'tools-call-error',
      'resources-list',
      'resources-read-text',
      'resources-read-binary',
      'resources-templates-read',
      'resources-subscribe',
      'resources-unsubscribe',
      'prompts-list',
      'prompts-get-simple',
      'prompts-get-with-args',
      'completion-complete',
      'logging-set-level',
      'dns-rebinding-protection',
    ]) {
      expect(run.summary[scenario], scenario).toMatchObject({ ok: true, failed: 0 });
    }
  });
});

describe('official MCP conformance suite (0.1.16, pinned Node 24)', () => {
  it('passes every active server scenario outside the expected-failures baseline', { timeout: 900_000 }, async () => {
    // Installed by the root postinstall (`npm ci --prefix test/conformance/node24`).
    expect(existsSync(pinnedNode24), `${pinnedNode24} is missing: run npm ci`).toBe(true);
    const run = await runSuite({ url: rt.mcpUrl, version: NODE24_SUITE_VERSION, timeoutMs: 850_000 });
    if (run.code !== 0) console.error(run.output.slice(-6000));
    expect(run.code).toBe(0);
    expect(run.fetchFailed).toBe(false);
    expect(run.summary['tools-call-simple-text']).toMatchObject({ ok: true, failed: 0 });
    expect(run.summary['dns-rebinding-protection']).toMatchObject({ ok: true, failed: 0 });
  });
});

describe('MCP Inspector CLI (1.0.3)', () => {
  it('lists and calls tools', { timeout: 600_000 }, async () => {
    const base = [rt.mcpUrl, '--transport', 'http'];
    const list = await inspector([...base, '--method', 'tools/list']);
    expect(list.code, list.stderr).toBe(0);
    const tools = JSON.parse(list.stdout.slice(list.stdout.indexOf('{'))) as { tools: { name: string }[] };
    expect(tools.tools.map((t) => t.name)).toContain('test_simple_text');

    const call = await inspector([...base, '--method', 'tools/call', '--tool-name', 'test_simple_text']);
    expect(call.code, call.stderr).toBe(0);
    const result = JSON.parse(call.stdout.slice(call.stdout.indexOf('{'))) as { content: { text: string }[]; structuredContent: unknown };
    expect(result.structuredContent).toEqual({ text: 'This is a simple text response for testing.' });

    const prompt = await inspector([...base, '--method', 'prompts/get', '--prompt-name', 'test_prompt_with_arguments', '--prompt-args', 'arg1=a', 'arg2=b']);
    expect(prompt.code, prompt.stderr).toBe(0);
    expect(prompt.stdout).toContain("arg1='a', arg2='b'");
  });
});
