/**
 * Handler factories: what each planned listener serves in one generation —
 * the REST router with its routes, the MCP endpoint with its registry, or the
 * control endpoints. Built without touching any running listener, so a
 * generation can be prepared whole and swapped in at once (mounting.ts).
 */
import type { CapabilityEngine } from '../engine/capability-engine.js';
import type { Redactor } from '../engine/redact.js';
import type { UpstreamRoutes } from '../engine/upstream/routes.js';
import { buildControlApp, controlFeatures, mergeFeatures, ALL_CONTROL_FEATURES, type ControlSource } from '../exposes/control/app.js';
import { buildRestApp, type RestRoute } from '../exposes/rest/app.js';
import { exportOpenApi } from '../openapi/export.js';
import { buildMcpApp } from '../exposes/mcp/http.js';
import { compileInboundAuth } from '../exposes/auth/inbound.js';
import { oauth2Settings, protectedResourceMetadataPath } from '../exposes/auth/oauth2.js';
import { McpProtocol } from '../exposes/mcp/protocol.js';
import { McpRegistry } from '../exposes/mcp/registry.js';
import type { OriginPolicy } from '../exposes/pipeline/guard.js';
import type { Capability } from '../capability/model.js';
import type { Logger } from '../http/logger.js';
import type { RequestObserver } from '../http/observer.js';
import { RUNTIME_VERSION } from '../version.js';
import type { ListenerHandler } from './listener.js';
import { listenerKey, type ListenerKind, type ListenerPlan } from './plan.js';
import type { InboundPolicies } from '../policies/inbound.js';

export interface ListenerSummary {
  kind: ListenerKind;
  url: string;
  host: string;
  port: number;
  adapters: string[];
  routes: { method: string; path: string; operation: string; file: string }[];
  tools: string[];
}

/** One listener's handler for a generation, ready to be mounted. */
export interface Prepared {
  plan: ListenerPlan;
  key: string;
  handler: ListenerHandler;
  summary: ListenerSummary;
  protocol?: McpProtocol;
  registry?: McpRegistry;
}

export interface HandlerServices {
  redactor: Redactor;
  logger: Logger;
  routes: UpstreamRoutes;
  maxBodyBytes: number;
  mcpPageSize: number;
  allowedOrigins?: string[];
  allowedHosts?: string[];
  observe: RequestObserver;
  control: ControlSource;
  /** Inbound traffic policies (rate limit, CORS, tracing stages). */
  policies?: InboundPolicies;
  /** The MCP protocol a listener already runs (kept across reloads: stdio sessions and list_changed follow it). */
  existingProtocol(key: string): McpProtocol | undefined;
}

export type EngineOf = Map<Capability, CapabilityEngine>;

export function prepareListener(plan: ListenerPlan, engineOf: EngineOf, services: HandlerServices): Prepared {
  if (plan.kind === 'rest') return prepareRest(plan, engineOf, services);
  if (plan.kind === 'mcp') return prepareMcp(plan, engineOf, services);
  return prepareControl(plan, services);
}

function baseSummary(plan: ListenerPlan) {
  return { kind: plan.kind, url: '', host: plan.host, port: plan.port, routes: [], tools: [] };
}

function prepareRest(plan: ListenerPlan, engineOf: EngineOf, services: HandlerServices): Prepared {
  const routes: RestRoute[] = [];
  for (const { capability, adapter } of plan.rest) {
    const engine = engineOf.get(capability)!;
    const auth = compileInboundAuth(adapter.authentication, engine.binds, adapter.namespace, { routes: services.routes });
    for (const resource of adapter.resources) {
      for (const operation of resource.operations) {
        routes.push({
          method: operation.method,
          path: resource.path,
          compiled: engine.compile(operation, adapter.namespace, [...adapter.inputParameters, ...resource.inputParameters]),
          label: `${adapter.namespace}.${operation.name}`,
          file: capability.file,
          auth,
        });
      }
      const forward = resource.forward ? engine.forward(resource.forward) : undefined;
      if (forward) routes.push({ method: 'ALL', path: resource.path, compiled: forward, label: `${adapter.namespace}.forward`, file: capability.file, auth });
    }
  }
  const corsPaths = routes.map((r) => ({ path: r.path, adapter: r.label.split('.')[0]!, methods: [r.method] }));
  const origin = originPolicy(plan.host, services);
  // Origins the adapters' CORS policy invites may also send unsafe methods (the cross-site guard lets them through).
  const invited = services.policies?.corsOrigins(plan.rest.map((p) => p.adapter.namespace)) ?? [];
  const app = buildRestApp(routes, {
    redactor: services.redactor,
    logger: services.logger,
    maxBodyBytes: services.maxBodyBytes,
    observe: services.observe,
    origin: invited.length > 0 ? { ...origin, allowedOrigins: [...origin.allowedOrigins, ...invited] } : origin,
    edgeStages: services.policies?.restEdgeStages(corsPaths),
    callStages: services.policies?.callStages(),
    openapi: () => exportOpenApi(plan.rest),
  });
  return {
    plan,
    key: listenerKey(plan),
    handler: { fetch: (request, env) => app.app.fetch(request, env), direct: app.direct },
    summary: {
      ...baseSummary(plan),
      adapters: plan.rest.map((p) => p.adapter.namespace),
      routes: routes.map((r) => ({ method: r.method, path: r.path, operation: r.label, file: r.file })),
    },
  };
}

function prepareMcp(plan: ListenerPlan, engineOf: EngineOf, services: HandlerServices): Prepared {
  const key = listenerKey(plan);
  const registry = buildRegistry(plan, engineOf);
  const protocol = services.existingProtocol(key) ?? createMcpProtocol(registry, services);
  const app = buildMcpApp(() => protocol, {
    origin: originPolicy(plan.host, services),
    maxBodyBytes: services.maxBodyBytes,
    observe: services.observe,
    edgeStages: services.policies?.mcpEdgeStages(),
    ...mcpAuth(plan, engineOf, services.routes),
  });
  return {
    plan,
    key,
    protocol,
    registry,
    handler: { fetch: (request, env) => app.app.fetch(request, env), direct: app.direct },
    summary: { ...baseSummary(plan), adapters: plan.mcp.map((p) => p.adapter.namespace), tools: registry.tools.map((t) => t.name) },
  };
}

function prepareControl(plan: ListenerPlan, services: HandlerServices): Prepared {
  const features = plan.builtin ? ALL_CONTROL_FEATURES : mergeFeatures(plan.control.map((c) => controlFeatures(c.adapter.settings)));
  const app = buildControlApp(services.control, features, originPolicy(plan.host, services));
  return {
    plan,
    key: listenerKey(plan),
    handler: { fetch: (request, env) => app.fetch(request, env) },
    summary: { ...baseSummary(plan), adapters: plan.builtin ? ['--control-port'] : plan.control.map((c) => c.adapter.namespace ?? `control (${c.capability.file})`) },
  };
}

/** The one place an MCP protocol is made (HTTP listeners and stdio alike). */
export function createMcpProtocol(registry: McpRegistry, services: Pick<HandlerServices, 'redactor' | 'logger' | 'mcpPageSize' | 'policies'>): McpProtocol {
  return new McpProtocol(registry, { redactor: services.redactor, logger: services.logger, pageSize: services.mcpPageSize, maxErrorText: 4096, callStages: services.policies?.callStages() });
}

/** The tools, resources and prompts of the MCP adapters a listener (or stdio) serves. */
export function buildRegistry(plan: Pick<ListenerPlan, 'mcp'>, engineOf: EngineOf): McpRegistry {
  const registry = new McpRegistry({ name: plan.mcp.length === 1 ? plan.mcp[0]!.adapter.namespace : 'capability-runtime', version: RUNTIME_VERSION });
  for (const { capability, adapter } of plan.mcp) {
    const engine = engineOf.get(capability)!;
    registry.addInstructions(adapter.description);
    for (const tool of adapter.tools) registry.addTool(tool, engine.compile(tool, adapter.namespace), adapter.namespace, capability.file);
    for (const resource of adapter.resources) registry.addResource(resource, resource.invocable ? engine.compile(resource.invocable, adapter.namespace) : undefined, adapter.namespace);
    for (const prompt of adapter.prompts) registry.addPrompt(prompt, adapter.namespace);
  }
  return registry;
}

/**
 * The host/origin rules of a listener (every kind): its default hosts, widened
 * by `--allowed-host` / `allowedHosts` / RUNTIME_ALLOWED_HOSTS, and the allowed origins.
 */
function originPolicy(host: string, services: Pick<HandlerServices, 'allowedOrigins' | 'allowedHosts'>): OriginPolicy {
  return { allowedOrigins: services.allowedOrigins ?? [], allowedHosts: [...defaultAllowedHosts(host), ...(services.allowedHosts ?? [])] };
}

/** Loopback binds accept only loopback Host headers; a server bound to all interfaces accepts any host. */
export function defaultAllowedHosts(host: string): string[] {
  return host === '0.0.0.0' || host === '::' ? ['*'] : host === '127.0.0.1' || host === 'localhost' || host === '::1' ? [] : [host];
}

/**
 * Inbound authentication of an MCP listener (its adapters must agree, see plan.ts).
 * For oauth2, every challenge points at the RFC 9728 metadata the listener serves.
 */
function mcpAuth(plan: ListenerPlan, engineOf: EngineOf, routes: UpstreamRoutes) {
  const first = plan.mcp[0];
  if (!first) return {};
  const auth = first.adapter.authentication;
  const binds = engineOf.get(first.capability)!.binds;
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
