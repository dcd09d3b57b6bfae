// Start `node bin/runtime.js serve …` as a child (pinned to the gateway CPU)
// and wait until both listeners answer.
import { freePort, request, RUNTIME_BIN, startProcess, waitFor, ROOT } from './common.mjs';

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};
export const TOOLS_LIST_BODY = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';

/** REST answers anything (even 404) and MCP answers tools/list with 200. */
export async function probeListeners(restUrl, mcpUrl) {
  const [rest, mcp] = await Promise.all([
    restUrl ? request(`${restUrl}/__bench_probe`, { timeoutMs: 1000 }) : { status: 200 },
    mcpUrl ? request(`${mcpUrl}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: TOOLS_LIST_BODY, timeoutMs: 1000 }) : { status: 200 },
  ]);
  return rest.status > 0 && mcp.status === 200;
}

/**
 * files: capability files/folders. upstreams: [[origin-or-namespace, url], …].
 * logLevel: the runtime's log level (default info: the default configuration, one request log line per call).
 * nodeArgs: extra node flags (e.g. --cpu-prof). bin: another build's bin/runtime.js (A/B runs).
 * Returns {child, pid, restUrl, mcpUrl, readyMs}.
 */
export async function startRuntime({ bin = RUNTIME_BIN, files, upstreams = [], pin, nodeArgs = [], extraArgs = [], env = {}, timeoutMs = 20000, pollMs = 5, rest = true, mcp = true, logLevel = 'info' }) {
  const restPort = await freePort();
  const mcpPort = await freePort();
  const args = [...nodeArgs, bin, 'serve', ...files, '--rest-port', String(restPort), '--mcp-port', String(mcpPort), '--log-level', logLevel, ...extraArgs];
  for (const [key, url] of upstreams) args.push('--upstream', `${key}=${url}`);
  const [cmd, cmdArgs] = pin ? pin.wrap('gateway', process.execPath, args) : [process.execPath, args];
  const start = performance.now();
  const child = startProcess(cmd, cmdArgs, { cwd: ROOT, env: { ...process.env, ...env } });
  const restUrl = `http://127.0.0.1:${restPort}`;
  const mcpUrl = `http://127.0.0.1:${mcpPort}`;
  await waitFor(() => probeListeners(rest ? restUrl : null, mcp ? mcpUrl : null), { what: 'runtime', child, timeoutMs, intervalMs: pollMs });
  const readyMs = performance.now() - start;
  return { child, pid: child.pid, restUrl: rest ? restUrl : null, mcpUrl: mcp ? mcpUrl : null, readyMs, restPort, mcpPort };
}
