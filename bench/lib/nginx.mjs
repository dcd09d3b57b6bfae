// nginx as the physical reference: a plain keep-alive reverse proxy to the
// same bench upstream, one worker process (like the single-process runtime),
// pinned to the gateway CPU. Optional: skipped when nginx is not installed.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, request, startProcess, tempDir, waitFor, which } from './common.mjs';

export function nginxPath() {
  return which('nginx') ?? (which('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null);
}

/**
 * Start nginx proxying `/v1/*` → upstream `/*` (so `/v1/oauth2/token` and
 * `/v1/items/42` map like the runtime's routes) and everything else verbatim
 * (`/blob/*`). Its access log is on (one line per request, like the
 * runtime's default request log) unless `accessLog` is false. Returns
 * {url, child, port} or null when nginx is absent.
 */
export async function startNginx({ upstreamPort, pin, accessLog = true }) {
  const bin = nginxPath();
  if (!bin) return null;
  const dir = tempDir('bench-nginx-');
  chmodSync(dir, 0o755);
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o777 });
    chmodSync(path.join(dir, sub), 0o777);
  }
  const port = await freePort();
  const proxy = `
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;`;
  const conf = `
worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  ${accessLog ? `access_log ${dir}/access.log;` : 'access_log off;'}
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  upstream bench_upstream {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port} reuseport backlog=4096;
    location /v1/ {
      proxy_pass http://bench_upstream/;${proxy}
    }
    location / {
      proxy_pass http://bench_upstream;${proxy}
    }
  }
}
`;
  const confFile = path.join(dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  const [cmd, args] = pin.wrap('gateway', bin, ['-p', dir, '-c', confFile]);
  const child = startProcess(cmd, args);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await request(`${url}/__nginx_probe`)).status > 0, { what: 'nginx', child, timeoutMs: 10000 });
  return { url, child, port };
}
