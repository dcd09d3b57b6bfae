// A local OTLP/HTTP trace sink for the "all policies" runtime: it reads and
// drops every export (POST /v1/traces → 200, an empty protobuf answer or `{}`
// for JSON, as a collector answers each encoding), so tracing costs the
// runtime what a real collector on the same host would (serialising and
// sending batches) without one being installed. It runs as its own process
// pinned to the client CPU (like the upstream), so receiving spans never
// takes CPU from the gateway core. `GET /__stats` answers the exports and
// bytes received, so the bench can tell that spans were actually sent.
//   node bench/lib/otlp-sink.mjs [--port N]   → prints `OTLP_SINK_READY <port>`
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function serve(port) {
  const stats = { exports: 0, bytes: 0, other: 0 };
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        stats.exports++;
        stats.bytes += bytes;
        if (req.headers['content-type'] === 'application/x-protobuf') res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else if (req.method === 'GET' && req.url === '/__stats') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      } else {
        stats.other++;
        res.writeHead(404).end();
      }
    });
  });
  server.keepAliveTimeout = 120_000;
  server.listen(port, '127.0.0.1', () => process.stdout.write(`OTLP_SINK_READY ${server.address().port}\n`));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  serve(i > 0 ? Number(process.argv[i + 1]) : 0);
}
