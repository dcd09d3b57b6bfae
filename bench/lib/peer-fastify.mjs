// The REST peer: fastify + @fastify/reply-from as a plain reverse proxy to the
// bench upstream, in its own process pinned to the gateway CPU like nginx and
// the runtime. Same mapping as nginx (bench/lib/nginx.mjs): `/v1/x` → upstream
// `/x`, everything else verbatim. Bodies are streamed through unparsed (one
// catch-all content-type parser), upstream connections are kept alive (undici
// pool). Logging is fastify's own default when a logger is wanted
// (`logger: true`, level info: one line per request and one per response) —
// the counterpart of the runtime's default request log; `--log off` drops it.
//   node bench/lib/peer-fastify.mjs --upstream http://127.0.0.1:N [--port N] [--log on|off]
//   → prints `FASTIFY_READY <port>`
import Fastify from 'fastify';
import replyFrom from '@fastify/reply-from';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const upstream = arg('upstream');
if (!upstream) throw new Error('peer-fastify: --upstream URL is required');
const port = Number(arg('port', '0'));
const logger = arg('log', 'on') !== 'off';

// Keep-alive to clients as long as the load runs (like nginx's keepalive_timeout 120s).
const app = Fastify({ logger, keepAliveTimeout: 120_000, bodyLimit: 1_048_576 });
// Pass every body through as the raw stream: a proxy does not parse what it forwards.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
await app.register(replyFrom, {
  base: upstream,
  // 64 kept-alive upstream connections, like nginx's `keepalive 64`.
  undici: { connections: 64, pipelining: 1, keepAliveTimeout: 120_000 },
});
app.all('/v1/*', (req, reply) => reply.from(req.url.slice(3)));
app.all('/*', (req, reply) => reply.from(req.url));

const address = await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`FASTIFY_READY ${new URL(address).port}\n`);
