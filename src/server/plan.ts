/**
 * Groups the exposed adapters of every loaded capability into listeners: all
 * REST adapters on one host:port share one router, all MCP adapters on one
 * host:port share one MCP server, control adapters (and the `--control-port`
 * listener) serve the management endpoints. Conflicts (same route, same tool
 * name, two kinds on one port) are reported as diagnostics naming both places.
 */
import { normalizeRoute } from '../capability/listeners.js';
import type { Diagnostic } from '../capability/diagnostics.js';
import { DEFAULT_MCP_PORT, DEFAULT_REST_PORT } from '../capability/defaults.js';
import type { Authentication, Capability, Location, McpAdapter, OtherAdapter, RestAdapter } from '../capability/model.js';

export interface PlanOptions {
  host: string;
  /** Serve every REST adapter on this port (overrides the files). */
  restPort?: number;
  /** Serve every MCP adapter on this port (overrides the files). */
  mcpPort?: number;
  /** The runtime's own control listener (`--control-port`), on `host` unless `controlHost` is given. */
  controlPort?: number;
  controlHost?: string;
  /** MCP over the process's stdio (`serve --stdio`): no REST or MCP port is opened. */
  stdio?: boolean;
}

export interface PlannedAdapter<A> {
  capability: Capability;
  adapter: A;
}

export type ListenerKind = 'rest' | 'mcp' | 'control';

export interface ListenerPlan {
  kind: ListenerKind;
  host: string;
  port: number;
  rest: PlannedAdapter<RestAdapter>[];
  mcp: PlannedAdapter<McpAdapter>[];
  /** Control adapters declared in files (empty for the built-in `--control-port` listener). */
  control: PlannedAdapter<OtherAdapter>[];
  /** The `--control-port` listener: every management endpoint. */
  builtin?: boolean;
}

export { DEFAULT_MCP_PORT, DEFAULT_REST_PORT } from '../capability/defaults.js';
/** Where a control adapter without `address` listens (the spec default is localhost). */
export const DEFAULT_CONTROL_HOST = '127.0.0.1';

export function listenerKey(plan: { kind: ListenerKind; host: string; port: number }): string {
  return `${plan.kind}:${plan.host}:${plan.port}`;
}

export function planListeners(capabilities: readonly Capability[], options: PlanOptions): { listeners: ListenerPlan[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const listeners = new Map<string, ListenerPlan>();
  const portKinds = new Map<string, { kind: string; loc?: Location }>();
  const routes = new Map<string, Location>();
  const tools = new Map<string, Location>();

  const where = (loc: Location) => `${loc.file}:${loc.position?.line ?? '?'}:${loc.position?.column ?? '?'}`;
  const conflict = (code: string, loc: Location, message: string, other?: Location) =>
    diagnostics.push({
      code,
      severity: 'error',
      message: other ? `${message} (also declared at ${where(other)})` : message,
      file: loc.file,
      pointer: loc.pointer,
      position: loc.position,
    });

  const listenerFor = (kind: ListenerKind, host: string, port: number): ListenerPlan => {
    const key = listenerKey({ kind, host, port });
    let listener = listeners.get(key);
    if (!listener) {
      listener = { kind, host, port, rest: [], mcp: [], control: [] };
      listeners.set(key, listener);
    }
    return listener;
  };

  if (options.controlPort !== undefined) {
    const host = options.controlHost ?? options.host;
    portKinds.set(`${host}:${options.controlPort}`, { kind: 'control' });
    listenerFor('control', host, options.controlPort).builtin = true;
  }

  for (const capability of capabilities) {
    for (const adapter of capability.exposes) {
      if (adapter.type === 'skill') continue;
      if (adapter.type === 'mcp' && adapter.transport === 'stdio') continue; // served over stdio, not a port
      if (options.stdio && (adapter.type === 'rest' || adapter.type === 'mcp')) continue; // stdio mode opens no user ports
      let port: number;
      let host: string;
      if (adapter.type === 'control') {
        if (adapter.port === undefined) continue; // the schema requires a port
        port = adapter.port;
        host = adapter.address === undefined || adapter.address === 'localhost' ? DEFAULT_CONTROL_HOST : adapter.address;
      } else {
        port = adapter.type === 'rest' ? (options.restPort ?? adapter.port ?? DEFAULT_REST_PORT) : (options.mcpPort ?? adapter.port ?? DEFAULT_MCP_PORT);
        host = adapter.address && adapter.address !== 'localhost' ? adapter.address : options.host;
      }
      const portKey = `${host}:${port}`;
      const existing = portKinds.get(portKey);
      if (existing && existing.kind !== adapter.type && port !== 0) {
        const what = existing.loc ? `${article(existing.kind)} ${existing.kind} adapter` : `the runtime's control listener (--control-port)`;
        conflict('port-kind-conflict', adapter.loc, `${capitalize(article(adapter.type))} ${adapter.type} adapter and ${what} cannot share port ${port}`, existing.loc);
        continue;
      }
      if (!existing) portKinds.set(portKey, { kind: adapter.type, loc: adapter.loc });
      const listener = listenerFor(adapter.type, host, port);
      const key = listenerKey(listener);
      if (adapter.type === 'rest') {
        for (const resource of adapter.resources) {
          for (const operation of resource.operations) {
            const routeKey = `${key} ${operation.method} ${normalizeRoute(resource.path)}`;
            const previous = routes.get(routeKey);
            if (previous) {
              conflict('rest-route-duplicate', operation.loc, `Route ${operation.method} ${resource.path} is declared twice on port ${port}`, previous);
            } else routes.set(routeKey, operation.loc);
          }
        }
        listener.rest.push({ capability, adapter });
      } else if (adapter.type === 'mcp') {
        for (const tool of adapter.tools) {
          const toolKey = `${key} ${tool.name}`;
          const previous = tools.get(toolKey);
          if (previous) conflict('mcp-tool-duplicate', tool.loc, `MCP tool \`${tool.name}\` is declared twice on port ${port}`, previous);
          else tools.set(toolKey, tool.loc);
        }
        // One MCP endpoint answers for every adapter on it, so they must agree on who may call it.
        const first = listener.mcp[0]?.adapter;
        if (first && authSignature(first.authentication) !== authSignature(adapter.authentication)) {
          conflict('mcp-auth-conflict', adapter.loc, `MCP adapters sharing port ${port} declare different authentication`, first.loc);
        }
        listener.mcp.push({ capability, adapter });
      } else {
        listener.control.push({ capability, adapter });
      }
    }
  }
  return { listeners: [...listeners.values()], diagnostics };
}

function article(kind: string): string {
  return kind === 'mcp' ? 'an' : 'a';
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** What identifies an inbound authentication rule (kind, where the credential goes, its template). */
function authSignature(auth: Authentication | undefined): string {
  if (!auth) return 'none';
  const { loc: _loc, ...rest } = auth;
  return JSON.stringify(rest);
}
