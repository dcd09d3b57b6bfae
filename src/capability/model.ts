/**
 * The typed, normalised capability model. Nothing past `src/capability/` sees raw
 * YAML: the engine and the surfaces read only these shapes. Every node that
 * can be blamed for a problem carries its source location.
 */
import type { SourceFile } from './source.js';
import type { SourcePosition } from './diagnostics.js';

export interface Location {
  file: string;
  /** JSON pointer inside the file. */
  pointer: string;
  position?: SourcePosition;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export type ParameterLocation = 'query' | 'header' | 'path' | 'cookie' | 'body' | 'environment';
export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

export interface Capability {
  file: string;
  /** Folder of the file: relative `location`s resolve against it. */
  dir: string;
  naftiko: string;
  label: string;
  description?: string;
  tags: string[];
  binds: BindSpec[];
  consumes: ConsumedApi[];
  exposes: ExposedAdapter[];
  aggregates: Aggregate[];
  source: SourceFile;
}

export interface BindSpec {
  namespace: string;
  description?: string;
  /** `file://…` or another scheme; absent = process environment. */
  location?: string;
  /** Variable name → provider key (env var name, or key in the bind file). */
  keys: Record<string, string>;
  /** Where each variable is declared (warnings about a missing value point here). */
  keyLocs: Record<string, Location>;
  loc: Location;
}

export interface ConsumedApi {
  namespace: string;
  baseUri: string;
  description?: string;
  inputParameters: ConsumedParameter[];
  resources: ConsumedResource[];
  authentication?: Authentication;
  loc: Location;
}

export interface ConsumedResource {
  name: string;
  path: string;
  description?: string;
  inputParameters: ConsumedParameter[];
  operations: ConsumedOperation[];
  loc: Location;
}

export interface ConsumedOperation {
  name: string;
  method: HttpMethod;
  description?: string;
  inputParameters: ConsumedParameter[];
  outputParameters: OutputParameter[];
  body?: RequestBody;
  outputRawFormat?: string;
  outputSchema?: string;
  loc: Location;
}

export interface ConsumedParameter {
  name: string;
  in: ParameterLocation;
  /** Dialect: declared type of the value (feeds derived MCP input schemas). */
  type?: JsonType;
  /** Dialect: `required: true` + missing value → 400 before calling upstream. Default false for consumed params. */
  required: boolean;
  description?: string;
  /** Static value or template; wins over a same-named incoming parameter. */
  value?: unknown;
  template?: string;
  /** Dialect: the value sent when no caller supplies one (JSON Schema habit, honoured). */
  default?: unknown;
  loc: Location;
}

export type Authentication =
  | { type: 'apikey'; key: string; value: string; placement: 'header' | 'query'; loc: Location }
  | { type: 'bearer'; token: string; loc: Location }
  | { type: 'basic'; username: string; password: string; loc: Location }
  | { type: 'digest'; username: string; password: string; loc: Location }
  | { type: 'oauth2'; loc: Location; settings: Record<string, unknown> };

export type RequestBody =
  | { kind: 'raw'; template: string }
  | { kind: 'json'; data: unknown }
  | { kind: 'text' | 'xml' | 'sparql'; data: unknown }
  | { kind: 'formUrlEncoded'; data: unknown }
  | { kind: 'multipartForm'; data: MultipartPart[] };

export interface MultipartPart {
  name: string;
  value?: unknown;
  filename?: string;
  contentType?: string;
}

export interface OutputParameter {
  name?: string;
  type?: JsonType;
  /** JSONPath into the parsed body. */
  mapping?: string;
  /** Static or templated value (mock / constant output). */
  value?: unknown;
  const?: unknown;
  description?: string;
  properties?: Record<string, OutputParameter>;
  items?: OutputParameter;
  values?: OutputParameter;
  maxLength?: number;
  loc: Location;
}

export interface ExposedParameter {
  name: string;
  in?: ParameterLocation;
  type?: JsonType;
  description?: string;
  required: boolean;
  value?: unknown;
  /** Extra JSON Schema keywords (enum, items, properties, default…) kept for MCP input schemas. */
  schema: Record<string, unknown>;
  loc: Location;
}

/** A `with` map: target parameter name → expression (string) or literal value. */
export type WithMap = Record<string, unknown>;

export interface CallTarget {
  namespace: string;
  operation: string;
  /** As written (`ns.op`). */
  ref: string;
  loc: Location;
}

export type Step =
  | { type: 'call'; name: string; call: CallTarget; with: WithMap; loc: Location }
  | {
      type: 'lookup';
      name: string;
      index: string;
      match: string;
      lookupValue: string;
      outputParameters: string[];
      loc: Location;
    }
  | { type: 'script'; name: string; loc: Location; settings: Record<string, unknown> };

export interface Mapping {
  targetName: string;
  value: string;
}

/** What REST operations, MCP tools and aggregate functions have in common: how they produce a result. */
export interface Invocable {
  name: string;
  description?: string;
  inputParameters: ExposedParameter[];
  outputParameters: OutputParameter[];
  call?: CallTarget;
  with: WithMap;
  steps: Step[];
  mappings: Mapping[];
  /** `aggregateNamespace.function` reference. */
  ref?: string;
  /**
   * What a `ref` unit took from its aggregate function at load (name,
   * description, tool inputParameters): the normaliser fills those fields in
   * when the unit leaves them empty, and lists them here.
   */
  inherited?: ('name' | 'description' | 'inputParameters')[];
  loc: Location;
}

export interface RestAdapter {
  type: 'rest';
  namespace: string;
  port?: number;
  address?: string;
  description?: string;
  inputParameters: ExposedParameter[];
  resources: RestResource[];
  authentication?: Authentication;
  loc: Location;
}

export interface RestResource {
  path: string;
  name?: string;
  description?: string;
  inputParameters: ExposedParameter[];
  operations: RestOperation[];
  forward?: { targetNamespace: string; trustedHeaders: string[] };
  loc: Location;
}

export interface RestOperation extends Invocable {
  method: HttpMethod;
}

export interface McpAdapter {
  type: 'mcp';
  namespace: string;
  port?: number;
  address?: string;
  transport: 'http' | 'stdio';
  description?: string;
  tools: McpTool[];
  resources: McpResource[];
  prompts: McpPrompt[];
  /** Inbound authentication callers must present (enforced for apikey, bearer, basic). */
  authentication?: Authentication;
  loc: Location;
}

export interface McpTool extends Invocable {
  label?: string;
  /**
   * Annotations hints. For a tool with `ref`, the aggregate function's
   * `semantics` are folded in (safe → readOnly/destructive, idempotent), then
   * every explicit hint overrides field by field (naftiko-core §7).
   */
  hints?: { readOnly?: boolean; destructive?: boolean; idempotent?: boolean; openWorld?: boolean };
  /** The hints exactly as written in the file (before semantics were folded in). */
  declaredHints?: { readOnly?: boolean; destructive?: boolean; idempotent?: boolean; openWorld?: boolean };
}

export interface McpResource {
  name: string;
  uri: string;
  label?: string;
  description?: string;
  mimeType?: string;
  /** Static content. */
  text?: string;
  /** Local folder/file served (file:// location). */
  location?: string;
  invocable?: Invocable;
  loc: Location;
}

export interface McpPrompt {
  name: string;
  label?: string;
  description?: string;
  arguments: { name: string; label?: string; description?: string; required: boolean }[];
  messages: { role: 'user' | 'assistant'; content: string }[];
  /** `file://` location of a prompt template file (instead of inline messages). */
  location?: string;
  loc: Location;
}

export interface OtherAdapter {
  type: 'skill' | 'control';
  namespace?: string;
  port?: number;
  address?: string;
  settings: Record<string, unknown>;
  loc: Location;
}

export type ExposedAdapter = RestAdapter | McpAdapter | OtherAdapter;

export interface Aggregate {
  namespace: string;
  label?: string;
  functions: AggregateFunction[];
  loc: Location;
}

export interface AggregateFunction extends Invocable {
  semantics?: { safe?: boolean; idempotent?: boolean; cacheable?: boolean };
}
