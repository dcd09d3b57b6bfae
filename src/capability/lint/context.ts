/**
 * What the lint rules share: one index per capability (consumed operations by
 * `ns.op`, every exposed unit with its adapter/resource, bind variables),
 * template and path-variable extraction, diagnostic construction and
 * "did you mean" hints. The index is built once per capability object and
 * cached, so twenty rules cost one walk.
 */
import { lazyDiagnostic, type Diagnostic, type Severity } from '../diagnostics.js';
import type {
  Aggregate,
  AggregateFunction,
  Capability,
  ConsumedApi,
  ConsumedOperation,
  ConsumedParameter,
  ConsumedResource,
  ExposedParameter,
  Invocable,
  Location,
  McpAdapter,
  McpTool,
  RequestBody,
  RestAdapter,
  RestOperation,
  RestResource,
  Step,
} from '../model.js';
import { escapePointer } from '../source.js';
import { templateVariablePaths } from '../template-grammar.js';

export { DEFAULT_MCP_PORT, DEFAULT_REST_PORT, listenerKey, normalizeRoute } from '../listeners.js';

/** A consumed operation with the resource and API it belongs to. */
export interface OperationTarget {
  api: ConsumedApi;
  resource: ConsumedResource;
  operation: ConsumedOperation;
  ref: string;
}

export type UnitKind = 'rest-operation' | 'mcp-tool' | 'mcp-resource' | 'aggregate-function';

/** An exposed unit that can run a call / steps / ref: REST operation, MCP tool or resource, aggregate function. */
export interface Unit {
  kind: UnitKind;
  invocable: Invocable;
  /** `rest.` / `tools.` context of `with` expressions; aggregate functions can be reached from both. */
  surface: 'rest' | 'mcp' | 'any';
  /** Namespace used by `<namespace>.X` expressions (adapter or aggregate namespace). */
  namespace: string;
  /** Plain-words name, e.g. "REST operation GET /v1/items" or "MCP tool `list-items`". */
  label: string;
  rest?: { adapter: RestAdapter; resource: RestResource; operation: RestOperation };
  mcp?: { adapter: McpAdapter; tool?: McpTool };
  aggregate?: { aggregate: Aggregate; fn: AggregateFunction };
  /** REST: adapter- and resource-level exposed inputParameters the operation inherits. */
  inherited: ExposedParameter[];
}

export interface CapabilityIndex {
  capability: Capability;
  /** Consumed APIs by namespace (more than one = duplicate namespace). */
  apis: Map<string, ConsumedApi[]>;
  /** Consumed operations by `ns.op`; the first entry is the one a call reaches. */
  operations: Map<string, OperationTarget[]>;
  units: Unit[];
  /** Aggregate functions by `ns.fn`. */
  functions: Map<string, { aggregate: Aggregate; fn: AggregateFunction }[]>;
  /** Bind variable names (keys of every bind). */
  bindVariables: Set<string>;
  bindNamespaces: Set<string>;
  /** Namespaces of consumes import stubs the loader could not resolve (already reported). */
  unresolvedImports: Set<string>;
}

const cache = new WeakMap<Capability, CapabilityIndex>();

export function indexCapability(capability: Capability): CapabilityIndex {
  const cached = cache.get(capability);
  if (cached) return cached;
  const apis = new Map<string, ConsumedApi[]>();
  const operations = new Map<string, OperationTarget[]>();
  for (const api of capability.consumes) {
    push(apis, api.namespace, api);
    for (const resource of api.resources) {
      for (const operation of resource.operations) {
        const ref = `${api.namespace}.${operation.name}`;
        push(operations, ref, { api, resource, operation, ref });
      }
    }
  }
  const functions = new Map<string, { aggregate: Aggregate; fn: AggregateFunction }[]>();
  const units: Unit[] = [];
  for (const aggregate of capability.aggregates) {
    for (const fn of aggregate.functions) {
      push(functions, `${aggregate.namespace}.${fn.name}`, { aggregate, fn });
      units.push({
        kind: 'aggregate-function',
        invocable: fn,
        surface: 'any',
        namespace: aggregate.namespace,
        label: `aggregate function \`${aggregate.namespace}.${fn.name}\``,
        aggregate: { aggregate, fn },
        inherited: [],
      });
    }
  }
  for (const adapter of capability.exposes) {
    if (adapter.type === 'rest') {
      for (const resource of adapter.resources) {
        for (const operation of resource.operations) {
          units.push({
            kind: 'rest-operation',
            invocable: operation,
            surface: 'rest',
            namespace: adapter.namespace,
            label: `REST operation ${operation.method} ${resource.path}`,
            rest: { adapter, resource, operation },
            inherited: [...adapter.inputParameters, ...resource.inputParameters],
          });
        }
      }
    } else if (adapter.type === 'mcp') {
      for (const tool of adapter.tools) {
        units.push({
          kind: 'mcp-tool',
          invocable: tool,
          surface: 'mcp',
          namespace: adapter.namespace,
          label: `MCP tool \`${tool.name}\``,
          mcp: { adapter, tool },
          inherited: [],
        });
      }
      for (const resource of adapter.resources) {
        if (!resource.invocable) continue;
        units.push({
          kind: 'mcp-resource',
          invocable: resource.invocable,
          surface: 'mcp',
          namespace: adapter.namespace,
          label: `MCP resource \`${resource.name}\``,
          mcp: { adapter },
          inherited: [],
        });
      }
    }
  }
  const bindVariables = new Set<string>();
  const bindNamespaces = new Set<string>();
  for (const bind of capability.binds) {
    bindNamespaces.add(bind.namespace);
    for (const variable of Object.keys(bind.keys)) bindVariables.add(variable);
  }
  const index: CapabilityIndex = {
    capability,
    apis,
    operations,
    units,
    functions,
    bindVariables,
    bindNamespaces,
    unresolvedImports: unresolvedImports(capability, apis),
  };
  cache.set(capability, index);
  return index;
}

/** Namespaces (`as` or `import`) of consumes entries that are still import stubs in the raw document. */
function unresolvedImports(capability: Capability, apis: Map<string, ConsumedApi[]>): Set<string> {
  const out = new Set<string>();
  const consumes = (rawObject(rawObject(capability.source.data)?.capability))?.consumes;
  if (!Array.isArray(consumes)) return out;
  for (const entry of consumes) {
    const stub = rawObject(entry);
    if (!stub || stub.location === undefined) continue;
    const name = typeof stub.as === 'string' && stub.as !== '' ? stub.as : String(stub.import ?? '');
    if (!apis.has(name)) out.add(name);
  }
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

// ---------------------------------------------------------------------------
// Diagnostics

export interface DiagnosticInput {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
}

/** A diagnostic at a model node's location. */
export function report(loc: Location, input: DiagnosticInput): Diagnostic {
  return lazyDiagnostic({
    code: input.code,
    severity: input.severity,
    message: input.message,
    file: loc.file,
    pointer: loc.pointer,
    ...(input.hint ? { hint: input.hint } : {}),
  }, () => loc.position);
}

/** A diagnostic at a pointer below a node (`/with/account_id`), positioned on the key when asked. */
export function reportAt(capability: Capability, pointer: string, input: DiagnosticInput, options: { key?: boolean } = {}): Diagnostic {
  return lazyDiagnostic({
    code: input.code,
    severity: input.severity,
    message: input.message,
    file: capability.file,
    pointer,
    ...(input.hint ? { hint: input.hint } : {}),
  }, () => capability.source.positionOf(pointer, options));
}

export function childPointer(loc: Location, ...segments: (string | number)[]): string {
  return [loc.pointer, ...segments.map(escapePointer)].join('/');
}

/** Pointer of a `with` key of a unit (the object form `call.with` is merged by normalisation). */
export function withPointer(capability: Capability, loc: Location, key: string): string {
  const direct = childPointer(loc, 'with', key);
  const raw = rawAt(capability, childPointer(loc, 'with'));
  if (raw && typeof raw === 'object' && key in (raw as object)) return direct;
  const nested = rawAt(capability, childPointer(loc, 'call', 'with'));
  if (nested && typeof nested === 'object' && key in (nested as object)) return childPointer(loc, 'call', 'with', key);
  return direct;
}

/** The raw (pre-normalisation) value at a JSON pointer, for keys the model does not keep. */
export function rawAt(capability: Capability, pointer: string): unknown {
  let node: unknown = capability.source.data;
  if (pointer === '') return node;
  for (const segment of pointer.slice(1).split('/')) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (node !== null && typeof node === 'object') node = (node as Record<string, unknown>)[key];
    else return undefined;
  }
  return node;
}

export function rawObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

// ---------------------------------------------------------------------------
// Names and hints

/** Levenshtein distance, case-insensitive (a case-only difference costs 0.5 to rank it first). */
export function distance(a: string, b: string): number {
  if (a === b) return 0;
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la === lb) return 0.5;
  const prev = new Array<number>(lb.length + 1);
  const cur = new Array<number>(lb.length + 1);
  for (let j = 0; j <= lb.length; j++) prev[j] = j;
  for (let i = 1; i <= la.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= lb.length; j++) {
      const cost = la[i - 1] === lb[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    for (let j = 0; j <= lb.length; j++) prev[j] = cur[j]!;
  }
  return prev[lb.length]!;
}

/** The closest candidate, when it is close enough to be a plausible typo. */
export function nearest(wanted: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const d = distance(wanted, candidate);
    if (d < bestScore) {
      best = candidate;
      bestScore = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(wanted.length, best.length) / 3));
  return bestScore <= limit ? best : undefined;
}

export function didYouMean(wanted: string, candidates: Iterable<string>, format: (s: string) => string = (s) => `\`${s}\``): string | undefined {
  const best = nearest(wanted, candidates);
  return best === undefined ? undefined : `Did you mean ${format(best)}?`;
}

/** "a, b, c" (at most `max`, then "… (n more)"). */
export function listOf(values: Iterable<string>, max = 8): string {
  const all = [...values];
  const shown = all.slice(0, max).map((v) => `\`${v}\``).join(', ');
  return all.length > max ? `${shown} … (${all.length - max} more)` : shown;
}

// ---------------------------------------------------------------------------
// Templates and paths

/** Variables (`{{x}}`) of one string; cached because the same strings are read by several rules. */
const templateCache = new Map<string, readonly string[]>();
export function templateVariables(text: string): readonly string[] {
  if (!text.includes('{{')) return [];
  let vars = templateCache.get(text);
  if (!vars) {
    vars = templateVariablePaths(text);
    if (templateCache.size > 50_000) templateCache.clear();
    templateCache.set(text, vars);
  }
  return vars;
}

/** Every template variable in any string nested inside a value (body data, parameter values). */
export function deepTemplateVariables(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(...templateVariables(value));
  else if (Array.isArray(value)) for (const v of value) deepTemplateVariables(v, out);
  // Skip model locations: reading their position would force a positioned parse.
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== 'loc') deepTemplateVariables(v, out);
  return out;
}

export function bodyTemplateVariables(body: RequestBody | undefined): string[] {
  if (!body) return [];
  if (body.kind === 'raw') return [...templateVariables(body.template)];
  return deepTemplateVariables(body.data);
}

export interface PathVariable {
  /** Name as the runtime looks it up (`{Key+}` → `Key`). */
  name: string;
  /** As written, with braces. */
  raw: string;
}

const PATH_VARIABLE = /\{\{\s*([^{}]+?)\s*\}\}|\{([^{}]+)\}/g;

/** `{x}` and `{{x}}` placeholders of a path (a greedy `{x+}` counts as `x`). */
export function pathVariables(path: string): PathVariable[] {
  if (!path.includes('{')) return [];
  const out: PathVariable[] = [];
  for (const match of path.matchAll(PATH_VARIABLE)) {
    const name = (match[1] ?? match[2] ?? '').trim().replace(/[+*]$/, '');
    if (name !== '') out.push({ name, raw: match[0] });
  }
  return out;
}

export { usedBindVariables } from '../bind-usage.js';

/** Whether a template variable path names a bind variable (`env.X`, `<bindNamespace>.X`, or a declared `X`). */
export function bindReference(index: CapabilityIndex, path: string): { qualified: boolean; namespace?: string; variable: string } | undefined {
  const dot = path.indexOf('.');
  if (dot > 0) {
    const ns = path.slice(0, dot);
    if (ns === 'env' || index.bindNamespaces.has(ns)) return { qualified: true, namespace: ns, variable: path.slice(dot + 1) };
    return undefined;
  }
  if (index.bindVariables.has(path)) return { qualified: false, variable: path };
  return undefined;
}

// ---------------------------------------------------------------------------
// Consumed operations

/** Consumed parameters as the runtime merges them (API, then resource, then operation; later wins). */
const paramsCache = new WeakMap<ConsumedOperation, ConsumedParameter[]>();
export function consumedParameters(target: OperationTarget): ConsumedParameter[] {
  const cached = paramsCache.get(target.operation);
  if (cached) return cached;
  const byName = new Map<string, ConsumedParameter>();
  for (const p of [...target.api.inputParameters, ...target.resource.inputParameters, ...target.operation.inputParameters]) byName.set(`${p.in}:${p.name}`, p);
  const list = [...byName.values()];
  paramsCache.set(target.operation, list);
  return list;
}

/** Parameters with a fixed `value`/`template`: they never need a caller. */
export function hasFixedValue(p: ConsumedParameter): boolean {
  return (p.value !== undefined && p.value !== null && p.value !== '') || (p.template !== undefined && p.template !== '');
}

/** Every template variable a consumed operation reads (path, baseUri, parameter values, body, auth). */
const variablesCache = new WeakMap<ConsumedOperation, Set<string>>();
export function operationVariables(target: OperationTarget): Set<string> {
  const cached = variablesCache.get(target.operation);
  if (cached) return cached;
  const vars = new Set<string>();
  for (const v of pathVariables(target.resource.path)) vars.add(v.name);
  for (const v of templateVariables(target.api.baseUri)) vars.add(v);
  for (const p of consumedParameters(target)) {
    deepTemplateVariables(p.value).forEach((v) => vars.add(v));
    if (p.template) templateVariables(p.template).forEach((v) => vars.add(v));
  }
  bodyTemplateVariables(target.operation.body).forEach((v) => vars.add(v));
  const auth = target.api.authentication;
  if (auth) deepTemplateVariables(auth.type === 'oauth2' ? auth.settings : auth).forEach((v) => vars.add(v));
  variablesCache.set(target.operation, vars);
  return vars;
}

/** The call steps of a unit and the unit's own call, each with its `with`. */
export interface CallSite {
  unit: Unit;
  /** The step, when the call is a step of an orchestrated unit. */
  step?: Extract<Step, { type: 'call' }>;
  ref: string;
  with: Record<string, unknown>;
  loc: Location;
  /** Location the `with` keys live under (the unit, or the step). */
  owner: Location;
}

const sitesCache = new WeakMap<CapabilityIndex, CallSite[]>();
export function callSites(index: CapabilityIndex): CallSite[] {
  const cached = sitesCache.get(index);
  if (cached) return cached;
  const out: CallSite[] = [];
  for (const unit of index.units) {
    const inv = unit.invocable;
    if (inv.call && !inv.ref) out.push({ unit, ref: inv.call.ref, with: inv.with, loc: inv.call.loc, owner: inv.loc });
    for (const step of inv.steps) {
      if (step.type === 'call') out.push({ unit, step, ref: step.call.ref, with: step.with, loc: step.call.loc, owner: step.loc });
    }
  }
  sitesCache.set(index, out);
  return out;
}

export { looselyEqual, uniqueLooseMatch } from '../names.js';

/**
 * A REST operation with a `call` and no declared inputs (no inputParameters of
 * its own or inherited, no `with`): the runtime reads every parameter of the
 * consumed operation from the request by name (path, query, header, body field).
 */
export function derivesInputs(unit: Unit): boolean {
  const inv = unit.invocable;
  return unit.kind === 'rest-operation' && !!inv.call && !inv.ref && inv.steps.length === 0 && inv.inputParameters.length === 0 && unit.inherited.length === 0 && Object.keys(inv.with).length === 0;
}

/** An MCP tool with a `call` and no inputParameters: every consumed parameter no `with` key feeds is offered as an argument. */
export function offersConsumedArguments(unit: Unit): boolean {
  const inv = unit.invocable;
  return unit.kind === 'mcp-tool' && !!inv.call && !inv.ref && inv.inputParameters.length === 0;
}

/** The target of a call site when it is unambiguous (duplicates are reported by consumed-operation-duplicate). */
export function uniqueCall(index: CapabilityIndex, ref: string): OperationTarget | undefined {
  const list = index.operations.get(ref);
  return list && list.length === 1 ? list[0] : undefined;
}

/** Every call site whose `call` names exactly one consumed operation, with that operation (the opening rules share). */
export function* callTargets(index: CapabilityIndex): Generator<{ site: CallSite; target: OperationTarget }> {
  for (const site of callSites(index)) {
    const target = uniqueCall(index, site.ref);
    if (target) yield { site, target };
  }
}

/** The resolved target of a call site (first match, as the runtime picks), if any. */
export function resolveCall(index: CapabilityIndex, ref: string): OperationTarget | undefined {
  return index.operations.get(ref)?.[0];
}

/** An exposed adapter's inbound `authentication` block, raw (model shapes drop keys the rules read). */
export interface AdapterAuth {
  capability: Capability;
  adapter: Capability['exposes'][number];
  /** Pointer of the `authentication` block. */
  pointer: string;
  raw: Record<string, unknown>;
}

/** Runs `check` for every exposed adapter that declares `authentication` (the shared opening of the auth rules). */
export function forEachAuth(capabilities: readonly Capability[], check: (auth: AdapterAuth) => Diagnostic | Diagnostic[] | undefined): Diagnostic[] {
  return perCapability(capabilities, ({ capability }) => {
    const out: Diagnostic[] = [];
    for (const adapter of capability.exposes) {
      const pointer = childPointer(adapter.loc, 'authentication');
      const raw = rawObject(rawAt(capability, pointer));
      if (!raw) continue;
      const found = check({ capability, adapter, pointer, raw });
      if (found) out.push(...(Array.isArray(found) ? found : [found]));
    }
    return out;
  });
}

/** Runs `check` for every capability and flattens the result (most rules are per file). */
export function perCapability(capabilities: readonly Capability[], check: (index: CapabilityIndex) => Diagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const capability of capabilities) out.push(...check(indexCapability(capability)));
  return out;
}

// ---------------------------------------------------------------------------
// Raw document walk

export interface RawString {
  pointer: string;
  /** The mapping key this string is the value of (or the array's key for items). */
  key: string;
  text: string;
}

const stringsCache = new WeakMap<Capability, RawString[]>();

/** Keys whose string values are prose (checked by description-unsafe). */
export const TEXT_KEYS = new Set(['description', 'label', 'title']);

/**
 * The raw document's string values that rules read — those holding a `{{template}}`
 * and the prose fields (`description`, `label`, `title`) — with their JSON
 * pointers (cached per capability).
 */
export function rawStrings(capability: Capability): RawString[] {
  const cached = stringsCache.get(capability);
  if (cached) return cached;
  const out: RawString[] = [];
  const path: string[] = [];
  const walk = (node: unknown, key: string) => {
    if (typeof node === 'string') {
      if (TEXT_KEYS.has(key) || node.includes('{{')) out.push({ pointer: path.length === 0 ? '' : `/${path.join('/')}`, key, text: node });
    } else if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(String(i));
        walk(node[i], key);
        path.pop();
      }
    } else if (node !== null && typeof node === 'object') {
      for (const k in node) {
        path.push(k.includes('/') || k.includes('~') ? escapePointer(k) : k);
        walk((node as Record<string, unknown>)[k], k);
        path.pop();
      }
    }
  };
  walk(capability.source.data, '');
  stringsCache.set(capability, out);
  return out;
}
