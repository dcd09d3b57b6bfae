#!/usr/bin/env node
// Minimal bench upstream: plain node:http, precomputed response buffers,
// long keep-alive, optional cluster workers. It must never be the bottleneck:
// the bench measures it directly ("direct" rows) to prove it.
//
//   node bench/lib/upstream.mjs --port 0 [--workers 1]
//   prints `UPSTREAM_READY <port>` once listening.
//
// Routes
//   POST /oauth2/token      form-encoded body required (415 otherwise) → token JSON
//   GET  /items/{id}?limit= → ~20 KB JSON (id must be digits, limit required, 400 otherwise)
//   PUT  /__blob/{name}     stores the request body (used to mirror a runtime answer)
//   POST|GET /blob/{name}   answers the stored body (the "same bytes" reference)
//   anything else           404
import cluster from 'node:cluster';
import http from 'node:http';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const port = Number(opt('port', '0'));
const workers = Math.max(1, Number(opt('workers', '1')));

export const ITEMS_TARGET_BYTES = 20 * 1024;

/** The ~20 KB document the items route answers (deterministic). */
export function itemsDocument(id = '42', limit = 50) {
  const doc = {
    data: {
      id: String(id),
      name: `Catalogue ${id}`,
      owner: { id: 'u-1001', name: 'Bench Owner', email: 'owner@example.com' },
      createdAt: '2026-01-01T00:00:00Z',
      items: [],
    },
    meta: { total: 0, limit, page: 1, next: null },
  };
  let i = 0;
  // Grow until ~20 KB.
  while (JSON.stringify(doc).length < ITEMS_TARGET_BYTES - 420) {
    i++;
    doc.data.items.push({
      id: `item-${String(i).padStart(4, '0')}`,
      title: `Bench item number ${i}`,
      price: { amount: Math.round(i * 137.5) / 100, currency: 'EUR' },
      tags: ['alpha', 'beta', i % 2 ? 'odd' : 'even'],
      stock: (i * 7) % 50,
      description: 'A mid-sized description field that the mapped route drops.',
    });
  }
  doc.meta.total = doc.data.items.length;
  return doc;
}

const TOKEN = Buffer.from(
  JSON.stringify({
    access_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCIsInNjb3BlIjoiYXBpIn0.bench-signature-bench-signature',
    token_type: 'bearer',
    expires_in: 3599,
    scope: 'api',
  }),
);
const ITEMS = Buffer.from(JSON.stringify(itemsDocument()));
const blobs = new Map();

const JSON_HEADERS = (len) => ['content-type', 'application/json', 'content-length', String(len)];

function send(res, status, buf) {
  res.writeHead(status, JSON_HEADERS(buf.length));
  res.end(buf);
}

const NOT_FOUND = Buffer.from('{"error":"not found"}');
const BAD = Buffer.from('{"error":"bad request"}');
const UNSUPPORTED = Buffer.from('{"error":"expected application/x-www-form-urlencoded"}');

function handler(req, res) {
  const url = req.url;
  const method = req.method;
  if (method === 'GET' && url.startsWith('/items/')) {
    req.resume();
    const q = url.indexOf('?');
    const id = url.slice(7, q < 0 ? undefined : q);
    if (!/^\d+$/.test(id) || q < 0 || !url.includes('limit=', q)) return send(res, 400, BAD);
    return send(res, 200, ITEMS);
  }
  if (method === 'POST' && url === '/oauth2/token') {
    req.resume();
    const type = req.headers['content-type'] ?? '';
    req.once('end', () => send(res, type.startsWith('application/x-www-form-urlencoded') ? 200 : 415, type.startsWith('application/x-www-form-urlencoded') ? TOKEN : UNSUPPORTED));
    return;
  }
  if (url.startsWith('/blob/')) {
    req.resume();
    const blob = blobs.get(url.slice(6));
    req.once('end', () => (blob ? send(res, 200, blob) : send(res, 404, NOT_FOUND)));
    return;
  }
  if (method === 'PUT' && url.startsWith('/__blob/')) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.once('end', () => {
      blobs.set(url.slice(8), Buffer.concat(chunks));
      if (cluster.isWorker) process.send?.({ blob: url.slice(8), data: Buffer.concat(chunks).toString('base64') });
      send(res, 200, Buffer.from('{"ok":true}'));
    });
    return;
  }
  req.resume();
  send(res, 404, NOT_FOUND);
}

function listen() {
  const server = http.createServer({ keepAlive: true, noDelay: true }, handler);
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  server.maxRequestsPerSocket = 0;
  server.listen(port, '127.0.0.1', () => {
    if (!cluster.isWorker) process.stdout.write(`UPSTREAM_READY ${server.address().port}\n`);
  });
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain || cluster.isWorker) {
  if (workers > 1 && cluster.isPrimary) {
    if (port === 0) throw new Error('--workers > 1 needs a fixed --port');
    const forks = [];
    let ready = 0;
    for (let i = 0; i < workers; i++) {
      const w = cluster.fork();
      forks.push(w);
      w.on('listening', () => {
        if (++ready === workers) process.stdout.write(`UPSTREAM_READY ${port}\n`);
      });
      // Blobs stored through one worker are broadcast to all.
      w.on('message', (m) => {
        if (m?.blob) for (const other of forks) if (other !== w) other.send(m);
      });
    }
    const stop = () => {
      for (const w of forks) w.kill();
      process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } else {
    if (cluster.isWorker) process.on('message', (m) => m?.blob && blobs.set(m.blob, Buffer.from(m.data, 'base64')));
    listen();
    const stop = () => process.exit(0);
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  }
}
