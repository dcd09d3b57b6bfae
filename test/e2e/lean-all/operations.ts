/**
 * Derives every REST operation and MCP tool of a set of capability files (with
 * the loader, so nothing is missed) and turns a table of realistic inputs —
 * keyed by consumed operation (`namespace.operation`) and by the consumed
 * parameter names — into concrete REST requests and MCP tool arguments by
 * reading each exposed unit's `with` expressions.
 */
import type { Capability, Invocable, McpTool } from '../../../src/capability/model.js';

export type Surface = 'rest' | 'mcp';

export interface RestCase {
  kind: 'rest';
  ref: string;
  method: string;
  path: string;
  invocable: Invocable;
}

export interface ToolCase {
  kind: 'mcp';
  ref: string;
  name: string;
  tool: McpTool;
}

export function deriveCases(capabilities: readonly Capability[]): { rest: RestCase[]; tools: ToolCase[] } {
  const rest: RestCase[] = [];
  const tools: ToolCase[] = [];
  for (const capability of capabilities) {
    for (const adapter of capability.exposes) {
      if (adapter.type === 'rest') {
        for (const resource of adapter.resources) {
          for (const operation of resource.operations) {
            rest.push({ kind: 'rest', ref: operation.call?.ref ?? `${adapter.namespace}.${operation.name}`, method: operation.method, path: resource.path, invocable: operation });
          }
        }
      } else if (adapter.type === 'mcp') {
        for (const tool of adapter.tools) tools.push({ kind: 'mcp', ref: tool.call?.ref ?? tool.name, name: tool.name, tool });
      }
    }
  }
  return { rest, tools };
}

/** A REST request for the consumed parameters `params`, following the operation's `with` expressions. */
export function restRequest(c: RestCase, params: Record<string, unknown>): { method: string; path: string; body?: string; headers: Record<string, string> } {
  const pathValues: Record<string, string> = {};
  const query = new URLSearchParams();
  let body: unknown;
  for (const [target, expression] of Object.entries(c.invocable.with)) {
    const value = params[target];
    if (value === undefined || typeof expression !== 'string') continue;
    if (expression.startsWith('rest.path.')) pathValues[expression.slice(10)] = String(value);
    else if (expression.startsWith('rest.query.')) query.set(expression.slice(11), String(value));
    else if (expression === 'rest.body') body = value;
    else throw new Error(`${c.ref}: unsupported with expression ${expression} in the e2e derivation`);
  }
  const path = c.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = pathValues[name];
    if (value === undefined) throw new Error(`${c.ref}: no input for path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const qs = query.toString();
  return {
    method: c.method,
    path: qs ? `${path}?${qs}` : path,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
  };
}

/** MCP arguments for the consumed parameters `params`, following the tool's `with` expressions. */
export function toolArguments(c: ToolCase, params: Record<string, unknown>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [target, expression] of Object.entries(c.tool.with)) {
    const value = params[target];
    if (value === undefined || typeof expression !== 'string') continue;
    if (!expression.startsWith('tools.')) throw new Error(`${c.ref}: unsupported with expression ${expression} in the e2e derivation`);
    args[expression.slice(6)] = value;
  }
  return args;
}
