/**
 * Groups the exposed adapters of every loaded capability into listeners: all
 * REST adapters on one host:port share one router, all MCP adapters on one
 * host:port share one MCP server. Conflicts (same route, same tool name, REST
 * and MCP on one port) are reported as diagnostics naming both places.
 */
import type { Diagnostic } from '../spec/diagnostics.js';
import type { Capability, Location, McpAdapter, RestAdapter } from '../spec/model.js';

export interface PlanOptions {
  host: string;
  /** Serve every REST adapter on this port (overrides the files). */
  restPort?: number;
  /** Serve every MCP adapter on this port (overrides the files). */
  mcpPort?: number;
}

export interface PlannedAdapter<A> {
  capability: Capability;
  adapter: A;
}

export interface ListenerPlan {
  kind: 'rest' | 'mcp';
  host: string;
  port: number;
  rest: PlannedAdapter<RestAdapter>[];
  mcp: PlannedAdapter<McpAdapter>[];
}

export const DEFAULT_REST_PORT = 8080;
export const DEFAULT_MCP_PORT = 9090;

export function planListeners(capabilities: readonly Capability[], options: PlanOptions): { listeners: ListenerPlan[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const listeners = new Map<string, ListenerPlan>();
  const portKinds = new Map<string, { kind: string; loc: Location }>();
  const routes = new Map<string, Location>();
  const tools = new Map<string, Location>();

  const conflict = (code: string, loc: Location, message: string, other: Location) =>
    diagnostics.push({
      code,
      severity: 'error',
      message: `${message} (also declared at ${other.file}:${other.position?.line ?? '?'}:${other.position?.column ?? '?'})`,
      file: loc.file,
      pointer: loc.pointer,
      position: loc.position,
    });

  for (const capability of capabilities) {
    for (const adapter of capability.exposes) {
      if (adapter.type !== 'rest' && adapter.type !== 'mcp') continue;
      if (adapter.type === 'mcp' && adapter.transport === 'stdio') continue; // served over stdio, not a port
      const port = adapter.type === 'rest' ? (options.restPort ?? adapter.port ?? DEFAULT_REST_PORT) : (options.mcpPort ?? adapter.port ?? DEFAULT_MCP_PORT);
      const host = adapter.address && adapter.address !== 'localhost' ? adapter.address : options.host;
      const portKey = `${host}:${port}`;
      const existing = portKinds.get(portKey);
      if (existing && existing.kind !== adapter.type && port !== 0) {
        conflict('port-kind-conflict', adapter.loc, `A ${adapter.type} adapter and a ${existing.kind} adapter cannot share port ${port}`, existing.loc);
        continue;
      }
      if (!existing) portKinds.set(portKey, { kind: adapter.type, loc: adapter.loc });
      const key = `${adapter.type}:${portKey}`;
      let listener = listeners.get(key);
      if (!listener) {
        listener = { kind: adapter.type, host, port, rest: [], mcp: [] };
        listeners.set(key, listener);
      }
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
      } else {
        for (const tool of adapter.tools) {
          const toolKey = `${key} ${tool.name}`;
          const previous = tools.get(toolKey);
          if (previous) conflict('mcp-tool-duplicate', tool.loc, `MCP tool \`${tool.name}\` is declared twice on port ${port}`, previous);
          else tools.set(toolKey, tool.loc);
        }
        listener.mcp.push({ capability, adapter });
      }
    }
  }
  return { listeners: [...listeners.values()], diagnostics };
}

/** Route identity ignores parameter names: `/a/{x}` and `/a/{y}` are the same route. */
function normalizeRoute(path: string): string {
  return (path.startsWith('/') ? path : `/${path}`).replace(/\{\{?[^}]+\}?\}/g, '{}').replace(/\/+$/, '') || '/';
}
