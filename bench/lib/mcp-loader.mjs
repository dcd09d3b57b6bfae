// A closed-loop MCP `tools/call` load generator in its own Node process (the
// bench pins it to the client CPU), for the MCP peer comparison.
//
// Why not wrk: @ivotoby/openapi-mcp-server's HTTP transport needs a session
// (`initialize` → `Mcp-Session-Id`) and answers a `tools/call` POST with 202;
// the result arrives later as an SSE event on the session's GET stream, keyed
// by the JSON-RPC id (ids are global across sessions there, so every call gets
// a unique one). wrk only sees the 202 and would measure the acknowledgement,
// not the tool call. So both the runtime (stateless: the result is the POST's
// answer) and the peer (session: POST, then wait for the SSE event) are
// measured through this same loader, and the ratio between them is fair.
//
// Modes: `stateless` — each of `connections` loops POSTs tools/call and reads
// the JSON answer; `session` — each loop opens its own session and SSE stream
// first (like one MCP client per connection), then POSTs tools/call and waits
// for the matching event. A call counts as an error unless its result carries
// `expect` (e.g. `access_token`) and is not `isError`.
//
//   node bench/lib/mcp-loader.mjs '<json spec>'   → prints `MCPLOAD {…}`
//   spec: {url, mode, connections, durationS, tool, arguments, expect, headers?}
// Result shape = loadgen.mjs: {rps, requests, durationS, p50Ms, p90Ms, p99Ms, meanMs, maxMs, non2xx, socketErrors, errors, bytes}.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROTOCOL = '2025-03-26';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

let nextId = 1;
const CALL_TIMEOUT_MS = 10_000;

function post(agent, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...JSON_HEADERS, ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

const callBody = (id, tool, args) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: args } });

/** True when a JSON-RPC message is a successful tool result that mentions `expect`. */
function goodResult(message, expect) {
  return !!message?.result && !message.result.isError && JSON.stringify(message.result).includes(expect);
}

/** One stateless client: the tool result is the POST's answer. */
function statelessClient(spec, agent) {
  return {
    async call() {
      const r = await post(agent, spec.url, spec.headers ?? {}, callBody(nextId++, spec.tool, spec.arguments));
      let message;
      try {
        message = JSON.parse(r.body);
      } catch {}
      return { status: r.status, ok: r.status === 200 && goodResult(message, spec.expect), bytes: Buffer.byteLength(r.body) };
    },
    async close() {},
  };
}

/** One session client: initialize, open the SSE stream, then calls whose results arrive as events. */
async function sessionClient(spec, agent) {
  const init = await post(agent, spec.url, spec.headers ?? {}, JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench-mcp-loader', version: '1' } } }));
  const session = init.headers['mcp-session-id'];
  if (init.status !== 200 || !session) throw new Error(`initialize: ${init.status} ${init.body.slice(0, 200)}`);
  const headers = { ...(spec.headers ?? {}), 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL };
  await post(agent, spec.url, headers, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  const pending = new Map(); // JSON-RPC id → resolve(message, bytes)
  // The stream gets its own socket (agent: false): it stays open for the whole run. The peer sends
  // its response head only with the first event, so do not wait for it: wait until the GET is sent
  // (and a moment for the server to register it) before the first call.
  const stream = await new Promise((resolve, reject) => {
    const req = http.request(spec.url, { method: 'GET', agent: false, headers: { accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL } }, (res) => {
      if (res.statusCode !== 200) {
        for (const done of pending.values()) done(undefined, 0);
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (text) => {
        buffer += text;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (!data) continue;
          let message;
          try {
            message = JSON.parse(data);
          } catch {
            continue;
          }
          const done = pending.get(message.id);
          if (done) {
            pending.delete(message.id);
            done(message, Buffer.byteLength(event));
          }
        }
      });
    });
    req.once('error', reject);
    req.once('finish', () => setTimeout(() => resolve(req), 20));
    req.end();
  });
  return {
    async call() {
      const id = nextId++;
      const answered = new Promise((resolve) => pending.set(id, (message, bytes) => resolve({ message, bytes })));
      const r = await post(agent, spec.url, headers, callBody(id, spec.tool, spec.arguments));
      if (r.status !== 202 && r.status !== 200) {
        pending.delete(id);
        return { status: r.status, ok: false, bytes: Buffer.byteLength(r.body) };
      }
      // A result that never comes (lost event) fails the call instead of stalling the loop.
      const timer = setTimeout(() => pending.get(id)?.(undefined, 0), CALL_TIMEOUT_MS);
      const { message, bytes } = await answered;
      clearTimeout(timer);
      if (!message) throw new Error(`no result event for call ${id}`);
      return { status: 200, ok: goodResult(message, spec.expect), bytes };
    },
    async close() {
      stream.destroy();
      await new Promise((resolve) => {
        const req = http.request(spec.url, { method: 'DELETE', agent, headers: { 'mcp-session-id': session } }, (res) => res.resume().on('end', resolve));
        req.once('error', resolve);
        req.end();
      });
    },
  };
}

const newClient = (spec, agent) => (spec.mode === 'session' ? sessionClient(spec, agent) : statelessClient(spec, agent));

/** One call on a fresh client: the harness's first-answer check. Returns {ok, status, bytes}. */
export async function callOnce(spec) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const client = await newClient(spec, agent);
  try {
    return await client.call();
  } finally {
    await client.close();
    agent.destroy();
  }
}

/** Run `connections` closed loops for `durationS` seconds. */
export async function runLoad(spec) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections, keepAliveMsecs: 120_000 });
  const clients = await Promise.all(Array.from({ length: spec.connections }, () => newClient(spec, agent)));
  const latencies = [];
  let non2xx = 0;
  let socketErrors = 0;
  let wrong = 0;
  let bytes = 0;
  const start = performance.now();
  const deadline = start + spec.durationS * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          const r = await client.call();
          latencies.push(performance.now() - t0);
          bytes += r.bytes;
          if (r.status < 200 || r.status > 299) non2xx++;
          else if (!r.ok) wrong++;
        } catch {
          socketErrors++;
        }
      }
    }),
  );
  const elapsedS = (performance.now() - start) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : 0);
  const requests = latencies.length;
  return {
    rps: requests / elapsedS,
    requests,
    durationS: elapsedS,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    meanMs: requests ? latencies.reduce((a, b) => a + b, 0) / requests : 0,
    maxMs: latencies[latencies.length - 1] ?? 0,
    // A 2xx whose result is wrong (isError, or without the expected field) is an error too.
    non2xx: non2xx + wrong,
    socketErrors,
    errors: non2xx + wrong + socketErrors,
    bytes,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await runLoad(JSON.parse(process.argv[2]));
  process.stdout.write(`MCPLOAD ${JSON.stringify(result)}\n`);
}
