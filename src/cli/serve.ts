/**
 * `runtime serve`: starts the Gateway (or, with --workers N, a cluster of
 * them), hot-reloads on SIGHUP and --watch, and shuts down gracefully on
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish (at most
 * --drain-timeout), exit 0. A second signal while draining exits at once (1).
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { parseDotenv } from '../engine/binds.js';
import { Redactor } from '../engine/redact.js';
import { parseTokenProviderSpec, tokenProvidersFromConfig, TokenProviderConfigError, type TokenProviders, type TokenStore } from '../engine/tokens/index.js';
import { buildControlApp, ALL_CONTROL_FEATURES } from '../exposes/control/app.js';
import { loadCapabilities } from '../capability/loader.js';
import { attachWorker, ClusterSupervisor, reportWorkerFailure } from '../server/cluster.js';
import { HttpListener } from '../server/listener.js';
import { createLogger, type Logger } from '../server/logger.js';
import { planListeners } from '../server/plan.js';
import { Gateway, StartupError, UpstreamKeyError } from '../server/gateway.js';
import type { SharedState } from '../server/shared-state/index.js';
import { FileWatcher } from '../server/watch.js';
import { serveStdio } from '../exposes/mcp/stdio.js';
import { UsageError, type ServeConfig } from './config.js';
import { startTracing } from '../policies/tracing.js';
import { renderDiagnostics } from './report.js';

export async function serve(config: ServeConfig): Promise<number> {
  const redactor = new Redactor();
  // In stdio mode stdout carries the MCP protocol and nothing else: logs go to stderr.
  const base = createLogger({ level: config.logLevel, redactor, stderr: config.stdio, pretty: config.logFormat === 'auto' ? undefined : config.logFormat === 'pretty' });
  if (config.workers > 1 && cluster.isPrimary && !config.stdio) return servePrimary(config, base);
  const logger = cluster.isWorker ? base.child({ worker: Number(process.env.RUNTIME_WORKER_INDEX ?? cluster.worker?.id ?? 0) }) : base;
  return serveRuntime(config, logger, redactor);
}

function hasTokenProviders(config: ServeConfig): boolean {
  return config.tokenProviders !== undefined || config.tokenProviderFlags.length > 0;
}

/**
 * Redis (`--redis-url`) and, in a `--workers` worker without Redis, the
 * primary: where this process shares tokens and limits. Undefined when
 * nothing is shared (the module, and the Redis client, are not even loaded).
 */
async function sharedState(config: ServeConfig, logger: Logger, worker: boolean): Promise<SharedState | undefined> {
  const tokens = hasTokenProviders(config);
  if (!config.redis && !(worker && tokens)) return undefined;
  const { SharedState, StateKeyError } = await import('../server/shared-state/index.js');
  try {
    return SharedState.create({ redis: config.redis, worker, tokens, logger, env: process.env });
  } catch (error) {
    if (error instanceof StateKeyError) throw new UsageError(error.message);
    throw error;
  }
}

/** runtime.yaml `tokenProviders` and `--token-provider` (flags win per variable), or undefined when neither is given. */
function tokenProviders(config: ServeConfig, redactor: Redactor, tokenStore?: TokenStore): TokenProviders | undefined {
  if (config.tokenProviders === undefined && config.tokenProviderFlags.length === 0) return undefined;
  try {
    let factory = tokenProvidersFromConfig(config.tokenProviders, config.configFile ? `${config.configFile} tokenProviders` : undefined);
    if (config.tokenProviderFlags.length > 0) factory = factory.merge(parseTokenProviderSpec(config.tokenProviderFlags));
    const env = () => ({ ...(config.envFile ? parseDotenv(readFileSync(config.envFile, 'utf8')) : {}), ...process.env });
    return factory.create({ routes: config.upstreams, env, redactor, tokenStore });
  } catch (error) {
    if (error instanceof TokenProviderConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** One process serving everything (also each cluster worker). */
async function serveRuntime(config: ServeConfig, logger: Logger, redactor: Redactor): Promise<number> {
  const worker = cluster.isWorker;
  // OpenTelemetry: only when OTEL_* asks for it (nothing is loaded otherwise).
  const tracing = await startTracing(process.env);
  if (tracing) {
    logger.info({ exporter: tracing.plan.exporter, destination: tracing.plan.destination }, `tracing: spans sent to ${tracing.plan.destination}`);
    for (const warning of tracing.plan.warnings) logger.warn(`tracing: ${warning}`);
  }
  const shared = await sharedState(config, logger, worker);
  const providers = tokenProviders(config, redactor, shared?.tokenStore);
  providers?.useLogger(logger);
  let runtime: Gateway;
  try {
    runtime = await Gateway.start({
      paths: config.paths,
      host: config.host,
      restPort: config.restPort,
      mcpPort: config.mcpPort,
      // In a cluster the primary serves the control endpoints (with metrics of every worker).
      controlPort: worker ? undefined : config.controlPort,
      upstreams: config.upstreams,
      // With --watch, files (and their namespaces) may arrive later, so an override that matches
      // nothing yet is a warning; without it, a key that matches nothing is a typo and refuses to start.
      allowUnmatchedUpstreams: config.watch === true,
      envFile: config.envFile,
      strictBinds: config.strict,
      skipInvalid: config.skipInvalid,
      maxBodyBytes: config.maxBodyBytes,
      maxFileBytes: config.maxFileBytes,
      maxConnections: config.maxConnections,
      upstreamTimeoutMs: config.upstreamTimeoutMs,
      allowedOrigins: config.allowedOrigins,
      allowedHosts: config.allowedHosts,
      drainTimeoutMs: config.drainTimeoutMs,
      stdio: config.stdio,
      providers,
      tokenProviders: config.tokenProviders,
      policies: config.policies,
      rateLimitStore: shared?.bucketStore,
      logger,
      redactor,
    });
  } catch (error) {
    await providers?.close();
    await shared?.close();
    if (error instanceof StartupError) {
      if (worker) reportWorkerFailure(error.message);
      else printStartupError(error);
      // An --upstream key that overrides nothing is a usage error, like a malformed flag.
      return error instanceof UpstreamKeyError ? 2 : 1;
    }
    throw error;
  }
  if (!worker) {
    if (config.configFile) logger.info({ config: config.configFile }, `configuration read from ${config.configFile}`);
    for (const s of runtime.summaries) logger.info({ kind: s.kind, url: s.url, adapters: s.adapters }, describeListener(s));
    if (config.upstreams.size > 0) logger.info({ upstreams: config.upstreams.entries() }, 'upstream overrides active');
    for (const p of providers?.summary() ?? []) {
      logger.info({ variable: p.variable, tokenUrl: p.tokenUrl }, `token provider: ${p.describe}`);
      if (p.missing.length > 0) logger.warn({ variable: p.variable, missing: p.missing }, `token provider ${p.variable}: ${p.missing.join(', ')} not set; calls that need it will fail`);
    }
  }
  shared?.registerMetrics(runtime.metrics.registry);
  logger.info({ files: runtime.files.length, generation: runtime.generationId, pid: process.pid }, `ready: ${runtime.files.length} capability file(s)`);

  let watcher: FileWatcher | undefined;
  if (config.watch && !worker) {
    watcher = await FileWatcher.start([...config.paths, ...(config.envFile ? [config.envFile] : [])], () => void runtime.reload(), { logger });
    logger.info({ paths: config.paths }, 'watching capability files for changes');
  }
  const onHup = () => {
    logger.info({ signal: 'SIGHUP' }, 'reloading');
    void runtime.reload();
  };
  // Workers reload when the primary says so; a stray SIGHUP (terminal hang-up) must not kill them.
  process.on('SIGHUP', worker ? () => undefined : onHup);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (reason: string) => {
      if (stopping) {
        if (reason !== 'primary') {
          logger.warn({ signal: reason }, 'second signal while draining: exiting now');
          flushThenExit(logger, 1);
        }
        return;
      }
      stopping = true;
      watcher?.close();
      process.off('SIGHUP', onHup);
      logger.info({ signal: reason, drainTimeoutMs: config.drainTimeoutMs }, 'shutting down: no new connections, draining in-flight requests');
      void runtime.close(config.drainTimeoutMs).then(resolve, resolve);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    if (worker) attachWorker(runtime, () => stop('primary'));
    if (config.stdio) {
      const protocol = runtime.stdioProtocol;
      if (!protocol) {
        logger.error('--stdio: the capability files expose no MCP adapter');
        stop('no-mcp');
        return;
      }
      const session = serveStdio(protocol, process.stdin, process.stdout, logger, { observe: (event) => runtime.observe?.(event) });
      logger.info({ tools: protocol.current.tools.length }, `MCP over stdio: ${protocol.current.tools.length} tool(s)`);
      // The client closing stdin ends the session, as the MCP stdio transport specifies.
      void session.closed.then(() => stop('stdin closed'));
    }
  });
  await providers?.close();
  await tracing?.shutdown().catch((error: unknown) => logger.warn({ error: (error as Error).message }, 'tracing: last spans could not be exported'));
  await shared?.close();
  logger.info('stopped');
  flushThenExit(logger, 0);
  return 0;
}

/** --workers N: fork, supervise, forward signals; serve the control endpoints. */
async function servePrimary(config: ServeConfig, logger: Logger): Promise<number> {
  // Validate once here so problems are printed once, not by every worker.
  const loaded = await loadCapabilities(config.paths, { maxFileBytes: config.maxFileBytes });
  const plan = planListeners(loaded.capabilities, { host: config.host, restPort: config.restPort, mcpPort: config.mcpPort, controlPort: config.controlPort });
  const errors = [...loaded.diagnostics, ...plan.diagnostics].filter((d) => d.severity === 'error');
  if (errors.length > 0 && (!config.skipInvalid || plan.diagnostics.length > 0)) {
    printStartupError(new StartupError(`${errors.length} error(s) in capability files`, errors));
    return 1;
  }
  await tokenProviders(config, new Redactor())?.close(); // configuration errors: once, here
  if (config.redis && hasTokenProviders(config)) {
    const { SharedState, StateKeyError } = await import('../server/shared-state/index.js');
    try {
      SharedState.checkKey({ redis: config.redis, tokens: true });
    } catch (error) {
      if (error instanceof StateKeyError) throw new UsageError(error.message);
      throw error;
    }
  }
  const supervisor = new ClusterSupervisor({
    workers: config.workers,
    logger,
    drainTimeoutMs: config.drainTimeoutMs,
    // Without Redis the workers share tokens through us; with it, each worker talks to Redis itself.
    shareTokens: !config.redis && hasTokenProviders(config),
  });
  let control: HttpListener | undefined;
  if (config.controlPort !== undefined) {
    const app = buildControlApp(supervisor, ALL_CONTROL_FEATURES);
    control = new HttpListener('control', config.host, config.controlPort, (request) => app.fetch(request), { maxConnections: config.maxConnections });
    try {
      await control.listen();
    } catch (error) {
      process.stderr.write(`runtime: cannot start: cannot listen on ${config.host}:${config.controlPort} (${(error as NodeJS.ErrnoException).code})\n`);
      return 1;
    }
    logger.info({ kind: 'control', url: control.url }, `CONTROL listening on ${control.url} (metrics of all workers)`);
  }
  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: reason }, 'shutting down: draining every worker');
    await supervisor.shutdown();
    await control?.close(1000);
  };
  const done = new Promise<void>((resolve) => {
    process.on('SIGINT', () => void stop('SIGINT').then(resolve));
    process.on('SIGTERM', () => void stop('SIGTERM').then(resolve));
  });
  try {
    await supervisor.start();
  } catch (error) {
    process.stderr.write(`runtime: cannot start: ${(error as Error).message}\n`);
    await stop('startup-failure');
    return 1;
  }
  logger.info({ workers: config.workers, pid: process.pid }, `ready: ${config.workers} workers sharing the listeners`);
  const reload = () => void supervisor.reload();
  process.on('SIGHUP', () => {
    logger.info({ signal: 'SIGHUP' }, 'reloading every worker');
    reload();
  });
  let watcher: FileWatcher | undefined;
  if (config.watch) watcher = await FileWatcher.start([...config.paths, ...(config.envFile ? [config.envFile] : [])], reload, { logger });
  await done;
  watcher?.close();
  logger.info('stopped');
  flushThenExit(logger, 0);
  return 0;
}

function describeListener(s: { kind: string; url: string; adapters: string[]; routes: unknown[]; tools: unknown[] }): string {
  const what = s.kind === 'rest' ? `${s.routes.length} route(s)` : s.kind === 'mcp' ? `${s.tools.length} tool(s)` : 'health, metrics, status';
  return `${s.kind.toUpperCase()} listening on ${s.url} — ${s.adapters.join(', ')} — ${what}`;
}

function printStartupError(error: StartupError): void {
  process.stderr.write(`runtime: cannot start: ${error.message}\n`);
  // The message already names each unmatched --upstream key (no file to point into).
  if (error.diagnostics.length > 0 && !(error instanceof UpstreamKeyError)) process.stderr.write(`${renderDiagnostics(error.diagnostics, 'text', new Set(error.diagnostics.map((d) => d.file)).size)}\n`);
}

/** Exits once the log lines are written; something left open (a stuck socket) cannot keep the process alive. */
function flushThenExit(logger: Logger, code: number): void {
  const exit = () => process.exit(code);
  const timer = setTimeout(exit, 2000);
  timer.unref();
  try {
    logger.flush((error) => {
      if (error) exit();
      else setImmediate(exit);
    });
  } catch {
    setImmediate(exit);
  }
}
