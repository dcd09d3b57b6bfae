// The bench rig: the local upstream (client CPU), nginx (gateway CPU, when
// installed) and the runtime instances under test (gateway CPU).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, freePort, LEAN_DIR, log, request, ROOT, startProcess, waitFor } from './common.mjs';
import { startNginx } from './nginx.mjs';
import { startRuntime } from './runtime.mjs';
import { startFastify, startMcpPeer, startOtlpSink } from './peers.mjs';

export const SEED = path.join(ROOT, 'capabilities', 'authentication-tokens.yaml');
export const ITEMS_YAML = path.join(BENCH_DIR, 'capabilities', 'items.yaml');
export const TOOLS_YAML = path.join(BENCH_DIR, 'capabilities', 'tools-51.yaml');
export const ALL_POLICIES_YAML = path.join(BENCH_DIR, 'config', 'runtime.all-policies.yaml');

export async function startUpstream({ pin, workers = 1 }) {
  const port = workers > 1 ? await freePort() : 0;
  const [cmd, args] = pin.wrap('client', process.execPath, [path.join(BENCH_DIR, 'lib', 'upstream.mjs'), '--port', String(port), '--workers', String(workers)]);
  const child = startProcess(cmd, args);
  let actual;
  await waitFor(
    async () => {
      const m = /UPSTREAM_READY (\d+)/.exec(child.stdoutText);
      if (!m) return false;
      actual = Number(m[1]);
      return (await request(`http://127.0.0.1:${actual}/__probe`)).status === 404;
    },
    { what: 'upstream', child },
  );
  return { child, port: actual, url: `http://127.0.0.1:${actual}` };
}

/** Where the 51-tool `tools/list` scenario comes from. */
export function toolsSource(useLean = true) {
  if (useLean && existsSync(LEAN_DIR) && readdirSync(LEAN_DIR).some((f) => f.endsWith('.yaml'))) {
    return { files: [LEAN_DIR], label: `../shared/lean/capabilities, ${readdirSync(LEAN_DIR).filter((f) => f.endsWith('.yaml')).length} files`, rest: true };
  }
  return { files: [TOOLS_YAML], label: 'bench/capabilities/tools-51.yaml', rest: false };
}

/**
 * Start everything. Returns {upstream, nginx|null, main, tools, toolsLabel, stop()}.
 * `want`: which runtime instances are needed ({main, tools, policies,
 * policiesSampled, policiesTraced}) and whether the peers are (`fastify`, `mcpPeer`).
 * policies: the main runtime again, with bench/config/runtime.all-policies.yaml
 * (the issue-14 row); policiesSampled: the same with OpenTelemetry tracing of 10 %
 * of the requests (parentbased_traceidratio 0.1, a production setting), and
 * policiesTraced: of every request (the SDK's default sampler), both exported to
 * a local OTLP sink.
 */
export async function startRig({ pin, upstreamWorkers = 1, nginx: useNginx = true, want = { main: true, tools: true }, useLean = true, runtimeNodeArgs = [], logLevel = 'info', nginxAccessLog = true }) {
  const upstream = await startUpstream({ pin, workers: upstreamWorkers });
  log(`upstream  ${upstream.url} (pid ${upstream.child.pid}, ${upstreamWorkers} worker(s))`);
  const nginx = useNginx ? await startNginx({ upstreamPort: upstream.port, pin, accessLog: nginxAccessLog }) : null;
  if (nginx) log(`nginx     ${nginx.url} (pid ${nginx.child.pid})`);
  else log(`nginx     ${useNginx ? 'not installed: nginx rows skipped (apt-get install nginx)' : 'disabled'}`);
  const upstreams = [
    ['https://auth.leantech.me', upstream.url],
    ['https://items.bench.invalid', upstream.url],
  ];
  const main = want.main ? await startRuntime({ files: [SEED, ITEMS_YAML], upstreams, pin, nodeArgs: runtimeNodeArgs, logLevel }) : null;
  if (main) log(`runtime   main  REST ${main.restUrl}  MCP ${main.mcpUrl}/mcp (pid ${main.pid}): seed + bench/capabilities/items.yaml`);
  const src = toolsSource(useLean);
  // The tools set consumes only the token origin: an --upstream key that matches nothing is a startup error.
  const tools = want.tools ? await startRuntime({ files: src.files, upstreams: src.rest ? upstreams.slice(0, 1) : [], pin, rest: src.rest, nodeArgs: runtimeNodeArgs, logLevel }) : null;
  if (tools) log(`runtime   tools MCP ${tools.mcpUrl}/mcp (pid ${tools.pid}): ${src.label}`);
  const policyArgs = ['--config', ALL_POLICIES_YAML];
  const otlpSink = want.policiesSampled || want.policiesTraced ? await startOtlpSink({ pin }) : null;
  if (otlpSink) log(`otlp sink ${otlpSink.url}/v1/traces (pid ${otlpSink.child.pid})`);
  // An explicit OTEL_SDK_DISABLED/OTEL_TRACES_EXPORTER or sampler from the caller's shell must not change these runtimes.
  const tracingEnv = otlpSink ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlpSink.url, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_EXPORTER_OTLP_PROTOCOL: '', OTEL_SERVICE_NAME: 'bench-runtime', OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: '', OTEL_TRACES_SAMPLER_ARG: '' } : {};
  const noTracingEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_TRACES_EXPORTER: 'none' };
  const policyRuntime = (env) => startRuntime({ files: [SEED, ITEMS_YAML], upstreams, pin, nodeArgs: runtimeNodeArgs, logLevel, extraArgs: policyArgs, env });
  const policies = want.policies ? await policyRuntime(noTracingEnv) : null;
  if (policies) log(`runtime   all policies REST ${policies.restUrl}  MCP ${policies.mcpUrl}/mcp (pid ${policies.pid}): main + ${path.relative(ROOT, ALL_POLICIES_YAML)}, tracing off`);
  const policiesSampled = want.policiesSampled ? await policyRuntime({ ...tracingEnv, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }) : null;
  if (policiesSampled) log(`runtime   all policies + tracing 10 % REST ${policiesSampled.restUrl}  MCP ${policiesSampled.mcpUrl}/mcp (pid ${policiesSampled.pid})`);
  const policiesTraced = want.policiesTraced ? await policyRuntime(tracingEnv) : null;
  if (policiesTraced) log(`runtime   all policies + tracing 100 % REST ${policiesTraced.restUrl}  MCP ${policiesTraced.mcpUrl}/mcp (pid ${policiesTraced.pid})`);
  const fastify = want.fastify ? await startFastify({ upstreamUrl: upstream.url, pin, log: nginxAccessLog }) : null;
  if (fastify) log(`fastify   ${fastify.url} (pid ${fastify.child.pid}): @fastify/reply-from, logger ${nginxAccessLog ? 'on (info)' : 'off'}`);
  const mcpPeer = want.mcpPeer ? await startMcpPeer({ upstreamUrl: upstream.url, pin, log: nginxAccessLog }) : null;
  if (mcpPeer) log(`mcp peer  ${mcpPeer.url}/mcp (pid ${mcpPeer.child.pid}): @ivotoby/openapi-mcp-server, bench/openapi/token.yaml, verbose ${nginxAccessLog ? 'on (its default)' : 'off'}`);
  else if (want.mcpPeer) log('mcp peer  @ivotoby/openapi-mcp-server not installed (npm install): its row is skipped');
  return { upstream, nginx, main, tools, policies, policiesSampled, policiesTraced, otlpSink, fastify, mcpPeer, toolsLabel: src.label };
}
