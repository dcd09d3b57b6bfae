/**
 * `--workers N`: N processes (node:cluster) share every listener; the kernel
 * connection is handed to workers round-robin by the primary. The primary
 * serves no user traffic: it forks and supervises the workers, forwards
 * reload (SIGHUP, --watch) and shutdown (SIGTERM/SIGINT) to them, and serves
 * the control endpoints itself with metrics aggregated across workers.
 *
 * Messages (IPC): primary → worker `runtime:reload`, `runtime:shutdown`;
 * worker → primary `runtime:ready` (with its status), `runtime:reloaded`,
 * `runtime:failed` (could not start); `tokens:*` both ways when the workers
 * share token-provider tokens through the primary (cluster-token-store.ts).
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { ControlSource } from '../exposes/control/app.js';
import { isTokenMessage, TokenBroker } from './cluster-token-store.js';
import type { Logger } from './logger.js';
import type { ReloadResult, Gateway } from './gateway.js';

export type ToWorker = { type: 'runtime:reload' } | { type: 'runtime:shutdown' };
export type ToPrimary =
  | { type: 'runtime:ready'; status: unknown; listeners: { kind: string; url: string }[] }
  | { type: 'runtime:reloaded'; result: ReloadResult; status: unknown }
  | { type: 'runtime:failed'; message: string };

interface WorkerState {
  index: number;
  worker: Worker;
  ready: boolean;
  status?: unknown;
  listeners: { kind: string; url: string }[];
}

export interface SupervisorOptions {
  workers: number;
  logger: Logger;
  /** Longest wait for workers to drain on shutdown before they are killed. */
  drainTimeoutMs: number;
  /** The workers share token-provider tokens through this primary (no Redis). */
  shareTokens?: boolean;
}

/** Primary side. */
export class ClusterSupervisor implements ControlSource {
  private readonly states = new Map<number, WorkerState>();
  private readonly aggregator = new AggregatorRegistry();
  private stopping = false;
  private everReady = false;
  private failure?: (message: string) => void;
  private readonly tokens?: TokenBroker;

  constructor(private readonly options: SupervisorOptions) {
    if (options.shareTokens) this.tokens = new TokenBroker();
  }

  /** Forks the workers; resolves when all are ready, rejects when one cannot start. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.failure = (message) => reject(new Error(message));
      const onReady = () => {
        if (!this.everReady && [...this.states.values()].filter((s) => s.ready).length === this.options.workers) {
          this.everReady = true;
          resolve();
        }
      };
      for (let i = 0; i < this.options.workers; i++) this.fork(i, onReady);
    });
  }

  private fork(index: number, onReady: () => void): void {
    const worker = cluster.fork({ RUNTIME_WORKER_INDEX: String(index) });
    const state: WorkerState = { index, worker, ready: false, listeners: [] };
    this.states.set(index, state);
    worker.on('message', (message: ToPrimary) => {
      if (isTokenMessage(message)) {
        this.tokens?.handle(index, message, (answer) => {
          if (worker.isConnected()) worker.send(answer);
        });
      } else if (message?.type === 'runtime:ready') {
        state.ready = true;
        state.status = message.status;
        state.listeners = message.listeners;
        onReady();
      } else if (message?.type === 'runtime:reloaded') {
        state.status = message.status;
      } else if (message?.type === 'runtime:failed') {
        this.failure?.(message.message);
      }
    });
    worker.on('exit', (code, signal) => {
      state.ready = false;
      this.tokens?.workerGone(index);
      if (this.stopping) return;
      if (!this.everReady) {
        this.failure?.(`worker ${index} exited during startup (${signal ?? `code ${code}`})`);
        return;
      }
      this.options.logger.error({ worker: index, pid: worker.process.pid, code, signal }, `worker ${index} exited unexpectedly; starting a new one`);
      setTimeout(() => !this.stopping && this.fork(index, () => undefined), 500).unref();
    });
  }

  private send(message: ToWorker): void {
    for (const s of this.states.values()) {
      try {
        if (s.worker.isConnected()) s.worker.send(message);
      } catch {
        // the worker is going away
      }
    }
  }

  reload(): Promise<unknown> {
    this.send({ type: 'runtime:reload' });
    return Promise.resolve({ result: 'forwarded', workers: this.states.size });
  }

  /** Tells every worker to drain and exit; kills the ones still running after the drain timeout. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    const exits = [...this.states.values()].filter((s) => !s.worker.isDead()).map((s) => new Promise<void>((resolve) => s.worker.once('exit', () => resolve())));
    this.send({ type: 'runtime:shutdown' });
    const timer = setTimeout(() => {
      for (const s of this.states.values()) if (!s.worker.isDead()) s.worker.process.kill('SIGKILL');
    }, this.options.drainTimeoutMs + 5000);
    await Promise.all(exits);
    clearTimeout(timer);
  }

  ready(): boolean {
    return !this.stopping && this.states.size === this.options.workers && [...this.states.values()].every((s) => s.ready);
  }

  readiness(): ReturnType<ControlSource['readiness']> {
    const listeners = [...this.states.values()].flatMap((s) => s.listeners.map((l) => ({ ...l, up: s.ready })));
    return { status: this.stopping ? 'draining' : this.ready() ? 'ready' : 'starting', listeners };
  }

  async metricsText(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.aggregator.contentType, text: await this.aggregator.clusterMetrics() };
  }

  status(): unknown {
    return {
      mode: 'cluster',
      status: this.readiness().status,
      pid: process.pid,
      workers: [...this.states.values()].map((s) => ({ index: s.index, pid: s.worker.process.pid, ready: s.ready, status: s.status })),
    };
  }
}

/**
 * Worker side: reports readiness and reloads to the primary, obeys its
 * reload/shutdown messages, and answers its metrics requests from the
 * runtime's own registry.
 */
export function attachWorker(runtime: Gateway, onShutdown: () => void): void {
  AggregatorRegistry.setRegistries([runtime.metrics.registry]);
  new AggregatorRegistry(); // installs the worker's answer to the primary's metrics requests
  const send = (message: ToPrimary) => {
    if (process.connected) process.send?.(message);
  };
  send({ type: 'runtime:ready', status: runtime.status(), listeners: runtime.summaries.map((s) => ({ kind: s.kind, url: s.url })) });
  runtime.on('reload', (result) => send({ type: 'runtime:reloaded', result, status: runtime.status() }));
  process.on('message', (message: ToWorker) => {
    if (message?.type === 'runtime:reload') void runtime.reload();
    else if (message?.type === 'runtime:shutdown') onShutdown();
  });
  // The primary is gone: nobody will route connections to us any more.
  process.once('disconnect', onShutdown);
}

export function reportWorkerFailure(message: string): void {
  if (process.connected) process.send?.({ type: 'runtime:failed', message } satisfies ToPrimary);
}
