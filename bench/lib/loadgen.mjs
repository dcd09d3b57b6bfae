// Load generators: wrk (preferred when installed: a C event loop on its own
// core) or autocannon (npm devDependency, run as a separate pinned process so
// its CPU never lands on the gateway core). Both report the same shape:
//   {rps, requests, durationS, p50Ms, p90Ms, p99Ms, meanMs, maxMs, non2xx, socketErrors, errors, bytes}
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cpuWatch, ROOT, run, tempDir, which } from './common.mjs';

export function chooseLoader(preference) {
  const wrk = which('wrk');
  if (preference === 'wrk') {
    if (!wrk) throw new Error('--loader wrk: wrk is not installed (apt-get install wrk)');
    return { name: 'wrk', bin: wrk };
  }
  if (preference === 'autocannon' || !wrk) return { name: 'autocannon', bin: path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js') };
  return { name: 'wrk', bin: wrk };
}

let scriptDir;
const luaString = (s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

function wrkScript(target) {
  scriptDir ??= tempDir('bench-wrk-');
  const lines = [`wrk.method = ${luaString(target.method)}`];
  if (target.body !== undefined) lines.push(`wrk.body = ${luaString(target.body)}`);
  for (const [k, v] of Object.entries(target.headers ?? {})) lines.push(`wrk.headers[${luaString(k)}] = ${luaString(v)}`);
  lines.push(`
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"mean":%.1f,"max":%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
`);
  const file = path.join(scriptDir, `${target.id ?? 'target'}-${Math.random().toString(36).slice(2, 8)}.lua`);
  writeFileSync(file, lines.join('\n'));
  return file;
}

/**
 * One load run against `target` = {url, method, headers, body}.
 * `durationS` seconds, `connections` keep-alive connections.
 */
export async function load(loader, pin, target, options) {
  const watch = cpuWatch(options.serverPid);
  const result = await loadOnce(loader, pin, target, options);
  return { ...result, ...watch() };
}

async function loadOnce(loader, pin, target, { durationS, connections, timeoutS = 10 }) {
  if (target.mcp) {
    // MCP tool calls through bench/lib/mcp-loader.mjs (sessions + SSE results), whatever the loader: see there why.
    const spec = { url: target.url, headers: target.headers, connections, durationS, ...target.mcp };
    const [cmd, args] = pin.wrap('client', process.execPath, [path.join(ROOT, 'bench', 'lib', 'mcp-loader.mjs'), JSON.stringify(spec)]);
    const r = await run(cmd, args);
    const m = /MCPLOAD (\{.*\})/.exec(r.stdout);
    if (!m) throw new Error(`mcp-loader failed (${r.code}): ${r.stderr || r.stdout}`);
    return JSON.parse(m[1]);
  }
  if (loader.name === 'wrk') {
    const script = target.__script ?? (target.__script = wrkScript(target));
    const [cmd, args] = pin.wrap('client', loader.bin, ['-t1', `-c${connections}`, `-d${durationS}s`, `--timeout`, `${timeoutS}s`, '-s', script, target.url]);
    const r = await run(cmd, args);
    const m = /WRKJSON (\{.*\})/.exec(r.stdout);
    if (!m) throw new Error(`wrk failed (${r.code}): ${r.stderr || r.stdout}`);
    const j = JSON.parse(m[1]);
    const durationSecs = j.duration_us / 1e6;
    const socketErrors = j.connect + j.read + j.write + j.timeout;
    return {
      rps: j.requests / durationSecs,
      requests: j.requests,
      durationS: durationSecs,
      p50Ms: j.p50 / 1000,
      p90Ms: j.p90 / 1000,
      p99Ms: j.p99 / 1000,
      meanMs: j.mean / 1000,
      maxMs: j.max / 1000,
      non2xx: j.status, // wrk counts status > 399 here
      socketErrors,
      errors: j.status + socketErrors,
      bytes: j.bytes,
    };
  }
  // autocannon CLI in its own (pinned) node process, JSON on stdout.
  const acArgs = [loader.bin, '-c', String(connections), '-d', String(durationS), '-t', String(timeoutS), '-m', target.method, '-j', '-n'];
  for (const [k, v] of Object.entries(target.headers ?? {})) acArgs.push('-H', `${k}=${v}`);
  if (target.body !== undefined) acArgs.push('-b', target.body);
  acArgs.push(target.url);
  const [cmd, args] = pin.wrap('client', process.execPath, acArgs);
  const r = await run(cmd, args);
  let j;
  try {
    j = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  } catch {
    throw new Error(`autocannon failed (${r.code}): ${r.stderr || r.stdout}`);
  }
  const durationSecs = j.duration;
  const total = j.requests.total;
  const socketErrors = (j.errors ?? 0) + (j.timeouts ?? 0);
  const non2xx = j.non2xx ?? 0;
  return {
    rps: total / durationSecs,
    requests: total,
    durationS: durationSecs,
    p50Ms: j.latency.p50,
    p90Ms: j.latency.p90,
    p99Ms: j.latency.p99,
    meanMs: j.latency.average,
    maxMs: j.latency.max,
    non2xx,
    socketErrors,
    errors: non2xx + socketErrors,
    bytes: j.throughput?.total ?? null,
  };
}
