// Start the peers the runtime is compared with (each its own process, by the
// same pinning rules as nginx: a gateway on the gateway CPU, helpers on the
// client CPU) and the OTLP sink of the "all policies" runtime. Our own
// children print `<NAME>_READY <port>` once listening; the MCP peer is given
// its port and probed.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, freePort, request, ROOT, startProcess, waitFor } from './common.mjs';

/** Start `script` under `pin` on `cpu`, wait for `<marker> <port>` (or use `url`) and for `probe(url)` to hold. */
async function startChild({ pin, cpu, script, args, marker, url: knownUrl, what, probe, env }) {
  const [cmd, cmdArgs] = pin.wrap(cpu, process.execPath, [script, ...args]);
  const child = startProcess(cmd, cmdArgs, env ? { env: { ...process.env, ...env } } : {});
  let url = knownUrl;
  await waitFor(
    async () => {
      if (knownUrl) return probe(url);
      const m = new RegExp(`${marker} (\\d+)`).exec(child.stdoutText);
      if (!m) return false;
      url = `http://127.0.0.1:${m[1]}`;
      return probe(url);
    },
    { what, child, timeoutMs: 20000 },
  );
  return { child, url };
}

/** The local OTLP/HTTP trace sink (client CPU). Returns {child, url, stats()}. */
export async function startOtlpSink({ pin }) {
  const sink = await startChild({
    pin,
    cpu: 'client',
    script: path.join(BENCH_DIR, 'lib', 'otlp-sink.mjs'),
    args: [],
    marker: 'OTLP_SINK_READY',
    what: 'otlp sink',
    probe: async (url) => (await request(`${url}/__stats`)).status === 200,
  });
  return { ...sink, stats: async () => JSON.parse((await request(`${sink.url}/__stats`)).body) };
}

/** fastify + @fastify/reply-from in front of the bench upstream (gateway CPU). */
export async function startFastify({ upstreamUrl, pin, log = true }) {
  return startChild({
    pin,
    cpu: 'gateway',
    script: path.join(BENCH_DIR, 'lib', 'peer-fastify.mjs'),
    args: ['--upstream', upstreamUrl, '--log', log ? 'on' : 'off'],
    marker: 'FASTIFY_READY',
    what: 'fastify',
    probe: async (url) => (await request(`${url}/__fastify_probe`)).status > 0,
  });
}

export const MCP_PEER_BIN = path.join(ROOT, 'node_modules', '@ivotoby', 'openapi-mcp-server', 'bin', 'mcp-server.js');
export const MCP_PEER_SPEC = path.join(BENCH_DIR, 'openapi', 'token.yaml');
/** The tool @ivotoby/openapi-mcp-server makes of bench/openapi/token.yaml's operation `generateAccessToken`. */
export const MCP_PEER_TOOL = 'generate-access-token';

/**
 * @ivotoby/openapi-mcp-server over its HTTP transport (gateway CPU), serving
 * bench/openapi/token.yaml against the bench upstream. `log`: its default
 * verbose logging (several stderr lines per message) or `--verbose false`.
 * Returns {child, url} with url = the base (the endpoint is `${url}/mcp`), or
 * null when the package is not installed.
 */
export async function startMcpPeer({ upstreamUrl, pin, log = true }) {
  if (!existsSync(MCP_PEER_BIN)) return null;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const initialize = JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'bench-probe', version: '1' } } });
  return startChild({
    pin,
    cpu: 'gateway',
    script: MCP_PEER_BIN,
    args: ['--api-base-url', upstreamUrl, '--openapi-spec', MCP_PEER_SPEC, '--transport', 'http', '--host', '127.0.0.1', '--port', String(port), '--path', '/mcp', ...(log ? [] : ['--verbose', 'false'])],
    url,
    what: 'openapi-mcp-server',
    probe: async (u) => (await request(`${u}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: initialize }).catch(() => ({ status: 0 }))).status === 200,
  });
}
