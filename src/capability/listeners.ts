/**
 * Where exposed adapters listen and when two routes are the same: facts the
 * lint (port and route clashes within a file) and the server's listener plan
 * (clashes across files) must agree on, so they live here, in the public
 * capability layer, rather than inside either of them.
 */
import { DEFAULT_MCP_PORT, DEFAULT_REST_PORT } from './defaults.js';

export { DEFAULT_MCP_PORT, DEFAULT_REST_PORT };

/**
 * Which server an adapter lands on within one file: adapters sharing a key
 * share a listener (REST router / MCP server). stdio MCP adapters are alone.
 */
export function listenerKey(adapter: ExposedAdapterLike, adapterIndex: number): string {
  if (adapter.type === 'mcp' && adapter.transport === 'stdio') return `stdio#${adapterIndex}`;
  const port = adapter.port ?? (adapter.type === 'rest' ? DEFAULT_REST_PORT : adapter.type === 'mcp' ? DEFAULT_MCP_PORT : undefined);
  const address = adapter.address && !['localhost', '127.0.0.1', '::1'].includes(adapter.address) ? adapter.address : '';
  return `${address}:${port ?? `none#${adapterIndex}`}`;
}

type ExposedAdapterLike = { type: string; port?: number; address?: string; transport?: string };

/** Route identity ignores parameter names and a trailing slash: `/a/{x}` and `/a/{y}/` are one route. */
export function normalizeRoute(path: string): string {
  return (path.startsWith('/') ? path : `/${path}`).replace(/\{\{?[^}]+\}?\}/g, '{}').replace(/\/+$/, '') || '/';
}
