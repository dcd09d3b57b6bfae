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
import { EventEmitter } from 'node:events';
import { Redactor } from '../engine/redact.js';
import { UpstreamClient } from '../engine/upstream/client.js';
import { DEFAULT_DEADLINE, type PartialUpstreamPolicies, type UpstreamPolicyResolver } from '../engine/upstream/policies.js';
import { TokenProviders, registerTokenProviderMetrics } from '../engine/tokens/index.js';
import { UpstreamRoutes } from '../engine/upstream/routes.js';
import type { ValueProvider } from '../engine/binds.js';
import type { ControlSource } from '../exposes/control/app.js';
import type { McpProtocol } from '../exposes/mcp/protocol.js';
import type { Capability, McpAdapter } from '../capability/model.js';
import type { Diagnostic } from '../capability/diagnostics.js';
import type { RequestObserver } from '../http/observer.js';
import { unmatchedUpstreamKeys, upstreamKeyDiagnostics, UpstreamKeyError } from './upstream-keys.js';
import { buildGeneration, StartupError, type Generation, type LoadedFile } from './generation.js';
import { buildRegistry, createMcpProtocol, prepareListener, type HandlerServices, type ListenerSummary } from './handlers.js';
import { createLogger, type Logger } from './logger.js';
import { RuntimeMetrics } from './metrics.js';
import type { Policies } from '../policies/config.js';
import { InboundPolicies } from '../policies/inbound.js';
import type { BucketStore } from '../policies/rate-limit/store.js';
import { Mounts } from './mounting.js';
import type { ListenerKind } from './plan.js';
import { requestObserver } from './request-log.js';
import { DEFAULT_MAX_CONNECTIONS } from './listener.js';

export { RUNTIME_VERSION } from '../version.js';
import { RUNTIME_VERSION } from '../version.js';
export { StartupError, type LoadedFile } from './generation.js';
export { UpstreamKeyError } from './upstream-keys.js';
export type { ListenerSummary } from './handlers.js';

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
  /**
   * Accept `upstreams` keys that match nothing served at startup (only logged), for embedders that
   * pre-register overrides for files a later reload adds. The CLI sets it only with --watch (files may
   * arrive later); otherwise a key that matches nothing is a typo and must not start.
   */
  allowUnmatchedUpstreams?: boolean;
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
  /**
   * Upstream traffic policies (retry, circuitBreaker, cache, timeouts): one set for every call, or a
   * resolver per adapter/operation (what the `policies:` config produces). Defaults otherwise.
   */
  upstreamPolicies?: PartialUpstreamPolicies | UpstreamPolicyResolver;
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
  /** Size limit of one capability file in bytes (default 1 MiB). */
  maxFileBytes?: number;
  /** Open connections per listener (default 1024); more are closed on arrival. */
  maxConnections?: number;
  /** Traffic policies (runtime.yaml `policies:`, src/policies/config.ts); built-in defaults when absent. */
  policies?: Policies;
  /** Where rate-limit buckets live (Redis with `--redis-url`, src/server/shared-state); this process's memory when absent. */
  rateLimitStore?: BucketStore;
}

export interface ReloadResult {
  /** `partial`: some changes applied, some files refused (their previous version, if any, keeps serving). */
  result: 'applied' | 'partial' | 'unchanged' | 'rejected';
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
  /** Upstream policies per adapter/operation (from `policies:` or `upstreamPolicies`). */
  private readonly upstreamPolicies?: UpstreamPolicyResolver;
  private readonly mounts: Mounts;
  private readonly inbound: InboundPolicies;
  private stdioMcp?: McpProtocol;
  private readonly warnedStdio = new Set<string>();
  private generation?: Generation;
  private state: State = 'starting';
  private readonly startedAt = Date.now();
  private reloading?: Promise<ReloadResult>;
  private reloadAgain?: Promise<ReloadResult>;
  private readonly reloadCounts = { applied: 0, partial: 0, unchanged: 0, rejected: 0 };
  private lastReload?: ReloadResult & { at: string };
  observe?: RequestObserver;

  private constructor(private readonly options: GatewayOptions) {
    super();
    this.redactor = options.redactor ?? new Redactor();
    this.logger = options.logger ?? createLogger({ level: options.logLevel ?? 'info', redactor: this.redactor });
    const policies = options.upstreamPolicies;
    // Calls that bring no operation's policies (token mints) use the runtime's defaults.
    this.client = new UpstreamClient({ timeoutMs: options.upstreamTimeoutMs, policies: typeof policies === 'function' ? options.policies?.defaults : policies });
    this.upstreamPolicies = typeof policies === 'function' ? policies : policies === undefined && options.policies ? upstreamPoliciesOf(options.policies, options.upstreamTimeoutMs) : undefined;
    let lastDropWarning = 0;
    this.mounts = new Mounts(this.logger, {
      maxConnections: options.maxConnections,
      onDrop: () => {
        // One line a minute at most: the flood being refused must not flood the log too.
        if (Date.now() - lastDropWarning < 60_000) return;
        lastDropWarning = Date.now();
        this.logger.warn({ maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS }, 'connection refused: the listener has maxConnections open connections');
      },
    });
    this.metrics = new RuntimeMetrics(
      {
        inFlight: () => this.mounts.inFlight,
        ready: () => this.ready(),
        listeners: () => this.mounts.all(),
        files: () => this.generation?.files.length ?? 0,
        generation: () => this.generation?.id ?? 0,
      },
      { processMetrics: options.processMetrics },
    );
    this.client.observer = this.metrics.upstream;
    this.metrics.upstream.watch({ breakers: () => this.client.state().breakers, cache: () => this.client.state().cache, queues: () => this.client.state().queues });
    if (options.providers instanceof TokenProviders) registerTokenProviderMetrics(this.metrics.registry, () => (options.providers as TokenProviders).list);
    if (options.tokenProviders !== undefined && options.providers === undefined) {
      this.logger.warn('runtime.yaml `tokenProviders` was given but no token provider module consumed it; binds are resolved from the environment.');
    }
    this.observe = requestObserver(this.logger, this.metrics);
    const metrics = this.metrics;
    this.inbound = new InboundPolicies(options.policies, { store: options.rateLimitStore, observer: { limited: (scope) => metrics.rateLimited(scope) } });
    metrics.watchRateLimiter(() => this.inbound.stats());
  }

  /** Loads, validates and starts serving. Throws StartupError with diagnostics when it cannot. */
  static async start(options: GatewayOptions): Promise<Gateway> {
    // The `policies:` configuration resolves each operation's upstream policies too.
    const runtime = new Gateway(options.policies && options.upstreamPolicies === undefined ? { ...options, upstreamPolicies: options.policies.upstream } : options);
    try {
      const { generation } = await runtime.build(undefined);
      const unmatched = unmatchedUpstreamKeys(runtime.upstreamRoutes(), generation.runtimes, options.providers);
      for (const u of options.allowUnmatchedUpstreams ? unmatched : []) runtime.logger.warn({ upstream: u.key, suggestion: u.suggestion }, u.message);
      if (unmatched.length > 0 && !options.allowUnmatchedUpstreams) throw new UpstreamKeyError(unmatched.map((u) => u.message).join(' '), upstreamKeyDiagnostics(unmatched));
      await runtime.activate(generation);
      runtime.state = 'ready';
    } catch (error) {
      await runtime.close(0);
      throw error;
    }
    return runtime;
  }

  // ---------------------------------------------------------------- generations

  private build(previous: Generation | undefined): Promise<{ generation: Generation; errors: Diagnostic[] }> {
    return buildGeneration(previous, { options: this.options, logger: this.logger, metrics: this.metrics, client: this.client, routes: this.upstreamRoutes(), redactor: this.redactor, policies: this.upstreamPolicies });
  }

  private handlerServices(): HandlerServices {
    return {
      redactor: this.redactor,
      logger: this.logger,
      routes: this.upstreamRoutes(),
      maxBodyBytes: this.maxBodyBytes,
      mcpPageSize: this.options.mcpPageSize ?? 50,
      allowedOrigins: this.options.allowedOrigins,
      allowedHosts: this.options.allowedHosts,
      observe: (event) => this.observe?.(event),
      control: this,
      policies: this.inbound,
      existingProtocol: (key) => this.mounts.get(key)?.protocol,
    };
  }

  /** Prepares every listener's handler, mounts them in one swap, then follows up on MCP changes. */
  private async activate(generation: Generation): Promise<void> {
    const engineOf = new Map(generation.runtimes.map((r) => [r.capability, r]));
    const services = this.handlerServices();
    const prepared = generation.plans.map((plan) => prepareListener(plan, engineOf, services));
    const changedMcp = await this.mounts.apply(prepared, this.drainMs, () => {
      this.generation = generation;
      this.diagnostics.length = 0;
      this.diagnostics.push(...generation.diagnostics);
    });
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
    const engineOf = new Map(generation.runtimes.map((r) => [r.capability, r]));
    const registry = buildRegistry({ mcp: stdioAdapters }, engineOf);
    if (!this.stdioMcp) this.stdioMcp = createMcpProtocol(registry, this.handlerServices());
    else this.stdioMcp.setRegistry(registry);
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
      // Files may change under an override: on reload a key that matches nothing only warns.
      for (const u of unmatchedUpstreamKeys(this.upstreamRoutes(), generation.runtimes, this.options.providers)) this.logger.warn({ upstream: u.key, suggestion: u.suggestion }, `reload: ${u.message}`);
      const before = new Map(previous.files.map((f) => [f.file, f.version]));
      const after = new Map(generation.files.map((f) => [f.file, f.version]));
      const added = [...after.keys()].filter((f) => !before.has(f));
      const removed = [...before.keys()].filter((f) => !after.has(f) && !generation.invalid.some((i) => i.file === f));
      const changed = [...after.keys()].filter((f) => before.has(f) && before.get(f) !== after.get(f));
      const keptPrevious = generation.invalid.filter((i) => i.previous !== undefined).map((i) => i.file);
      const skipped = generation.invalid.filter((i) => i.previous === undefined).map((i) => i.file);
      // A file that newly fails validation is a refusal, never counted as applied.
      const refusedSomething = generation.invalid.some((i) => !previous.invalid.some((p) => p.file === i.file));
      // An invalid file fixed or removed changes what is reported (and readiness), so it counts as applied.
      const appliedSomething = added.length > 0 || removed.length > 0 || changed.length > 0 || (!refusedSomething && !this.sameInvalid(previous, generation));
      const result: ReloadResult['result'] = appliedSomething ? (refusedSomething ? 'partial' : 'applied') : refusedSomething ? 'rejected' : 'unchanged';
      // Rebuild even when no capability file changed: env files, bind files and imports may have.
      // The generation number only moves when a capability file version does.
      if (!appliedSomething) generation.id = previous.id;
      await this.activate(generation);
      outcome = { result, generation: generation.id, added, changed, removed, keptPrevious, skipped, errors: errors.map(summarize), durationMs: 0 };
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
    else if (r.result === 'partial') this.logger.warn(fields, `reload partially applied: generation ${r.generation}; the files above were refused`);
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

  get summaries(): ListenerSummary[] {
    return this.mounts.all().map((l) => l.summary);
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
    for (const m of this.mounts.all()) if (!m.listener.listening) return false;
    return true;
  }

  readiness(): ReturnType<ControlSource['readiness']> {
    const status = this.state === 'ready' ? 'ready' : this.state === 'starting' ? 'starting' : 'draining';
    // Readiness means "can serve traffic": a file that fails validation keeps its previous version serving
    // (or is not served), so it does not take the instance out of rotation; it is listed instead.
    return {
      status,
      listeners: this.mounts.all().map((m) => ({ kind: m.kind, url: m.summary.url, up: m.listener.listening })),
      invalidFiles: this.generation?.invalid.map((i) => ({ file: i.file, servingPrevious: i.previous !== undefined })) ?? [],
    };
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
      listeners: this.mounts.all().map((m) => ({
        kind: m.kind,
        url: m.summary.url,
        adapters: m.summary.adapters,
        routes: m.summary.routes.length,
        tools: m.summary.tools.length,
        activeRequests: m.listener.activeRequests,
      })),
      reloads: { ...this.reloadCounts, last: this.lastReload },
      upstream: { breakers: this.client.breakerStatus(), cache: this.client.state().cache },
    };
    return this.redactor.redactValue(doc);
  }

  /** Stops accepting, lets in-flight requests finish (up to `drainMs`), then closes every socket. */
  async close(drainMs = this.drainMs): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'draining';
    // User listeners first; control listeners last, so readiness answers 503 while draining.
    await this.mounts.close(drainMs);
    this.state = 'closed';
    // Pool.close() waits for requests still running upstream; their callers are gone by now.
    await Promise.race([this.client.close(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    this.logger.flush?.();
  }
}

function summarize(d: Diagnostic): ReloadResult['errors'][number] {
  return { file: d.file, line: d.position?.line, column: d.position?.column, code: d.code, message: d.message };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

const EMPTY_ROUTES = new UpstreamRoutes();

/**
 * The upstream part of the resolved `policies:` per adapter/operation. `--upstream-timeout` is the
 * runtime's call deadline unless runtime.yaml sets `timeouts.totalMs` (a non-default value wins).
 */
function upstreamPoliciesOf(policies: Policies, upstreamTimeoutMs: number | undefined): UpstreamPolicyResolver {
  return ({ adapter, operation }) => {
    const s = policies.for(adapter, operation);
    const totalMs = upstreamTimeoutMs !== undefined && s.timeouts.totalMs === DEFAULT_DEADLINE.totalMs ? upstreamTimeoutMs : s.timeouts.totalMs;
    return { retry: s.retry, circuitBreaker: s.circuitBreaker, cache: s.cache, timeouts: { ...s.timeouts, totalMs } };
  };
}
