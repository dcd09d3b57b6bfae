// Start the peers the runtime is compared with (each its own process, by the
// same pinning rules as nginx: a gateway on the gateway CPU, helpers on the
// client CPU) and the OTLP sink of the "all policies" runtime. Each child
// prints `<NAME>_READY <port>` once listening.
import path from 'node:path';
import { BENCH_DIR, request, startProcess, waitFor } from './common.mjs';

/** Start `script` under `pin` on `cpu`, wait for `<marker> <port>` and for `probe(url)` to hold. */
async function startChild({ pin, cpu, script, args, marker, what, probe, env }) {
  const [cmd, cmdArgs] = pin.wrap(cpu, process.execPath, [script, ...args]);
  const child = startProcess(cmd, cmdArgs, env ? { env: { ...process.env, ...env } } : {});
  let url;
  await waitFor(
    async () => {
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
