/**
 * Real services for the deployment tests: redis-server and an nginx load
 * balancer (Debian packages; `.ci/run` installs them when absent), and the
 * runtime CLI as replica processes.
 *
 * Ports: nothing here binds a port picked in advance. Redis and nginx listen
 * on unix sockets in a temp folder (no port to choose, so no race); each
 * runtime replica listens on port 0 and reports the port it got in its log;
 * nginx is configured after the replicas are up, with those ports.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { repoRoot } from '../../helpers/paths.js';
import { ensureBuilt } from '../ops-helpers/cli.js';

function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status === 0 && path) return path;
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin']) if (existsSync(join(dir, command))) return join(dir, command);
  return undefined;
}

export const redisServer = which('redis-server');
export const nginxBinary = which('nginx');
export function servicesSkipReason(): string {
  const missing = [!redisServer && 'redis-server', !nginxBinary && 'nginx'].filter(Boolean).join(' and ');
  return `${missing} not installed (Debian packages redis-server, nginx; .ci/run installs them): the deployment tests are skipped`;
}

/** A child process whose output lines are kept and can be waited for. */
class Child {
  readonly lines: string[] = [];
  private readonly waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  readonly exited: Promise<number | string>;

  constructor(readonly process: ChildProcess) {
    // Per stream: a chunk may end mid-line, so the tail waits for the next chunk.
    const reader = () => {
      let rest = '';
      return (chunk: Buffer) => {
        const parts = (rest + chunk.toString('utf8')).split('\n');
        rest = parts.pop() ?? '';
        onLines(parts);
      };
    };
    const onLines = (lines: string[]) => {
      for (const line of lines) {
        if (!line) continue;
        this.lines.push(line);
        for (const w of this.waiters.splice(0)) {
          if (w.pattern.test(line)) w.resolve(line);
          else this.waiters.push(w);
        }
      }
    };
    process.stdout?.on('data', reader());
    process.stderr?.on('data', reader());
    this.exited = new Promise((resolve) => process.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const found = this.lines.find((l) => pattern.test(l));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${pattern}; output:\n${this.lines.join('\n')}`)), timeoutMs);
      this.waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`exited (${code}) before printing ${pattern}; output:\n${this.lines.join('\n')}`));
      });
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    if (this.running) this.process.kill(signal);
    return this.exited;
  }
}

export interface RedisServer {
  /** `unix:///…/redis.sock`, for --redis-url. */
  url: string;
  socket: string;
  /** Stops Redis abruptly (SIGKILL: an outage, not a shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same socket, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(dir: string): Promise<RedisServer> {
  const socket = join(dir, 'redis.sock');
  let child: Child | undefined;
  const start = async () => {
    rmSync(socket, { force: true });
    child = new Child(
      spawn(redisServer!, ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'notice'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    await child.waitForLine(/ready to accept connections/i);
  };
  await start();
  return {
    url: `unix://${socket}`,
    socket,
    kill: async () => {
      await child?.stop('SIGKILL');
    },
    restart: start,
    stop: async () => {
      await child?.stop('SIGTERM');
    },
  };
}

export interface Nginx {
  /** Base URL to use with `fetch` (the host part is only the Host header; connections go to the socket). */
  base: string;
  fetch: (path: string, init?: Parameters<typeof undiciFetch>[1]) => ReturnType<typeof undiciFetch>;
  stop(): Promise<void>;
  log(): string[];
}

/** nginx in the foreground, one process, round-robin over `backends` (host:port), listening on a unix socket. */
export async function startNginx(dir: string, backends: string[]): Promise<Nginx> {
  const socket = join(dir, 'nginx.sock');
  const temp = join(dir, 'nginx-temp');
  mkdirSync(temp, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      'daemon off;',
      'master_process off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'nginx-error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${temp}/body;`,
      `  proxy_temp_path ${temp}/proxy;`,
      `  fastcgi_temp_path ${temp}/fastcgi;`,
      `  uwsgi_temp_path ${temp}/uwsgi;`,
      `  scgi_temp_path ${temp}/scgi;`,
      '  upstream runtime {',
      ...backends.map((b) => `    server ${b} max_fails=0;`),
      '    keepalive 64;',
      '  }',
      '  server {',
      `    listen unix:${socket};`,
      '    location / {',
      '      proxy_pass http://runtime;',
      '      proxy_http_version 1.1;',
      '      proxy_set_header Connection "";',
      '      proxy_set_header Host $host;',
      // A replica that refuses the connection (stopped) is skipped, as a real load balancer would.
      '      proxy_next_upstream error timeout;',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  rmSync(socket, { force: true });
  const child = new Child(spawn(nginxBinary!, ['-c', conf, '-p', dir, '-e', join(dir, 'nginx-error.log')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const agent = new Agent({ connect: { socketPath: socket }, connections: 128 });
  const base = 'http://runtime.test';
  const fetchVia: Nginx['fetch'] = (path, init) => undiciFetch(`${base}${path}`, { ...init, dispatcher: agent });
  // nginx prints nothing when it is up: wait until a request goes through it.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!child.running) throw new Error(`nginx exited: ${child.lines.join('\n')}`);
    if (existsSync(socket)) {
      try {
        await fetchVia('/__nginx_probe');
        break;
      } catch {
        // not listening yet
      }
    }
    if (Date.now() > deadline) throw new Error(`nginx did not start: ${child.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    fetch: fetchVia,
    log: () => child.lines,
    stop: async () => {
      await child.stop('SIGQUIT');
      await agent.close();
    },
  };
}

export interface Replica {
  rest: string;
  control: string;
  child: Child;
  port: number;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** One `runtime serve` process on ephemeral ports (REST and control), JSON logs. */
export async function startReplica(args: string[], env: Record<string, string>, options: { cluster?: boolean } = {}): Promise<Replica> {
  ensureBuilt();
  const child = new Child(
    spawn(process.execPath, [join(repoRoot, 'bin/runtime.js'), 'serve', ...args, '--rest-port', '0', '--control-port', '0', '--log-format', 'json'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  // --workers: the primary prints only its control listener; the workers' REST port is in /health/ready.
  const restLine = options.cluster ? '' : await child.waitForLine(/REST listening on http:\/\/[^ "]+/);
  const controlLine = await child.waitForLine(/CONTROL listening on http:\/\/[^ "]+/);
  await child.waitForLine(/"msg":"ready: /);
  const rest = /REST listening on (http:\/\/[^ "]+)/.exec(restLine)?.[1] ?? '';
  const control = /CONTROL listening on (http:\/\/[^ "]+)/.exec(controlLine)![1]!;
  return { rest, control, child, port: rest ? Number(new URL(rest).port) : 0, stop: (signal) => child.stop(signal) };
}

export interface Scratch {
  path: string;
  cleanup(): void;
}

/** A short temp folder (unix socket paths are limited to ~100 bytes). */
export function scratch(prefix = 'deploy-'): Scratch {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
