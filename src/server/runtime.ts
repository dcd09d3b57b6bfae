/**
 * The running gateway: loads capability files, builds the executable engine
 * for each, groups adapters into shared listeners, and serves them. A
 * "generation" is one consistent build of everything; reload builds a new one
 * and swaps it into the running listeners.
 */
import { readFileSync } from 'node:fs';
import { CapabilityRuntime, type EngineServices } from '../engine/capability-runtime.js';
import { parseDotenv, type ValueProvider } from '../engine/binds.js';
import { Redactor } from '../engine/redact.js';
import { UpstreamClient } from '../engine/upstream/client.js';
import { UpstreamRoutes } from '../engine/upstream/routes.js';
import { buildRestApp, type RequestObserver, type RestRoute } from '../exposes/rest/app.js';
import { buildMcpApp } from '../exposes/mcp/http.js';
import { McpProtocol } from '../exposes/mcp/protocol.js';
import { McpRegistry } from '../exposes/mcp/registry.js';
import type { Diagnostic } from '../spec/diagnostics.js';
import { loadCapabilities } from '../spec/loader.js';
import type { Capability } from '../spec/model.js';
import { HttpListener } from './listener.js';
import { createLogger, type Logger } from './logger.js';
import { planListeners, type ListenerPlan } from './plan.js';

export interface RuntimeOptions {
  paths: string[];
  host?: string;
  restPort?: number;
  mcpPort?: number;
  upstreams?: UpstreamRoutes;
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
  redactor?: Redactor;
}

export interface ListenerSummary {
  kind: 'rest' | 'mcp';
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

interface Generation {
  capabilities: Capability[];
  runtimes: CapabilityRuntime[];
  plans: ListenerPlan[];
}

export class Runtime {
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly diagnostics: Diagnostic[] = [];
  private readonly client: UpstreamClient;
  private readonly services: EngineServices;
  private readonly listeners = new Map<string, { listener: HttpListener; protocol?: McpProtocol; summary: ListenerSummary }>();
  private generation?: Generation;
  observe?: RequestObserver;

  private constructor(private readonly options: RuntimeOptions) {
    this.redactor = options.redactor ?? new Redactor();
    this.logger = options.logger ?? createLogger({ level: options.logLevel ?? 'info', redactor: this.redactor });
    this.client = new UpstreamClient({ timeoutMs: options.upstreamTimeoutMs });
    const fileEnv = options.envFile ? parseDotenv(readFileSync(options.envFile, 'utf8')) : {};
    const env = { ...fileEnv, ...(options.env ?? process.env) };
    this.services = {
      client: this.client,
      routes: options.upstreams ?? new UpstreamRoutes(),
      environment: { env, providers: options.providers ?? new Map(), redactor: this.redactor },
    };
    this.observe = (event) => {
      const level = event.status >= 500 ? 'warn' : 'info';
      this.logger[level](
        {
          surface: event.surface,
          adapter: event.adapter,
          operation: event.operation,
          status: event.status,
          durationMs: round(event.durationMs),
          upstreamStatus: event.upstreamStatus,
          upstreamMs: event.upstreamMs === undefined ? undefined : round(event.upstreamMs),
          requestId: event.requestId,
          ...(event.error ? { error: event.error } : {}),
        },
        'request',
      );
    };
  }

  /** Loads, validates and starts serving. Throws StartupError with diagnostics when it cannot. */
  static async start(options: RuntimeOptions): Promise<Runtime> {
    const runtime = new Runtime(options);
    try {
      const generation = await runtime.build();
      await runtime.activate(generation);
    } catch (error) {
      await runtime.close();
      throw error;
    }
    return runtime;
  }

  private async build(): Promise<Generation> {
    const loaded = await loadCapabilities(this.options.paths, { strict: this.options.strictSchema });
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    let capabilities = loaded.capabilities;
    if (errors.length > 0) {
      if (!this.options.skipInvalid) throw new StartupError(`${errors.length} error(s) in capability files`, loaded.diagnostics);
      const bad = new Set(errors.map((d) => d.file));
      capabilities = capabilities.filter((c) => !bad.has(c.file));
    }
    this.diagnostics.push(...loaded.diagnostics);
    if (capabilities.length === 0) throw new StartupError('No capability file to serve.', loaded.diagnostics);

    const runtimes = capabilities.map((c) => new CapabilityRuntime(c, this.services));
    const bindProblems: Diagnostic[] = [];
    for (const r of runtimes) {
      for (const m of r.binds.missing) {
        bindProblems.push({
          code: 'bind-missing',
          severity: this.options.strictBinds ? 'error' : 'warning',
          message: `Bind variable \`${m.variable}\` has no value (${m.source === 'environment' ? `environment variable \`${m.key}\` is not set` : `key \`${m.key}\` missing in ${m.source}`}); operations that need it will answer 503.`,
          file: m.loc.file,
          pointer: m.loc.pointer,
          position: m.loc.position,
        });
      }
      for (const p of r.binds.problems) {
        bindProblems.push({ code: 'bind-source', severity: this.options.strictBinds ? 'error' : 'warning', message: p.message, file: p.loc.file, pointer: p.loc.pointer, position: p.loc.position });
      }
    }
    if (this.options.strictBinds && bindProblems.length > 0) throw new StartupError('Bind variables without values (--strict)', bindProblems);
    for (const d of bindProblems) this.logger.warn({ file: d.file, line: d.position?.line, code: d.code }, d.message);
    this.diagnostics.push(...bindProblems);

    const planned = planListeners(capabilities, { host: this.options.host ?? '127.0.0.1', restPort: this.options.restPort, mcpPort: this.options.mcpPort });
    if (planned.diagnostics.length > 0) throw new StartupError('Conflicting adapters', planned.diagnostics);
    return { capabilities, runtimes, plans: planned.listeners };
  }

  private async activate(generation: Generation): Promise<void> {
    const runtimeOf = new Map(generation.runtimes.map((r) => [r.capability, r]));
    for (const plan of generation.plans) {
      const key = `${plan.kind}:${plan.host}:${plan.port}`;
      if (plan.kind === 'rest') {
        const routes: RestRoute[] = [];
        for (const { capability, adapter } of plan.rest) {
          const runtime = runtimeOf.get(capability)!;
          for (const resource of adapter.resources) {
            for (const operation of resource.operations) {
              routes.push({
                method: operation.method,
                path: resource.path,
                compiled: runtime.compile(operation, adapter.namespace, [...adapter.inputParameters, ...resource.inputParameters]),
                label: `${adapter.namespace}.${operation.name}`,
                file: capability.file,
              });
            }
          }
        }
        const app = buildRestApp(routes, { redactor: this.redactor, logger: this.logger, maxBodyBytes: this.maxBodyBytes, observe: (e) => this.observe?.(e) });
        const summary: ListenerSummary = {
          kind: 'rest',
          url: '',
          host: plan.host,
          port: plan.port,
          adapters: plan.rest.map((p) => p.adapter.namespace),
          routes: routes.map((r) => ({ method: r.method, path: r.path, operation: r.label, file: r.file })),
          tools: [],
        };
        await this.mount(key, plan, (request) => app.fetch(request), summary);
      } else {
        const registry = this.buildRegistry(plan, runtimeOf);
        const existing = this.listeners.get(key);
        const protocol = existing?.protocol ?? new McpProtocol(registry, { redactor: this.redactor, logger: this.logger, pageSize: this.options.mcpPageSize ?? 50, maxErrorText: 4096, observe: (e) => this.observe?.(e) });
        protocol.setRegistry(registry);
        const app = buildMcpApp(() => protocol, {
          origin: { allowedOrigins: this.options.allowedOrigins ?? [], allowedHosts: this.options.allowedHosts ?? defaultAllowedHosts(plan.host) },
          maxBodyBytes: this.maxBodyBytes,
        });
        const summary: ListenerSummary = {
          kind: 'mcp',
          url: '',
          host: plan.host,
          port: plan.port,
          adapters: plan.mcp.map((p) => p.adapter.namespace),
          routes: [],
          tools: registry.tools.map((t) => t.name),
        };
        await this.mount(key, plan, (request) => app.fetch(request), summary, protocol);
      }
    }
    this.generation = generation;
  }

  buildRegistry(plan: ListenerPlan, runtimeOf: Map<Capability, CapabilityRuntime>): McpRegistry {
    const registry = new McpRegistry({ name: plan.mcp.length === 1 ? plan.mcp[0]!.adapter.namespace : 'capability-runtime', version: '0.1.0' });
    for (const { capability, adapter } of plan.mcp) {
      const runtime = runtimeOf.get(capability)!;
      registry.addInstructions(adapter.description);
      for (const tool of adapter.tools) registry.addTool(tool, runtime.compile(tool, adapter.namespace), adapter.namespace, capability.file);
      for (const resource of adapter.resources) registry.addResource(resource, resource.invocable ? runtime.compile(resource.invocable, adapter.namespace) : undefined, adapter.namespace);
      for (const prompt of adapter.prompts) registry.addPrompt(prompt, adapter.namespace);
    }
    return registry;
  }

  private async mount(key: string, plan: ListenerPlan, handler: (r: Request) => Response | Promise<Response>, summary: ListenerSummary, protocol?: McpProtocol) {
    const existing = this.listeners.get(key);
    if (existing) {
      existing.listener.swap(handler);
      existing.summary = { ...summary, url: existing.listener.url, port: existing.listener.port };
      return;
    }
    const listener = new HttpListener(plan.kind, plan.host, plan.port, handler);
    try {
      await listener.listen();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new StartupError(
        `Cannot listen on ${plan.host}:${plan.port} (${code === 'EADDRINUSE' ? 'port already in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message})`,
        [],
      );
    }
    this.listeners.set(key, { listener, protocol, summary: { ...summary, url: listener.url + (plan.kind === 'mcp' ? '/mcp' : ''), port: listener.port } });
  }

  private get maxBodyBytes(): number {
    return this.options.maxBodyBytes ?? 1024 * 1024;
  }

  get summaries(): ListenerSummary[] {
    return [...this.listeners.values()].map((l) => l.summary);
  }

  get capabilities(): Capability[] {
    return this.generation?.capabilities ?? [];
  }

  /** URL of the first listener of a kind (tests, demo). */
  url(kind: 'rest' | 'mcp'): string {
    const found = this.summaries.find((s) => s.kind === kind);
    if (!found) throw new Error(`No ${kind} listener`);
    return found.url;
  }

  async close(drainMs = 10_000): Promise<void> {
    await Promise.all([...this.listeners.values()].map((l) => l.listener.close(drainMs)));
    this.listeners.clear();
    await this.client.close();
    this.logger.flush?.();
  }
}

/** Loopback binds accept only loopback Host headers; a server bound to all interfaces accepts any host. */
function defaultAllowedHosts(host: string): string[] {
  return host === '0.0.0.0' || host === '::' ? ['*'] : host === '127.0.0.1' || host === 'localhost' || host === '::1' ? [] : [host];
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
