/**
 * The running gateway: loads capability files, builds the executable engine
 * for each, groups adapters into shared listeners, and serves them. A
 * "generation" is one consistent build of everything; reload builds a new one
 * and swaps it into the running listeners in one synchronous step, so a
 * request sees either the old or the new version, never a mix, and requests
 * already running finish on the version they started with.
 *
 * Reload is per file: a changed or added file that does not validate is not
 * served (a changed one keeps its previous version), and the error is logged;
 * the other files' changes are applied. Conflicts across files (two files
 * declaring one route) reject the whole reload.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CapabilityEngine, type EngineServices } from '../engine/capability-engine.js';
import { parseDotenv, type ValueProvider } from '../engine/binds.js';
import { Redactor } from '../engine/redact.js';
import { preloadFormats } from '../engine/formats/index.js';
import { UpstreamClient } from '../engine/upstream/client.js';
import { UpstreamRoutes } from '../engine/upstream/routes.js';
import { buildControlApp, controlFeatures, mergeFeatures, ALL_CONTROL_FEATURES, type ControlSource } from '../exposes/control/app.js';
import { buildRestApp, type RequestObserver, type RestRoute } from '../exposes/rest/app.js';
import { buildMcpApp } from '../exposes/mcp/http.js';
import { compileInboundAuth } from '../exposes/auth/inbound.js';
import { oauth2Settings, protectedResourceMetadataPath } from '../exposes/auth/oauth2.js';
import { McpProtocol } from '../exposes/mcp/protocol.js';
import { McpRegistry } from '../exposes/mcp/registry.js';
import type { Diagnostic } from '../capability/diagnostics.js';
import { findCapabilityFiles, lintLoaded, loadCapabilitySource } from '../capability/loader.js';
import { usedBindVariables } from '../capability/bind-usage.js';
import type { Capability, McpAdapter } from '../capability/model.js';
import { parseSource } from '../capability/source.js';
import { HttpListener, type FetchHandler } from './listener.js';
import { createLogger, type Logger } from './logger.js';
import { RuntimeMetrics } from './metrics.js';
import { listenerKey, planListeners, type ListenerKind, type ListenerPlan } from './plan.js';

export { RUNTIME_VERSION } from '../version.js';
import { RUNTIME_VERSION } from '../version.js';

export interface GatewayOptions {
  paths: string[];
  host?: string;
  restPort?: number;
  mcpPort?: number;
  /** Serve /health/live, /health/ready, /metrics and /status on this port (its own listener). */
  controlPort?: number;
  /** Interface of the control listener (default: `host`). */
  controlHost?: string;
  upstreams?: UpstreamRoutes;
  /** dotenv file read before the environment; read again on every reload. */
  envFile?: string;
  /** Environment to read binds from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** A bind variable without a value is a startup error instead of a warning. */
  strictBinds?: boolean;
  /** Validate capability files as pure alpha2. */
  strictSchema?: boolean;
  /** Serve the valid files when some are invalid (instead of refusing to start). */
  skipInvalid?: boolean;
  logger?: Logger;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  maxBodyBytes?: number;
  upstreamTimeoutMs?: number;
  mcpPageSize?: number;
  allowedOrigins?: string[];
  allowedHosts?: string[];
  /** Runtime-level value providers for bind variables (e.g. OAuth2 tokens). */
  providers?: Map<string, ValueProvider>;
  /**
   * The `tokenProviders` section of runtime.yaml, passed through untouched for
   * the engine's token provider module to turn into `providers`.
   */
  tokenProviders?: unknown;
  redactor?: Redactor;
  /** How long close() waits for in-flight requests (ms, default 10000). */
  drainTimeoutMs?: number;
  /**
   * Serve every MCP adapter (both transports) over the process's stdin/stdout
   * instead of ports (`serve --stdio`, for desktop MCP clients). Without it,
   * adapters declared `transport: stdio` are not served (a warning says so).
   */
  stdio?: boolean;
  /** Node process metrics (event loop, GC, memory) in /metrics (default true). */
  processMetrics?: boolean;
}

export interface ListenerSummary {
  kind: ListenerKind;
  url: string;
  host: string;
  port: number;
  adapters: string[];
  routes: { method: string; path: string; operation: string; file: string }[];
  tools: string[];
}

export class StartupError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(message);
  }
}

/** One version of one capability file. */
export interface LoadedFile {
  file: string;
  label: string;
  /** sha256 of the content (first 16 hex digits). */
  version: string;
  loadedAt: string;
  capability: Capability;
}

interface Generation {
  id: number;
  loadedAt: string;
  files: LoadedFile[];
  /** New or changed files that did not validate and are not served in this version. */
  invalid: { file: string; previous?: string }[];
  runtimes: CapabilityEngine[];
  plans: ListenerPlan[];
  diagnostics: Diagnostic[];
}

export interface ReloadResult {
  result: 'applied' | 'unchanged' | 'rejected';
  generation: number;
  added: string[];
  changed: string[];
  removed: string[];
  /** Changed files that did not validate: their previous version keeps serving. */
  keptPrevious: string[];
  /** Added files that did not validate: not served. */
  skipped: string[];
  errors: { file: string; line?: number; column?: number; code: string; message: string }[];
  durationMs: number;
}

interface Mounted {
  key: string;
  kind: ListenerKind;
  listener: HttpListener;
  protocol?: McpProtocol;
  summary: ListenerSummary;
}

interface Prepared {
  plan: ListenerPlan;
  key: string;
  handler: FetchHandler;
  summary: ListenerSummary;
  protocol?: McpProtocol;
  registry?: McpRegistry;
}

type State = 'starting' | 'ready' | 'draining' | 'closed';

export interface GatewayEvents {
  reload: [ReloadResult];
  /** The tools/resources/prompts of an MCP listener changed (stdio transports can send list_changed). */
  'mcp-changed': [{ key: string; protocol: McpProtocol }];
}

export class Gateway extends EventEmitter<GatewayEvents> implements ControlSource {
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly metrics: RuntimeMetrics;
  /** Diagnostics of the version being served (replaced on every applied reload). */
  readonly diagnostics: Diagnostic[] = [];
  private readonly client: UpstreamClient;
  private readonly mounted = new Map<string, Mounted>();
  private stdioMcp?: McpProtocol;
  private readonly warnedStdio = new Set<string>();
  private readonly retiring = new Set<Promise<void>>();
  private generation?: Generation;
  private state: State = 'starting';
  private readonly startedAt = Date.now();
  private reloading?: Promise<ReloadResult>;
  private reloadAgain?: Promise<ReloadResult>;
  private readonly reloadCounts = { applied: 0, unchanged: 0, rejected: 0 };
  private lastReload?: ReloadResult & { at: string };
  observe?: RequestObserver;

  private constructor(private readonly options: GatewayOptions) {
    super();
    this.redactor = options.redactor ?? new Redactor();
    this.logger = options.logger ?? createLogger({ level: options.logLevel ?? 'info', redactor: this.redactor });
    this.client = new UpstreamClient({ timeoutMs: options.upstreamTimeoutMs });
    this.metrics = new RuntimeMetrics(
      {
        inFlight: () => this.inFlight,
        ready: () => this.ready(),
        listeners: () => [...this.mounted.values()],
        files: () => this.generation?.files.length ?? 0,
        generation: () => this.generation?.id ?? 0,
      },
      { processMetrics: options.processMetrics },
    );
    if (options.tokenProviders !== undefined && options.providers === undefined) {
      this.logger.warn('runtime.yaml `tokenProviders` was given but no token provider module consumed it; binds are resolved from the environment.');
    }
    const logger = this.logger;
    const metrics = this.metrics;
    this.observe = (event) => {
      metrics.request(event);
      const level = event.status >= 500 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return; // no line to write: build nothing
      const fields = {
        surface: event.surface,
        adapter: event.adapter,
        operation: event.operation,
        status: event.status,
        durationMs: round(event.durationMs),
        upstreamStatus: event.upstreamStatus,
        upstreamMs: event.upstreamMs === undefined ? undefined : round(event.upstreamMs),
        requestId: event.requestId,
        ...(event.error ? { error: event.error } : {}),
      };
      logger[level](fields, 'request');
    };
  }

  /** Loads, validates and starts serving. Throws StartupError with diagnostics when it cannot. */
  static async start(options: GatewayOptions): Promise<Gateway> {
    const runtime = new Gateway(options);
    try {
      const { generation } = await runtime.build(undefined);
      await runtime.activate(generation);
      runtime.state = 'ready';
    } catch (error) {
      await runtime.close(0);
      throw error;
    }
    return runtime;
  }

  // ---------------------------------------------------------------- build

  private environment(): Record<string, string | undefined> {
    const fileEnv = this.options.envFile ? parseDotenv(readFileSync(this.options.envFile, 'utf8')) : {};
    return { ...fileEnv, ...(this.options.env ?? process.env) };
  }

  /**
   * Loads every file and builds a generation. At startup (no previous) invalid
   * files are fatal unless skipInvalid; on reload they fall back to their
   * previous version (or are left out when new).
   */
  private async build(previous: Generation | undefined): Promise<{ generation: Generation; errors: Diagnostic[] }> {
    const strict = this.options.strictSchema;
    const found = await findCapabilityFiles(this.options.paths);
    const diagnostics: Diagnostic[] = [...found.diagnostics];
    const fresh: LoadedFile[] = [];
    const loadedAt = new Date().toISOString();
    for (const file of found.files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        diagnostics.push({ code: 'file-unreadable', severity: 'error', message: `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, file, pointer: '' });
        continue;
      }
      const version = createHash('sha256').update(text).digest('hex').slice(0, 16);
      const before = previous?.files.find((f) => f.file === file);
      const result = await loadCapabilitySource(parseSource(file, text), { strict });
      diagnostics.push(...result.diagnostics);
      if (result.capability) fresh.push({ file, label: result.capability.label, version, loadedAt: before?.version === version ? before.loadedAt : loadedAt, capability: result.capability });
    }
    diagnostics.push(...lintLoaded(fresh.map((f) => f.capability), diagnostics));
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (previous === undefined && errors.length > 0 && !this.options.skipInvalid) {
      this.metrics.validation(errors.length);
      throw new StartupError(`${errors.length} error(s) in capability files`, diagnostics);
    }

    const badFiles = new Set(errors.map((d) => d.file));
    const invalid: Generation['invalid'] = [];
    const files: LoadedFile[] = [];
    for (const file of found.files) {
      const before = previous?.files.find((f) => f.file === file);
      if (badFiles.has(file)) {
        invalid.push({ file, previous: before?.version });
        if (before) files.push(before);
        continue;
      }
      const f = fresh.find((x) => x.file === file);
      if (f) files.push(f);
    }

    // Binds: resolve per file; under --strict a missing value makes that file invalid.
    const services: EngineServices = {
      client: this.client,
      routes: this.upstreamRoutes(),
      environment: { env: this.environment(), providers: this.options.providers ?? new Map(), redactor: this.redactor },
    };
    const runtimes: CapabilityEngine[] = [];
    const kept: LoadedFile[] = [];
    const bindProblems: Diagnostic[] = [];
    await preloadFormats(files.flatMap((f) => f.capability.consumes.flatMap((api) => api.resources.flatMap((r) => r.operations.map((o) => o.outputRawFormat)))));
    for (const f of files) {
      const runtime = new CapabilityEngine(f.capability, services);
      const problems: Diagnostic[] = [];
      const used = usedBindVariables(f.capability);
      for (const m of runtime.binds.missing) {
        // A variable nothing reads (a seed's spare credentials) needs no value: info, never fatal.
        const needed = used.has(m.variable);
        problems.push({
          code: 'bind-missing',
          severity: !needed ? 'info' : this.options.strictBinds ? 'error' : 'warning',
          message: `Bind variable \`${m.variable}\` has no value (${m.source === 'environment' ? `environment variable \`${m.key}\` is not set` : `key \`${m.key}\` missing in ${m.source}`}); ${needed ? 'operations that need it will answer 503.' : 'nothing in this file uses it.'}`,
          file: m.loc.file,
          pointer: m.loc.pointer,
          position: m.loc.position,
        });
      }
      for (const p of runtime.binds.problems) {
        problems.push({ code: 'bind-source', severity: this.options.strictBinds ? 'error' : 'warning', message: p.message, file: p.loc.file, pointer: p.loc.pointer, position: p.loc.position });
      }
      bindProblems.push(...problems);
      if (this.options.strictBinds && problems.some((p) => p.severity === 'error')) {
        if (previous === undefined) continue; // reported below
        const before = previous.files.find((p) => p.file === f.file);
        if (!invalid.some((i) => i.file === f.file)) invalid.push({ file: f.file, previous: before?.version });
        if (before && before !== f) {
          kept.push(before);
          runtimes.push(new CapabilityEngine(before.capability, services));
        }
        continue;
      }
      kept.push(f);
      runtimes.push(runtime);
    }
    if (previous === undefined && this.options.strictBinds && bindProblems.some((p) => p.severity === 'error')) throw new StartupError('Bind variables without values (--strict)', bindProblems);
    // On reload, only files that are new or changed repeat their warnings.
    const unchangedFiles = new Set((previous?.files ?? []).filter((p) => kept.some((k) => k.file === p.file && k.version === p.version)).map((p) => p.file));
    for (const d of bindProblems) if (!unchangedFiles.has(d.file)) this.logger[d.severity === 'info' ? 'info' : 'warn']({ file: d.file, line: d.position?.line, code: d.code }, d.message);
    diagnostics.push(...bindProblems);
    const allErrors = diagnostics.filter((d) => d.severity === 'error');
    this.metrics.validation(allErrors.length);

    if (kept.length === 0) throw new StartupError('No capability file to serve.', diagnostics);
    const capabilities = kept.map((f) => f.capability);
    const planned = planListeners(capabilities, {
      host: this.options.host ?? '127.0.0.1',
      restPort: this.options.restPort,
      mcpPort: this.options.mcpPort,
      controlPort: this.options.controlPort,
      controlHost: this.options.controlHost,
      stdio: this.options.stdio,
    });
    if (planned.diagnostics.length > 0) throw new StartupError('Conflicting adapters', planned.diagnostics);
    const generation: Generation = {
      id: (previous?.id ?? 0) + 1,
      loadedAt,
      files: kept,
      invalid,
      runtimes,
      plans: planned.listeners,
      diagnostics,
    };
    return { generation, errors: allErrors };
  }

  // ---------------------------------------------------------------- activate

  /** Builds every listener's handler for a generation without touching the running listeners. */
  private prepare(generation: Generation): Prepared[] {
    const runtimeOf = new Map(generation.runtimes.map((r) => [r.capability, r]));
    const prepared: Prepared[] = [];
    for (const plan of generation.plans) {
      const key = listenerKey(plan);
      const base = { kind: plan.kind, url: '', host: plan.host, port: plan.port, routes: [], tools: [] };
      if (plan.kind === 'rest') {
        const routes: RestRoute[] = [];
        for (const { capability, adapter } of plan.rest) {
          const runtime = runtimeOf.get(capability)!;
          const auth = compileInboundAuth(adapter.authentication, runtime.binds, adapter.namespace, { routes: this.upstreamRoutes() });
          for (const resource of adapter.resources) {
            for (const operation of resource.operations) {
              routes.push({
                method: operation.method,
                path: resource.path,
                compiled: runtime.compile(operation, adapter.namespace, [...adapter.inputParameters, ...resource.inputParameters]),
                label: `${adapter.namespace}.${operation.name}`,
                file: capability.file,
                auth,
              });
            }
            const forward = resource.forward ? runtime.forward(resource.forward) : undefined;
            if (forward) routes.push({ method: 'ALL', path: resource.path, compiled: forward, label: `${adapter.namespace}.forward`, file: capability.file, auth });
          }
        }
        const app = buildRestApp(routes, { redactor: this.redactor, logger: this.logger, maxBodyBytes: this.maxBodyBytes, observe: (e) => this.observe?.(e) });
        prepared.push({
          plan,
          key,
          handler: (request, env) => app.fetch(request, env),
          summary: { ...base, adapters: plan.rest.map((p) => p.adapter.namespace), routes: routes.map((r) => ({ method: r.method, path: r.path, operation: r.label, file: r.file })) },
        });
      } else if (plan.kind === 'mcp') {
        const registry = this.buildRegistry(plan, runtimeOf);
        const protocol =
          this.mounted.get(key)?.protocol ??
          new McpProtocol(registry, { redactor: this.redactor, logger: this.logger, pageSize: this.options.mcpPageSize ?? 50, maxErrorText: 4096, observe: (e) => this.observe?.(e) });
        const app = buildMcpApp(() => protocol, {
          origin: { allowedOrigins: this.options.allowedOrigins ?? [], allowedHosts: this.options.allowedHosts ?? defaultAllowedHosts(plan.host) },
          maxBodyBytes: this.maxBodyBytes,
          ...mcpAuth(plan, runtimeOf, this.upstreamRoutes()),
        });
        prepared.push({
          plan,
          key,
          protocol,
          registry,
          handler: (request, env) => app.fetch(request, env),
          summary: { ...base, adapters: plan.mcp.map((p) => p.adapter.namespace), tools: registry.tools.map((t) => t.name) },
        });
      } else {
        const features = plan.builtin ? ALL_CONTROL_FEATURES : mergeFeatures(plan.control.map((c) => controlFeatures(c.adapter.settings)));
        const app = buildControlApp(this, features);
        prepared.push({
          plan,
          key,
          handler: (request, env) => app.fetch(request, env),
          summary: { ...base, adapters: plan.builtin ? ['--control-port'] : plan.control.map((c) => c.adapter.namespace ?? `control (${c.capability.file})`) },
        });
      }
    }
    return prepared;
  }

  /**
   * Starts the listeners a generation adds, then swaps every handler in one
   * synchronous step, then retires the listeners it no longer has.
   */
  private async activate(generation: Generation): Promise<void> {
    const prepared = this.prepare(generation);
    const wanted = new Set(prepared.map((p) => p.key));
    const removed = [...this.mounted.values()].filter((m) => !wanted.has(m.key));
    const started: Mounted[] = [];
    try {
      for (const p of prepared) {
        if (this.mounted.has(p.key)) continue;
        // A port moving from one kind of listener to another: free it first.
        const clash = removed.find((m) => m.listener.host === p.plan.host && m.listener.port === p.plan.port && p.plan.port !== 0);
        if (clash) {
          this.mounted.delete(clash.key);
          removed.splice(removed.indexOf(clash), 1);
          await clash.listener.close(this.drainMs);
        }
        const listener = new HttpListener(p.plan.kind, p.plan.host, p.plan.port, p.handler);
        try {
          await listener.listen();
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          throw new StartupError(
            `Cannot listen on ${p.plan.host}:${p.plan.port} (${code === 'EADDRINUSE' ? 'port already in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message})`,
            [],
          );
        }
        started.push({ key: p.key, kind: p.plan.kind, listener, protocol: p.protocol, summary: p.summary });
      }
    } catch (error) {
      await Promise.all(started.map((m) => m.listener.close(0)));
      throw error;
    }

    // ---- the swap: synchronous, so no request sees half of it
    const changedMcp: Mounted[] = [];
    for (const m of started) this.mounted.set(m.key, m);
    for (const p of prepared) {
      const mounted = this.mounted.get(p.key)!;
      if (!started.includes(mounted)) mounted.listener.swap(p.handler);
      if (p.protocol && p.registry) {
        const before = p.protocol.current;
        p.protocol.setRegistry(p.registry);
        if (before !== p.registry && !started.includes(mounted) && !sameTools(before, p.registry)) changedMcp.push(mounted);
      }
      const suffix = p.plan.kind === 'mcp' ? '/mcp' : '';
      mounted.summary = { ...p.summary, url: mounted.listener.url + suffix, port: mounted.listener.port };
    }
    for (const m of removed) this.mounted.delete(m.key);
    this.generation = generation;
    this.diagnostics.length = 0;
    this.diagnostics.push(...generation.diagnostics);
    // ---- end of swap

    for (const m of removed) {
      this.logger.info({ kind: m.kind, url: m.summary.url }, `${m.kind.toUpperCase()} listener ${m.summary.url} no longer has adapters: stopping`);
      const closing = m.listener.close(this.drainMs).finally(() => this.retiring.delete(closing));
      this.retiring.add(closing);
    }
    for (const m of changedMcp) this.emit('mcp-changed', { key: m.key, protocol: m.protocol! });
    this.refreshStdio(generation);
  }

  /** The MCP protocol served over stdio (`serve --stdio`); undefined in port mode. */
  get stdioProtocol(): McpProtocol | undefined {
    return this.stdioMcp;
  }

  /** Rebuilds the stdio registry from every MCP adapter; `setRegistry` sends list_changed to stdio sessions. */
  private refreshStdio(generation: Generation): void {
    const stdioAdapters = generation.runtimes.flatMap((r) =>
      r.capability.exposes.filter((a): a is McpAdapter => a.type === 'mcp' && (this.options.stdio === true || a.transport === 'stdio')).map((adapter) => ({ capability: r.capability, adapter })),
    );
    if (!this.options.stdio) {
      for (const { capability, adapter } of stdioAdapters) {
        if (this.warnedStdio.has(`${capability.file}#${adapter.namespace}`)) continue;
        this.warnedStdio.add(`${capability.file}#${adapter.namespace}`);
        this.logger.warn({ file: capability.file, adapter: adapter.namespace }, `MCP adapter ${adapter.namespace} uses transport stdio: start \`runtime serve --stdio\` to serve it`);
      }
      return;
    }
    const runtimeOf = new Map(generation.runtimes.map((r) => [r.capability, r]));
    const registry = this.buildRegistry({ kind: 'mcp', host: 'stdio', port: 0, rest: [], mcp: stdioAdapters, control: [] } as ListenerPlan, runtimeOf);
    if (!this.stdioMcp) {
      this.stdioMcp = new McpProtocol(registry, {
        redactor: this.redactor,
        logger: this.logger,
        pageSize: this.options.mcpPageSize ?? 50,
        maxErrorText: 4096,
        observe: (e) => this.observe?.(e),
      });
    } else this.stdioMcp.setRegistry(registry);
  }

  buildRegistry(plan: ListenerPlan, runtimeOf: Map<Capability, CapabilityEngine>): McpRegistry {
    const registry = new McpRegistry({ name: plan.mcp.length === 1 ? plan.mcp[0]!.adapter.namespace : 'capability-runtime', version: RUNTIME_VERSION });
    for (const { capability, adapter } of plan.mcp) {
      const runtime = runtimeOf.get(capability)!;
      registry.addInstructions(adapter.description);
      for (const tool of adapter.tools) registry.addTool(tool, runtime.compile(tool, adapter.namespace), adapter.namespace, capability.file);
      for (const resource of adapter.resources) registry.addResource(resource, resource.invocable ? runtime.compile(resource.invocable, adapter.namespace) : undefined, adapter.namespace);
      for (const prompt of adapter.prompts) registry.addPrompt(prompt, adapter.namespace);
    }
    return registry;
  }

  // ---------------------------------------------------------------- reload

  /**
   * Re-reads every file and applies what changed. Never throws: a version
   * that cannot be applied is reported (`rejected`) and the old one keeps
   * serving. Concurrent calls are coalesced into one more run.
   */
  reload(): Promise<ReloadResult> {
    if (this.reloading) {
      this.reloadAgain ??= this.reloading.then(() => {
        this.reloadAgain = undefined;
        return this.reload();
      });
      return this.reloadAgain;
    }
    this.reloading = this.runReload().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async runReload(): Promise<ReloadResult> {
    const started = performance.now();
    const previous = this.generation;
    const empty = { added: [], changed: [], removed: [], keptPrevious: [], skipped: [], errors: [] };
    if (!previous || this.state !== 'ready') {
      return { result: 'rejected', generation: previous?.id ?? 0, ...empty, errors: [{ file: '', code: 'not-running', message: 'The runtime is not serving.' }], durationMs: 0 };
    }
    let outcome: ReloadResult;
    try {
      const { generation, errors } = await this.build(previous);
      const before = new Map(previous.files.map((f) => [f.file, f.version]));
      const after = new Map(generation.files.map((f) => [f.file, f.version]));
      const added = [...after.keys()].filter((f) => !before.has(f));
      const removed = [...before.keys()].filter((f) => !after.has(f) && !generation.invalid.some((i) => i.file === f));
      const changed = [...after.keys()].filter((f) => before.has(f) && before.get(f) !== after.get(f));
      const keptPrevious = generation.invalid.filter((i) => i.previous !== undefined).map((i) => i.file);
      const skipped = generation.invalid.filter((i) => i.previous === undefined).map((i) => i.file);
      const unchanged = added.length === 0 && removed.length === 0 && changed.length === 0 && this.sameInvalid(previous, generation);
      // Rebuild even when no capability file changed: env files, bind files and imports may have.
      await this.activate(generation);
      outcome = { result: unchanged ? 'unchanged' : 'applied', generation: generation.id, added, changed, removed, keptPrevious, skipped, errors: errors.map(summarize), durationMs: 0 };
    } catch (error) {
      const diagnostics = error instanceof StartupError ? error.diagnostics.filter((d) => d.severity === 'error') : [];
      const errors = diagnostics.length > 0 ? diagnostics.map(summarize) : [{ file: '', code: 'reload-failed', message: (error as Error).message }];
      outcome = { result: 'rejected', generation: previous.id, ...empty, errors, durationMs: 0 };
    }
    outcome.durationMs = round(performance.now() - started);
    outcome.errors = this.redactor.redactValue(outcome.errors);
    this.reloadCounts[outcome.result]++;
    this.metrics.reload(outcome.result);
    this.lastReload = { ...outcome, at: new Date().toISOString() };
    this.logReload(outcome);
    this.emit('reload', outcome);
    return outcome;
  }

  private sameInvalid(a: Generation, b: Generation): boolean {
    return a.invalid.length === b.invalid.length && a.invalid.every((i) => b.invalid.some((j) => j.file === i.file));
  }

  private logReload(r: ReloadResult): void {
    for (const e of r.errors) this.logger.error({ file: e.file, line: e.line, column: e.column, code: e.code }, `reload: ${e.file}${e.line ? `:${e.line}:${e.column ?? 0}` : ''} ${e.code}: ${e.message}`);
    for (const file of r.keptPrevious) this.logger.warn({ file }, `reload: ${file} does not validate; its previous version keeps serving`);
    for (const file of r.skipped) this.logger.warn({ file }, `reload: ${file} does not validate; not served`);
    const fields = { result: r.result, generation: r.generation, added: r.added, changed: r.changed, removed: r.removed, durationMs: r.durationMs };
    if (r.result === 'rejected') this.logger.error(fields, 'reload rejected: the previous version keeps serving');
    else this.logger.info(fields, r.result === 'applied' ? `reload applied: generation ${r.generation}` : 'reload: no capability file changed');
  }

  // ---------------------------------------------------------------- state

  private upstreamRoutes(): UpstreamRoutes {
    return this.options.upstreams ?? EMPTY_ROUTES;
  }

  private get maxBodyBytes(): number {
    return this.options.maxBodyBytes ?? 1024 * 1024;
  }

  private get drainMs(): number {
    return this.options.drainTimeoutMs ?? 10_000;
  }

  private get inFlight(): number {
    let n = 0;
    for (const m of this.mounted.values()) if (m.kind !== 'control') n += m.listener.activeRequests;
    return n;
  }

  get summaries(): ListenerSummary[] {
    return [...this.mounted.values()].map((l) => l.summary);
  }

  get capabilities(): Capability[] {
    return this.generation?.files.map((f) => f.capability) ?? [];
  }

  get files(): LoadedFile[] {
    return this.generation?.files ?? [];
  }

  get generationId(): number {
    return this.generation?.id ?? 0;
  }

  /** URL of the first listener of a kind (tests, demo). */
  url(kind: ListenerKind): string {
    const found = this.summaries.find((s) => s.kind === kind);
    if (!found) throw new Error(`No ${kind} listener`);
    return found.url;
  }

  ready(): boolean {
    if (this.state !== 'ready') return false;
    for (const m of this.mounted.values()) if (!m.listener.listening) return false;
    return true;
  }

  readiness(): ReturnType<ControlSource['readiness']> {
    const status = this.state === 'ready' ? 'ready' : this.state === 'starting' ? 'starting' : 'draining';
    return { status, listeners: [...this.mounted.values()].map((m) => ({ kind: m.kind, url: m.summary.url, up: m.listener.listening })) };
  }

  async metricsText(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.metrics.contentType, text: await this.metrics.text() };
  }

  status(): unknown {
    const g = this.generation;
    const doc = {
      status: this.readiness().status,
      version: RUNTIME_VERSION,
      pid: process.pid,
      node: process.version,
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      generation: g ? { id: g.id, loadedAt: g.loadedAt } : undefined,
      files: [
        ...(g?.files ?? []).map((f) => ({
          file: f.file,
          label: f.label,
          version: f.version,
          loadedAt: f.loadedAt,
          state: g?.invalid.some((i) => i.file === f.file) ? 'previous-version' : 'current',
        })),
        ...(g?.invalid ?? []).filter((i) => i.previous === undefined).map((i) => ({ file: i.file, state: 'invalid' })),
      ],
      listeners: [...this.mounted.values()].map((m) => ({
        kind: m.kind,
        url: m.summary.url,
        adapters: m.summary.adapters,
        routes: m.summary.routes.length,
        tools: m.summary.tools.length,
        activeRequests: m.listener.activeRequests,
      })),
      reloads: { ...this.reloadCounts, last: this.lastReload },
    };
    return this.redactor.redactValue(doc);
  }

  /** Stops accepting, lets in-flight requests finish (up to `drainMs`), then closes every socket. */
  async close(drainMs = this.drainMs): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'draining';
    const all = [...this.mounted.values()];
    // User listeners first; control listeners last, so readiness answers 503 while draining.
    await Promise.all(all.filter((m) => m.kind !== 'control').map((m) => m.listener.close(drainMs)));
    await Promise.all([...this.retiring]);
    await Promise.all(all.filter((m) => m.kind === 'control').map((m) => m.listener.close(Math.min(drainMs, 1000))));
    this.mounted.clear();
    this.state = 'closed';
    // Pool.close() waits for requests still running upstream; their callers are gone by now.
    await Promise.race([this.client.close(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    this.logger.flush?.();
  }
}

/** Loopback binds accept only loopback Host headers; a server bound to all interfaces accepts any host. */
function defaultAllowedHosts(host: string): string[] {
  return host === '0.0.0.0' || host === '::' ? ['*'] : host === '127.0.0.1' || host === 'localhost' || host === '::1' ? [] : [host];
}

function sameTools(a: McpRegistry, b: McpRegistry): boolean {
  if (a.tools.length !== b.tools.length || a.resources.length !== b.resources.length || a.prompts.length !== b.prompts.length) return false;
  return a.tools.every((t, i) => JSON.stringify(t.descriptor) === JSON.stringify(b.tools[i]!.descriptor));
}

function summarize(d: Diagnostic): ReloadResult['errors'][number] {
  return { file: d.file, line: d.position?.line, column: d.position?.column, code: d.code, message: d.message };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

const EMPTY_ROUTES = new UpstreamRoutes();

/**
 * Inbound authentication of an MCP listener (its adapters must agree, see plan.ts).
 * For oauth2, every challenge points at the RFC 9728 metadata the listener serves.
 */
function mcpAuth(plan: ListenerPlan, runtimeOf: Map<Capability, CapabilityEngine>, routes: UpstreamRoutes) {
  const first = plan.mcp[0];
  if (!first) return {};
  const auth = first.adapter.authentication;
  const binds = runtimeOf.get(first.capability)!.binds;
  const settings = auth?.type === 'oauth2' ? oauth2Settings(auth.settings) : undefined;
  if (!settings) return { auth: compileInboundAuth(auth, binds, first.adapter.namespace, { routes }) };
  const path = protectedResourceMetadataPath(settings.resource);
  const url = new URL(path, settings.resource).href;
  return {
    auth: compileInboundAuth(auth, binds, first.adapter.namespace, { routes, challengeExtra: `resource_metadata="${url}"` }),
    protectedResource: {
      path,
      document: {
        resource: settings.resource,
        authorization_servers: [settings.issuer],
        bearer_methods_supported: ['header'],
        ...(settings.scopes.length > 0 ? { scopes_supported: settings.scopes } : {}),
      },
    },
  };
}
