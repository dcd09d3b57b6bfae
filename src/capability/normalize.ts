/**
 * Turns a schema-checked YAML document into the typed model. It is defensive
 * (a document that failed the schema can still be normalised for linting),
 * reports the few problems only it can see, and records a location on every node.
 */
import { dirname } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import type {
  Aggregate,
  AggregateFunction,
  Authentication,
  BindSpec,
  CallTarget,
  Capability,
  ConsumedApi,
  ConsumedOperation,
  ConsumedParameter,
  ConsumedResource,
  ExposedAdapter,
  ExposedParameter,
  HttpMethod,
  Invocable,
  JsonType,
  Location,
  Mapping,
  McpAdapter,
  McpPrompt,
  McpResource,
  McpTool,
  OutputParameter,
  ParameterLocation,
  RequestBody,
  RestAdapter,
  RestOperation,
  RestResource,
  Step,
} from './model.js';
import { escapePointer, type SourceFile } from './source.js';
import { isObject } from '../util/is-object.js';

type Obj = Record<string, unknown>;

const METHODS = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const LOCATIONS = new Set<ParameterLocation>(['query', 'header', 'path', 'cookie', 'body', 'environment']);
const TYPES = new Set<JsonType>(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
/** Keys of an exposed input parameter that are ours, not JSON Schema keywords for the tool schema. */
const PARAM_OWN_KEYS = new Set(['name', 'in', 'type', 'description', 'required', 'value', 'template', 'selector']);

export interface NormalizeResult {
  capability?: Capability;
  diagnostics: Diagnostic[];
}

export function normalizeCapability(source: SourceFile): NormalizeResult {
  const n = new Normalizer(source);
  const capability = n.run();
  return { capability, diagnostics: n.diagnostics };
}

class Normalizer {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly source: SourceFile) {}

  run(): Capability | undefined {
    const root = this.source.data;
    if (!isObj(root)) {
      this.problem('', 'document-not-object', 'The file is not a Naftiko document (expected a mapping at the top level).');
      return undefined;
    }
    const capability = isObj(root.capability) ? root.capability : undefined;
    if (!capability) {
      if (Array.isArray(root.consumes)) return undefined; // a shared consumes file: only used through imports
      this.problem('', 'capability-missing', 'The document has no `capability` section.');
      return undefined;
    }
    const info = isObj(root.info) ? root.info : {};
    const binds = [...arr(root.binds, '/binds'), ...arr(capability.binds, '/capability/binds')]
      .map(([b, p]) => this.bind(b, p))
      .filter(nonNull);
    const result: Capability = {
      file: this.source.path,
      dir: dirname(this.source.path),
      naftiko: String(root.naftiko ?? ''),
      label: str(info.label) ?? this.source.path,
      description: str(info.description),
      tags: Array.isArray(info.tags) ? info.tags.map(String) : [],
      binds,
      consumes: arr(capability.consumes, '/capability/consumes')
        .map(([c, p]) => this.consumed(c, p))
        .filter(nonNull),
      exposes: arr(capability.exposes, '/capability/exposes')
        .map(([e, p]) => this.exposed(e, p))
        .filter(nonNull),
      aggregates: arr(capability.aggregates, '/capability/aggregates')
        .map(([a, p]) => this.aggregate(a, p))
        .filter(nonNull),
      source: this.source,
    };
    inheritFromAggregates(result);
    return result;
  }

  private loc(pointer: string, options?: { key?: boolean }): Location {
    return lazyLocation(this.source, pointer, options);
  }

  private problem(pointer: string, code: string, message: string, hint?: string): void {
    this.diagnostics.push({
      code,
      severity: 'error',
      message,
      file: this.source.path,
      pointer,
      position: this.source.positionOf(pointer),
      ...(hint ? { hint } : {}),
    });
  }

  private bind(b: unknown, p: string): BindSpec | undefined {
    if (!isObj(b)) return undefined;
    const keys: Record<string, string> = {};
    const keyLocs: Record<string, Location> = {};
    if (isObj(b.keys)) {
      for (const [k, v] of Object.entries(b.keys)) {
        keys[k] = String(v);
        const pointer = `${p}/keys/${escapePointer(k)}`;
        keyLocs[k] = this.loc(pointer, { key: true });
      }
    }
    return { namespace: str(b.namespace) ?? '', description: str(b.description), location: str(b.location), keys, keyLocs, loc: this.loc(p) };
  }

  private consumed(c: unknown, p: string): ConsumedApi | undefined {
    if (!isObj(c)) return undefined;
    if (c.location !== undefined || c.import !== undefined) {
      // Import stubs are replaced by the loader before normalisation; one left here is unresolvable.
      this.problem(p, 'consumes-import-unresolved', `The consumes import \`${String(c.import ?? '')}\` could not be resolved.`);
      return undefined;
    }
    return {
      namespace: str(c.namespace) ?? '',
      baseUri: str(c.baseUri) ?? '',
      description: str(c.description),
      inputParameters: arr(c.inputParameters, `${p}/inputParameters`).map(([x, q]) => this.consumedParam(x, q)).filter(nonNull),
      resources: arr(c.resources, `${p}/resources`).map(([r, q]) => this.consumedResource(r, q)).filter(nonNull),
      authentication: isObj(c.authentication) ? this.auth(c.authentication, `${p}/authentication`) : undefined,
      loc: this.loc(p),
    };
  }

  private consumedResource(r: unknown, p: string): ConsumedResource | undefined {
    if (!isObj(r)) return undefined;
    return {
      name: str(r.name) ?? '',
      path: str(r.path) ?? '',
      description: str(r.description),
      inputParameters: arr(r.inputParameters, `${p}/inputParameters`).map(([x, q]) => this.consumedParam(x, q)).filter(nonNull),
      operations: arr(r.operations, `${p}/operations`).map(([o, q]) => this.consumedOperation(o, q)).filter(nonNull),
      loc: this.loc(p),
    };
  }

  private consumedOperation(o: unknown, p: string): ConsumedOperation | undefined {
    if (!isObj(o)) return undefined;
    return {
      name: str(o.name) ?? '',
      method: method(o.method) ?? 'GET',
      description: str(o.description),
      inputParameters: arr(o.inputParameters, `${p}/inputParameters`).map(([x, q]) => this.consumedParam(x, q)).filter(nonNull),
      outputParameters: this.outputs(o.outputParameters, `${p}/outputParameters`),
      body: this.body(o.body),
      outputRawFormat: str(o.outputRawFormat),
      outputSchema: str(o.outputSchema),
      loc: this.loc(p),
    };
  }

  private consumedParam(x: unknown, p: string): ConsumedParameter | undefined {
    if (!isObj(x) || typeof x.name !== 'string') return undefined;
    const where = str(x.in);
    return {
      name: x.name,
      in: where && LOCATIONS.has(where as ParameterLocation) ? (where as ParameterLocation) : 'query',
      type: jsonType(x.type),
      required: x.required === true,
      description: str(x.description),
      value: x.value,
      template: str(x.template),
      ...(x.default !== undefined && x.default !== null ? { default: x.default } : {}),
      loc: this.loc(p),
    };
  }

  private body(b: unknown): RequestBody | undefined {
    if (b === undefined || b === null) return undefined;
    if (typeof b === 'string') return { kind: 'raw', template: b };
    if (!isObj(b)) return { kind: 'json', data: b };
    const type = str(b.type) ?? 'json';
    switch (type) {
      case 'json':
        return { kind: 'json', data: b.data };
      case 'text':
      case 'xml':
      case 'sparql':
        return { kind: type, data: b.data };
      case 'formUrlEncoded':
      case 'form': // APIs.io spelling
        return { kind: 'formUrlEncoded', data: b.data };
      case 'multipartForm':
      case 'multipart': // APIs.io spelling
        return {
          kind: 'multipartForm',
          data: (Array.isArray(b.data) ? b.data : []).filter(isObj).map((part) => ({
            name: String(part.name ?? ''),
            value: part.value,
            filename: str(part.filename),
            contentType: str(part.contentType),
          })),
        };
      default:
        return { kind: 'json', data: b.data ?? b };
    }
  }

  private auth(a: Obj, p: string): Authentication | undefined {
    const loc = this.loc(p);
    switch (a.type) {
      case 'apikey':
      case 'apiKey': {
        // Spec form {key, value, placement}; APIs.io variants {name, in, value|token} and {header, value|token}.
        const key = str(a.key) !== undefined && (str(a.value) !== undefined || str(a.token) !== undefined) ? str(a.key) : (str(a.name) ?? str(a.header) ?? str(a.key));
        const value = str(a.value) ?? str(a.token) ?? (str(a.header) !== undefined && a.key !== undefined && a.value === undefined ? str(a.key) : undefined);
        const placement = a.placement ?? a.in;
        return { type: 'apikey', key: key ?? '', value: value ?? '', placement: placement === 'query' ? 'query' : 'header', loc };
      }
      case 'bearer':
        return { type: 'bearer', token: String(a.token ?? a.value ?? ''), loc };
      case 'basic':
      case 'digest':
        return { type: a.type, username: String(a.username ?? ''), password: String(a.password ?? ''), loc };
      case 'oauth2':
        return { type: 'oauth2', settings: a, loc };
      default:
        return undefined; // reported by the schema as unsupported
    }
  }

  outputs(list: unknown, p: string): OutputParameter[] {
    return arr(list, p).map(([o, q]) => this.output(o, q)).filter(nonNull);
  }

  private output(o: unknown, p: string): OutputParameter | undefined {
    if (!isObj(o)) return undefined;
    let mapping = str(o.mapping);
    let value = o.value;
    // As in the reference engine: a `value` that is a JSONPath (`$…`) on a parameter is a mapping.
    if (mapping === undefined && typeof value === 'string' && value.trim().startsWith('$')) {
      mapping = value.trim();
      value = undefined;
    }
    let properties: Record<string, OutputParameter> | undefined;
    if (isObj(o.properties)) {
      properties = {};
      for (const [k, v] of Object.entries(o.properties)) {
        const child = this.output(v, `${p}/properties/${escapePointer(k)}`);
        if (child) properties[k] = child;
      }
    }
    return {
      name: str(o.name),
      type: jsonType(o.type),
      mapping,
      value,
      const: o.const,
      description: str(o.description),
      properties,
      items: isObj(o.items) ? this.output(o.items, `${p}/items`) : undefined,
      values: isObj(o.values) ? this.output(o.values, `${p}/values`) : undefined,
      maxLength: typeof o.maxLength === 'number' ? o.maxLength : undefined,
      loc: this.loc(p),
    };
  }

  private exposedParams(list: unknown, p: string): ExposedParameter[] {
    return arr(list, p)
      .map(([x, q]): ExposedParameter | undefined => {
        if (!isObj(x) || typeof x.name !== 'string') return undefined;
        const schema: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(x)) if (!PARAM_OWN_KEYS.has(k)) schema[k] = v;
        const where = str(x.in);
        return {
          name: x.name,
          in: where && LOCATIONS.has(where as ParameterLocation) ? (where as ParameterLocation) : undefined,
          type: jsonType(x.type),
          description: str(x.description),
          required: x.required !== false,
          value: x.value ?? x.template,
          schema,
          loc: this.loc(q),
        };
      })
      .filter(nonNull);
  }

  private callTarget(c: unknown, p: string): CallTarget | undefined {
    const ref = typeof c === 'string' ? c : isObj(c) ? str(c.operation) : undefined;
    if (ref === undefined) return undefined;
    const dot = ref.indexOf('.');
    return {
      namespace: dot < 0 ? '' : ref.slice(0, dot),
      operation: dot < 0 ? ref : ref.slice(dot + 1),
      ref,
      loc: this.loc(p),
    };
  }

  private invocable(x: Obj, p: string, name: string): Invocable {
    const callWith = isObj(x.call) && isObj(x.call.with) ? x.call.with : {};
    return {
      name,
      description: str(x.description),
      inputParameters: this.exposedParams(x.inputParameters, `${p}/inputParameters`),
      outputParameters: this.outputs(x.outputParameters, `${p}/outputParameters`),
      call: x.call === undefined ? undefined : this.callTarget(x.call, `${p}/call`),
      with: { ...callWith, ...(isObj(x.with) ? x.with : {}) },
      steps: arr(x.steps, `${p}/steps`).map(([s, q]) => this.step(s, q)).filter(nonNull),
      mappings: arr(x.mappings, `${p}/mappings`)
        .map(([m]) => (isObj(m) && typeof m.targetName === 'string' && typeof m.value === 'string' ? ({ targetName: m.targetName, value: m.value } as Mapping) : undefined))
        .filter(nonNull),
      ref: str(x.ref),
      loc: this.loc(p),
    };
  }

  private step(s: unknown, p: string): Step | undefined {
    if (!isObj(s)) return undefined;
    const loc = this.loc(p);
    const name = str(s.name) ?? '';
    if (s.type === 'call') {
      const call = this.callTarget(s.call, `${p}/call`);
      if (!call) return undefined;
      return { type: 'call', name, call, with: isObj(s.with) ? s.with : {}, loc };
    }
    if (s.type === 'lookup') {
      return {
        type: 'lookup',
        name,
        index: String(s.index ?? ''),
        match: String(s.match ?? ''),
        lookupValue: String(s.lookupValue ?? ''),
        outputParameters: Array.isArray(s.outputParameters) ? s.outputParameters.map(String) : [],
        loc,
      };
    }
    if (s.type === 'script') return { type: 'script', name, settings: s, loc };
    return undefined;
  }

  private exposed(e: unknown, p: string): ExposedAdapter | undefined {
    if (!isObj(e)) return undefined;
    const common = {
      namespace: str(e.namespace) ?? '',
      port: typeof e.port === 'number' ? e.port : undefined,
      address: str(e.address),
      loc: this.loc(p),
    };
    if (e.type === 'rest') {
      const adapter: RestAdapter = {
        type: 'rest',
        ...common,
        description: str(e.description),
        inputParameters: this.exposedParams(e.inputParameters, `${p}/inputParameters`),
        resources: arr(e.resources, `${p}/resources`).map(([r, q]) => this.restResource(r, q)).filter(nonNull),
        authentication: isObj(e.authentication) ? this.auth(e.authentication, `${p}/authentication`) : undefined,
      };
      return adapter;
    }
    if (e.type === 'mcp') {
      const adapter: McpAdapter = {
        type: 'mcp',
        ...common,
        transport: e.transport === 'stdio' ? 'stdio' : 'http',
        description: str(e.description),
        tools: arr(e.tools, `${p}/tools`).map(([t, q]) => this.tool(t, q)).filter(nonNull),
        resources: arr(e.resources, `${p}/resources`).map(([r, q]) => this.mcpResource(r, q)).filter(nonNull),
        prompts: arr(e.prompts, `${p}/prompts`).map(([r, q]) => this.prompt(r, q)).filter(nonNull),
        authentication: isObj(e.authentication) ? this.auth(e.authentication, `${p}/authentication`) : undefined,
      };
      return adapter;
    }
    if (e.type === 'skill' || e.type === 'control') return { type: e.type, ...common, settings: e };
    return undefined; // unknown types are reported by the schema
  }

  private restResource(r: unknown, p: string): RestResource | undefined {
    if (!isObj(r)) return undefined;
    const forward = isObj(r.forward)
      ? {
          targetNamespace: String(r.forward.targetNamespace ?? ''),
          trustedHeaders: Array.isArray(r.forward.trustedHeaders) ? r.forward.trustedHeaders.map(String) : [],
        }
      : undefined;
    return {
      path: str(r.path) ?? '',
      name: str(r.name),
      description: str(r.description),
      inputParameters: this.exposedParams(r.inputParameters, `${p}/inputParameters`),
      operations: arr(r.operations, `${p}/operations`)
        .map(([o, q]): RestOperation | undefined =>
          isObj(o) ? { ...this.invocable(o, q, str(o.name) ?? ''), method: method(o.method) ?? 'GET' } : undefined,
        )
        .filter(nonNull),
      forward,
      loc: this.loc(p),
    };
  }

  private tool(t: unknown, p: string): McpTool | undefined {
    if (!isObj(t)) return undefined;
    const hints = isObj(t.hints) ? t.hints : undefined;
    return {
      ...this.invocable(t, p, str(t.name) ?? ''),
      label: str(t.label) ?? str(t.title),
      hints: hints
        ? {
            readOnly: bool(hints.readOnly),
            destructive: bool(hints.destructive),
            idempotent: bool(hints.idempotent),
            openWorld: bool(hints.openWorld),
          }
        : undefined,
    };
  }

  private mcpResource(r: unknown, p: string): McpResource | undefined {
    if (!isObj(r)) return undefined;
    const executable = r.call !== undefined || Array.isArray(r.steps);
    return {
      name: str(r.name) ?? '',
      uri: str(r.uri) ?? '',
      label: str(r.label),
      description: str(r.description),
      mimeType: str(r.mimeType),
      text: str(r.text) ?? str(r.content),
      location: str(r.location),
      invocable: executable ? this.invocable(r, p, str(r.name) ?? '') : undefined,
      loc: this.loc(p),
    };
  }

  private prompt(r: unknown, p: string): McpPrompt | undefined {
    if (!isObj(r)) return undefined;
    return {
      name: str(r.name) ?? '',
      label: str(r.label),
      description: str(r.description),
      arguments: (Array.isArray(r.arguments) ? r.arguments : []).filter(isObj).map((a) => ({
        name: String(a.name ?? ''),
        label: str(a.label),
        description: str(a.description),
        required: a.required !== false, // the spec's default, as for every input
      })),
      messages: (Array.isArray(r.template) ? r.template : Array.isArray(r.messages) ? r.messages : []).filter(isObj).map((m) => ({
        role: m.role === 'assistant' ? 'assistant' : 'user',
        content: typeof m.content === 'string' ? m.content : isObj(m.content) ? String(m.content.text ?? '') : '',
      })),
      location: str(r.location),
      loc: this.loc(p),
    };
  }

  private aggregate(a: unknown, p: string): Aggregate | undefined {
    if (!isObj(a)) return undefined;
    return {
      namespace: str(a.namespace) ?? '',
      label: str(a.label),
      functions: arr(a.functions, `${p}/functions`)
        .map(([f, q]): AggregateFunction | undefined => {
          if (!isObj(f)) return undefined;
          const semantics = isObj(f.semantics)
            ? { safe: bool(f.semantics.safe), idempotent: bool(f.semantics.idempotent), cacheable: bool(f.semantics.cacheable) }
            : undefined;
          return { ...this.invocable(f, q, str(f.name) ?? ''), semantics };
        })
        .filter(nonNull),
      loc: this.loc(p),
    };
  }
}

const isObj: (v: unknown) => v is Obj = isObject;
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}
function method(v: unknown): HttpMethod | undefined {
  const m = typeof v === 'string' ? v.toUpperCase() : undefined;
  return m && METHODS.has(m as HttpMethod) ? (m as HttpMethod) : undefined;
}
function jsonType(v: unknown): JsonType | undefined {
  return typeof v === 'string' && TYPES.has(v as JsonType) ? (v as JsonType) : undefined;
}
function arr(v: unknown, p: string): [unknown, string][] {
  return Array.isArray(v) ? v.map((x, i) => [x, `${p}/${i}`]) : [];
}
function nonNull<T>(v: T | undefined): v is T {
  return v !== undefined;
}

type Hints = NonNullable<McpTool['hints']>;

/**
 * `ref: aggregateNamespace.function` (naftiko-core §7): a REST operation or
 * MCP tool takes its name and description from the function when it leaves
 * them empty; an MCP tool also takes the function's inputParameters when it
 * declares none, and hints derived from the function's `semantics` (`safe:
 * true` → readOnly, not destructive; `safe: false` → not readOnly;
 * `idempotent` copied), each explicit hint overriding its field. Execution
 * fields are not copied: the engine runs the function itself. Unknown refs are
 * left alone (lint reports them).
 */
function inheritFromAggregates(capability: Capability): void {
  const functions = new Map<string, AggregateFunction>();
  for (const aggregate of capability.aggregates) {
    for (const fn of aggregate.functions) {
      const ref = `${aggregate.namespace}.${fn.name}`;
      if (!functions.has(ref)) functions.set(ref, fn);
    }
  }
  if (functions.size === 0) return;
  const inherit = (unit: Invocable, withInputs: boolean): AggregateFunction | undefined => {
    const fn = unit.ref ? functions.get(unit.ref) : undefined;
    if (!fn) return undefined;
    const inherited: NonNullable<Invocable['inherited']> = [];
    if (unit.name === '' && fn.name !== '') {
      unit.name = fn.name;
      inherited.push('name');
    }
    if (unit.description === undefined && fn.description !== undefined) {
      unit.description = fn.description;
      inherited.push('description');
    }
    if (withInputs && unit.inputParameters.length === 0 && fn.inputParameters.length > 0) {
      unit.inputParameters = fn.inputParameters;
      inherited.push('inputParameters');
    }
    if (inherited.length > 0) unit.inherited = inherited;
    return fn;
  };
  for (const adapter of capability.exposes) {
    if (adapter.type === 'rest') {
      for (const resource of adapter.resources) for (const operation of resource.operations) inherit(operation, false);
    } else if (adapter.type === 'mcp') {
      for (const tool of adapter.tools) {
        const fn = inherit(tool, true);
        if (!fn?.semantics) continue;
        const derived: Hints = {};
        if (fn.semantics.safe === true) {
          derived.readOnly = true;
          derived.destructive = false;
        } else if (fn.semantics.safe === false) derived.readOnly = false;
        if (fn.semantics.idempotent !== undefined) derived.idempotent = fn.semantics.idempotent;
        const declared = tool.hints;
        const merged: Hints = { ...derived };
        for (const [key, value] of Object.entries(declared ?? {}) as [keyof Hints, boolean | undefined][]) if (value !== undefined) merged[key] = value;
        if (Object.keys(merged).length === 0) continue;
        tool.declaredHints = declared;
        tool.hints = merged;
      }
    }
  }
}

/**
 * A location whose line and column are computed when first read: most nodes are
 * never blamed for anything, and positions need the slower positioned parse.
 */
function lazyLocation(source: SourceFile, pointer: string, options?: { key?: boolean }): Location {
  let position: Location['position'];
  let resolved = false;
  return {
    file: source.path,
    pointer,
    get position() {
      if (!resolved) {
        position = source.positionOf(pointer, options);
        resolved = true;
      }
      return position;
    },
    set position(value) {
      position = value;
      resolved = true;
    },
  };
}
