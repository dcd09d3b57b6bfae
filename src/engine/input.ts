/**
 * What a surface hands the engine: the caller's input, surface-neutral enough
 * for `with` expressions to read (`rest.path.x`, `tools.x`, …).
 */

/** A form-encoded request body: kept as fields so it can be forwarded form-encoded. */
export class FormBody {
  constructor(readonly params: URLSearchParams) {}

  get(name: string): string | string[] | undefined {
    const all = this.params.getAll(name);
    return all.length === 0 ? undefined : all.length === 1 ? all[0] : all;
  }

  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const key of new Set(this.params.keys())) out[key] = this.get(key)!;
    return out;
  }
}

export interface RestInput {
  kind: 'rest';
  /** The inbound HTTP method (used by `forward`). */
  method?: string;
  /** Route variables. */
  path: Record<string, string>;
  /** The request path as received, still percent-encoded (a `forward` decodes its rest exactly once). */
  rawPath?: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed body: JSON value, FormBody, text, or undefined when there is none. */
  body: unknown;
  rawBody?: Buffer;
  contentType?: string;
}

export interface McpInput {
  kind: 'mcp';
  arguments: Record<string, unknown>;
  /** The caller asked for a fresh answer (HTTP `Cache-Control: no-cache` on the MCP POST): bypass the response cache. */
  fresh?: boolean;
}

export type CallerInput = RestInput | McpInput;

/** Plain JSON view of a body (FormBody → object). */
export function plainBody(body: unknown): unknown {
  return body instanceof FormBody ? body.toJSON() : body;
}
