/**
 * Executes one exposed unit (REST operation, MCP tool, aggregate function):
 * gathers its parameters from the caller's input, applies its `with`, then
 * runs a single `call`, a sequence of `steps` with `mappings`, answers from
 * mock outputs, or — for `ref: aggregate.function` — runs that function. The
 * result is surface-neutral; REST and MCP render it their own way.
 *
 * Everything is compiled in the constructor (at load): `with` expressions,
 * JSONPaths, output mappers, step plans. `invoke` only evaluates.
 */
import type { AggregateFunction, ExposedParameter, Invocable, JsonType, Step } from '../capability/model.js';
import { looseGet, uniqueLooseMatch } from '../capability/names.js';
import type { BindScope } from './binds.js';
import { EngineError, UpstreamError, UpstreamResponseError } from './errors.js';
import { compileWith, requestValue, type CompiledWith } from './expressions.js';
import { FormBody, plainBody, type CallerInput, type RestInput } from './input.js';
import { compileJsonPath, type CompiledPath } from './jsonpath.js';
import { coerceText, compileMockOutputs, compileOutputs, compileProjection, type Mapper, type Projection } from './mapping.js';
import { parseBody, FormatError, normalizeFormat } from './formats/index.js';
import { Template, paramValue, type Lookup } from './templates.js';
import type { CallContext, CallOutcome, PreparedOperation } from './upstream/operation.js';
import type { UpstreamResponse } from './upstream/client.js';
import type { Redactor } from './redact.js';
import { callerWantsFresh } from './upstream/cache.js';
import type { UpstreamPolicies } from './upstream/policies.js';
import type { TraceParent } from './tracing.js';

export interface InvocationResult {
  status: number;
  /** A shaped JSON value, when outputs apply (absent: pass `raw` through). */
  value?: unknown;
  hasValue: boolean;
  raw?: { body: Buffer; contentType?: string };
  upstream?: { status: number; durationMs: number; operation: string; headers: Record<string, string | string[] | undefined> };
}

export interface InvocationContext {
  requestId?: string;
  signal?: AbortSignal;
  /** The request's span (tracing on only): upstream calls and token mints become its children. */
  trace?: TraceParent;
  /** Traffic policies of the exposed unit (resolved per adapter and operation). */
  policies?: UpstreamPolicies;
  /** The caller sent `Cache-Control: no-cache`: skip the response cache lookup. */
  bypassCache?: boolean;
  /** `semantics` of the aggregate function being run (idempotent, cacheable). */
  semantics?: { idempotent?: boolean; cacheable?: boolean };
}

/** What an invocable needs from its capability: operations by `ns.op`, aggregate functions, the call context. */
export interface OperationSource {
  operation(ref: string): PreparedOperation | undefined;
  callContext(extra: InvocationContext): CallContext;
  readonly binds: BindScope;
  /** Environment for `in: environment` parameters (the env file overlaid by the process environment). */
  readonly env?: Record<string, string | undefined>;
  /** The compiled aggregate function a `ref: namespace.function` names. */
  aggregateFunction?(ref: string): CompiledInvocable | undefined;
  /** Upstream traffic policies of an exposed unit (adapter namespace, unit name). */
  policiesFor?(adapter: string, operation: string): UpstreamPolicies | undefined;
}

type CompiledStep =
  | { step: Extract<Step, { type: 'call' }>; with: CompiledWith; operation?: PreparedOperation; projection?: Projection }
  | { step: Extract<Step, { type: 'lookup' }>; lookupValue: Template }
  | { step: Extract<Step, { type: 'script' }> };

/** The upstream answer a result came from, kept so a `ref` unit can reshape it with its own outputs. */
const origins = new WeakMap<InvocationResult, { outcome: CallOutcome; operation: PreparedOperation }>();

export class CompiledInvocable {
  readonly operation?: PreparedOperation;
  /** For `ref` units: the aggregate function this unit runs. */
  readonly target?: CompiledInvocable;
  private readonly with: CompiledWith;
  private readonly outputs?: Mapper;
  private readonly mockOutputs?: Mapper;
  /** Consumed outputs of the call target: used when the unit declares no outputs of its own. */
  private readonly projection?: Projection;
  private readonly steps: CompiledStep[];
  private readonly mappings: { target: string[]; path: string[] }[];
  private readonly declared: { spec: ExposedParameter; path?: CompiledPath }[];
  private readonly semantics?: { idempotent?: boolean; cacheable?: boolean };
  /** Resolved on first use (null: the runtime's defaults apply). */
  private policies?: UpstreamPolicies | null;
  /**
   * A REST operation with a `call` and no declared inputs (no inputParameters, no
   * `with`): the consumed operation's parameter names, each read from the request
   * by name (issue 12). Undefined when the unit declares its inputs.
   */
  private readonly derivedInputs?: readonly string[];

  constructor(
    readonly invocable: Invocable,
    readonly adapterNamespace: string,
    private readonly source: OperationSource,
    /** Exposed inputParameters inherited from the adapter and resource (REST). */
    inherited: ExposedParameter[] = [],
  ) {
    this.with = compileWith(invocable.with, adapterNamespace, source.binds);
    this.semantics = (invocable as AggregateFunction).semantics;
    const shaping = invocable.outputParameters.filter((o) => o.mapping !== undefined || o.value !== undefined || o.const !== undefined || o.properties || o.items);
    this.outputs = compileOutputs(shaping);
    this.mockOutputs = compileMockOutputs(shaping);
    if (invocable.ref) {
      this.target = source.aggregateFunction?.(invocable.ref);
      this.operation = this.target?.operation;
    } else if (invocable.call) {
      this.operation = source.operation(invocable.call.ref);
      this.projection = compileProjection(this.operation?.operation.outputParameters ?? []);
    }
    this.steps = invocable.steps.map((step): CompiledStep => {
      if (step.type === 'call') {
        const operation = source.operation(step.call.ref);
        return { step, with: compileWith(step.with, adapterNamespace, source.binds), operation, projection: compileProjection(operation?.operation.outputParameters ?? []) };
      }
      if (step.type === 'lookup') return { step, lookupValue: Template.compile(step.lookupValue) };
      return { step };
    });
    this.mappings = invocable.mappings
      .filter((m) => m.value.startsWith('$.'))
      .map((m) => ({ target: m.targetName.split('.'), path: m.value.slice(2).split('.') }));
    // A `ref` REST operation without inputParameters reads the function's (the reference reads none).
    const own = invocable.inputParameters.length > 0 || !this.target ? invocable.inputParameters : this.target.invocable.inputParameters;
    const byName = new Map<string, ExposedParameter>();
    for (const p of [...inherited, ...own]) byName.set(p.name, p);
    this.declared = [...byName.values()].map((spec) => ({
      spec,
      path: typeof spec.value === 'string' && spec.value.startsWith('$') ? compileJsonPath(spec.value) : undefined,
    }));
    if (this.operation && invocable.call && !invocable.ref && invocable.steps.length === 0 && this.declared.length === 0 && Object.keys(invocable.with).length === 0) {
      this.derivedInputs = callerSuppliedNames(this.operation);
    }
  }

  get mode(): 'call' | 'steps' | 'mock' {
    if (this.invocable.ref) return this.target?.mode ?? 'mock';
    return this.invocable.steps.length > 0 ? 'steps' : this.invocable.call ? 'call' : 'mock';
  }

  async invoke(input: CallerInput, context: InvocationContext = {}): Promise<InvocationResult> {
    return this.execute(input, this.gatherParameters(input), this.withPolicies(input, context));
  }

  /** The exposed unit's policies and the caller's cache wish join the context (no copy when neither applies). */
  private withPolicies(input: CallerInput, context: InvocationContext): InvocationContext {
    if (this.policies === undefined) this.policies = this.source.policiesFor?.(this.adapterNamespace, this.invocable.name) ?? null;
    const bypassCache = input.kind === 'rest' ? callerWantsFresh(input.headers['cache-control'], input.headers.pragma) : input.fresh === true;
    if ((this.policies === null || context.policies) && !bypassCache) return context;
    return { ...context, ...(this.policies && !context.policies ? { policies: this.policies } : {}), ...(bypassCache ? { bypassCache } : {}) };
  }

  /** Applies this unit's `with` to `params`, then runs it. Aggregate functions are entered here by `ref` units. */
  async execute(input: CallerInput, params: Record<string, unknown>, context: InvocationContext): Promise<InvocationResult> {
    if (this.semantics && context.semantics !== this.semantics) context = { ...context, semantics: this.semantics };
    const lookup = await this.applyWith(this.with, input, params, context.trace);
    if (this.invocable.ref) {
      if (!this.target) throw new EngineError(`\`${this.invocable.name || this.invocable.ref}\` refers to the unknown aggregate function \`${this.invocable.ref}\`.`);
      const result = await this.target.execute(input, params, context);
      // §7: a function result without a value is rendered with the unit's own outputs.
      const origin = origins.get(result);
      if (!result.hasValue && origin && this.outputs) return this.shape(origin.outcome, origin.operation, this.outputs, params);
      return result;
    }
    switch (this.mode) {
      case 'call':
        return this.runCall(input, params, context);
      case 'steps':
        return this.runSteps(input, params, context);
      default:
        return this.runMock(lookup);
    }
  }

  private gatherParameters(input: CallerInput): Record<string, unknown> {
    if (input.kind !== 'rest') {
      const params = { ...input.arguments };
      for (const { spec } of this.declared) if (params[spec.name] === undefined && spec.schema.default !== undefined) params[spec.name] = spec.schema.default;
      return params;
    }
    const params: Record<string, unknown> = {};
    if (this.derivedInputs) {
      for (const name of this.derivedInputs) {
        // A consumed `in: body` parameter named `body` is the whole request body (the `rest.body` habit).
        const value = requestValue(input, name) ?? (name === 'body' ? plainBody(input.body) : undefined);
        if (value !== undefined && value !== null) params[name] = value;
      }
      return params;
    }
    let body: unknown;
    let bodyRead = false;
    for (const { spec, path } of this.declared) {
      let value: unknown;
      if (spec.value !== undefined && !path) value = spec.value;
      else if (spec.in === 'path') value = input.path[spec.name];
      else if (spec.in === 'query') value = queryValue(input, spec);
      else if (spec.in === 'header') value = input.headers[spec.name.toLowerCase()];
      else if (spec.in === 'cookie') value = cookieValue(input.headers.cookie, spec.name);
      else if (spec.in === 'environment') value = (this.source.env ?? process.env)[spec.name];
      else {
        // `in: body`, or no `in` at all: a path variable or query value of that name first (no `in`
        // only — the reference reads the body, which a GET does not have), then the body.
        if (spec.in === undefined && !path) value = input.path[spec.name] ?? queryValue(input, spec);
        if (value === undefined) {
          if (!bodyRead) {
            body = plainBody(input.body);
            bodyRead = true;
          }
          if (path) value = path.evaluate(body);
          else if (body && typeof body === 'object' && !Buffer.isBuffer(body) && spec.name in body) value = (body as Record<string, unknown>)[spec.name];
          else if (spec.in === 'body') value = input.body instanceof FormBody ? input.body : body;
        }
      }
      if ((value === undefined || value === null) && spec.schema.default !== undefined) value = spec.schema.default;
      if (value !== undefined && value !== null) params[spec.name] = coerceInput(value, spec.type);
    }
    return params;
  }

  /** Evaluates `with` entries into `params` (bind variables resolved first when a template uses them); returns the lookup. */
  private async applyWith(compiled: CompiledWith, input: CallerInput, params: Record<string, unknown>, trace: TraceParent | undefined): Promise<Lookup> {
    const binds = compiled.bindVariables.length > 0 ? await this.source.binds.values(compiled.bindVariables, trace && { trace }) : undefined;
    const lookup = paramLookup(params, binds, this.source.binds);
    for (const entry of compiled.entries) {
      const value = entry.expression({ input, params, lookup });
      if (value !== undefined) params[entry.name] = value;
    }
    return lookup;
  }

  /** The redactor of this capability's call context: error messages quoting upstream text are redacted before they are trimmed. */
  private get redactor(): Redactor | undefined {
    return this.source.callContext({}).redactor;
  }

  private requireOperation(operation: PreparedOperation | undefined, ref: string): PreparedOperation {
    if (!operation) throw new EngineError(`The call target \`${ref}\` does not exist in this capability.`);
    return operation;
  }

  private async runCall(input: CallerInput, params: Record<string, unknown>, context: InvocationContext): Promise<InvocationResult> {
    const operation = this.requireOperation(this.operation, this.invocable.call!.ref);
    const outcome = await operation.call(callParameters(operation, params, input), this.source.callContext(context));
    const outputs = this.outputs ?? (this.projection && !this.projection.passthrough ? this.projection.project : undefined);
    return this.shape(outcome, operation, outputs, params);
  }

  /** Upstream answer → result: outputs shape successful answers; errors pass through, or fail when unreadable. */
  private shape(outcome: CallOutcome, operation: PreparedOperation, outputs: Mapper | undefined, params: Record<string, unknown>): InvocationResult {
    const { response } = outcome;
    const contentType = header(response.headers['content-type']);
    const upstream = { status: response.status, durationMs: response.durationMs, operation: operation.ref, headers: response.headers };
    const raw = { body: response.body, contentType };
    if (response.status >= 400) checkErrorBody(response, operation, contentType, this.redactor);
    let result: InvocationResult;
    if (!outputs || response.status >= 300 || response.status === 204 || response.body.length === 0) {
      result = { status: response.status, hasValue: false, raw, upstream };
    } else {
      const parsed = readBody(operation, response.body, contentType, this.redactor);
      const value = outputs(parsed, paramLookup(params));
      result = value === undefined ? { status: response.status, hasValue: false, raw, upstream } : { status: response.status, value, hasValue: true, raw, upstream };
    }
    origins.set(result, { outcome, operation });
    return result;
  }

  private runMock(lookup: Lookup): InvocationResult {
    if (!this.mockOutputs) {
      throw new EngineError(`\`${this.invocable.name}\` has no call, no steps and no output values: there is nothing to execute.`);
    }
    const value = this.mockOutputs(undefined, lookup);
    return { status: value === undefined ? 204 : 200, value, hasValue: value !== undefined };
  }

  private async runSteps(input: CallerInput, params: Record<string, unknown>, context: InvocationContext): Promise<InvocationResult> {
    const outputs = new Map<string, unknown>();
    let last: { outcome: CallOutcome; operation: PreparedOperation } | undefined;
    for (const compiled of this.steps) {
      const { step } = compiled;
      if (step.type === 'call') {
        const { with: stepWith, projection } = compiled as Extract<CompiledStep, { step: { type: 'call' } }>;
        const operation = this.requireOperation((compiled as { operation?: PreparedOperation }).operation, step.call.ref);
        const stepParams = { ...params };
        const lookup = await this.applyWith(stepWith, input, stepParams, context.trace);
        const outcome = await operation.call(callParameters(operation, stepParams, input), this.source.callContext(context));
        last = { outcome, operation };
        // An upstream error ends the orchestration: later steps would run on missing data.
        if (outcome.response.status >= 400) return this.shape(outcome, operation, undefined, stepParams);
        const parsed = tryRead(operation, outcome.response);
        if (parsed !== undefined) {
          const projected = projection ? projection.project(parsed, lookup) : parsed;
          outputs.set(step.name, projected);
          params[step.name] = projected;
        }
      } else if (step.type === 'lookup') {
        const { lookupValue } = compiled as Extract<CompiledStep, { step: { type: 'lookup' } }>;
        const index = outputs.get(step.index);
        if (index === undefined) throw new EngineError(`Lookup step \`${step.name}\` references the unknown step \`${step.index}\` (or a step that produced no output).`);
        const rendered = lookupValue.isStatic ? step.lookupValue : lookupValue.render(paramLookup(params));
        const wanted = rendered.startsWith('$.') ? walkSteps(outputs, rendered.slice(2).split('.')) : rendered;
        const result = Array.isArray(wanted)
          ? wanted.map((v) => lookupOne(index, step.match, textOf(v), step.outputParameters)).filter((v) => v !== undefined)
          : lookupOne(index, step.match, textOf(wanted), step.outputParameters);
        if (result !== undefined && !(Array.isArray(result) && result.length === 0)) {
          outputs.set(step.name, result);
          params[step.name] = result;
        }
      } else {
        throw new EngineError(
          `Script step \`${step.name}\` is not supported by this runtime: scripts (JavaScript, Python, Groovy) are not executed. Replace it with call/lookup steps and mappings.`,
        );
      }
    }
    if (this.mappings.length > 0) {
      const answer: Record<string, unknown> = {};
      let resolved = 0;
      for (const m of this.mappings) {
        const value = walkSteps(outputs, m.path);
        if (value === undefined || value === null) continue;
        setNested(answer, m.target, value);
        resolved++;
      }
      if (resolved > 0) return { status: 200, value: answer, hasValue: true };
    }
    if (last) return this.shape(last.outcome, last.operation, this.outputs, params);
    return this.runMock(paramLookup(params));
  }
}

/** Names a caller may supply to a consumed operation: its parameters without a fixed value, then its path variables. */
function callerSuppliedNames(operation: PreparedOperation): string[] {
  const names = (operation.inputParameters ?? [])
    .filter((p) => p.value === undefined && p.template === undefined && p.in !== 'environment')
    .map((p) => p.name);
  for (const name of operation.pathVariables ?? []) if (!names.includes(name)) names.push(name);
  return names;
}

/** Every name a consumed operation reads from its call parameters (cached: computed once per operation). */
const readNames = new WeakMap<PreparedOperation, ReadonlySet<string>>();
function namesRead(operation: PreparedOperation): ReadonlySet<string> {
  let names = readNames.get(operation);
  if (!names) {
    names = new Set([...(operation.pathVariables ?? []), ...(operation.inputParameters ?? []).map((p) => p.name)]);
    readNames.set(operation, names);
  }
  return names;
}

/**
 * The parameters a consumed operation is called with (dialect, issue 12): a name
 * it reads that is missing takes the value of the single loosely equal parameter
 * (`deviceid` for `{deviceId}`); a path placeholder still missing takes the REST
 * route variable of that name (exact, else the single loosely equal one); then
 * a declared `default` applies. Exact names always win.
 */
function callParameters(operation: PreparedOperation, params: Record<string, unknown>, input: CallerInput): Record<string, unknown> {
  let out = params;
  const wanted = namesRead(operation);
  for (const name of wanted) {
    if (params[name] !== undefined) continue;
    const key = uniqueLooseMatch(name, Object.keys(params).filter((k) => !wanted.has(k)));
    if (key === undefined || params[key] === undefined) continue;
    if (out === params) out = { ...params };
    out[name] = params[key];
  }
  if (input.kind === 'rest') {
    for (const name of operation.pathVariables ?? []) {
      if (out[name] !== undefined) continue;
      const value = looseGet(input.path, name);
      if (value === undefined) continue;
      if (out === params) out = { ...params };
      out[name] = value;
    }
  }
  for (const p of operation.inputParameters ?? []) {
    if (p.default === undefined || out[p.name] !== undefined || p.value !== undefined || p.template !== undefined) continue;
    if (out === params) out = { ...params };
    out[p.name] = p.default;
  }
  return out;
}

/** The aggregate function a `ref` names, compiled with the aggregate's namespace. */
export function compileAggregateFunction(fn: AggregateFunction, aggregateNamespace: string, source: OperationSource): CompiledInvocable {
  // A function cannot itself `ref` another one (no chains, no cycles).
  return new CompiledInvocable({ ...fn, ref: undefined }, aggregateNamespace, source);
}

/** Template lookup over call parameters (whole key first, then a dotted walk), then resolved bind variables. */
function paramLookup(params: Record<string, unknown>, binds?: Map<string, string>, scope?: BindScope): Lookup {
  return (path) => {
    if (binds && scope) {
      const variable = scope.variableFor(path);
      if (variable !== undefined && binds.has(variable)) return binds.get(variable);
    }
    return paramValue(params, path);
  };
}

function queryValue(input: RestInput, spec: ExposedParameter): unknown {
  if (spec.type === 'array') {
    const all = input.query.getAll(spec.name);
    return all.length === 0 ? undefined : all;
  }
  return input.query.get(spec.name) ?? undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/** Path, query and header values are text: a declared scalar type converts them when lossless ("5" → 5). */
function coerceInput(value: unknown, type: JsonType | undefined): unknown {
  return typeof value === 'string' ? coerceText(value, type) : value;
}

function readBody(operation: PreparedOperation, body: Buffer, contentType: string | undefined, redactor: Redactor | undefined): unknown {
  try {
    return parseBody(operation.operation.outputRawFormat, body, { outputSchema: operation.operation.outputSchema, contentType });
  } catch (error) {
    if (error instanceof FormatError) {
      const why = redactor ? redactor.clip(error.fullMessage.replace(/\s+/g, ' ').trim(), 200) : error.message;
      throw new UpstreamError(`The upstream answer of ${operation.ref} could not be read as ${error.format}: ${why}`, { operation: operation.ref });
    }
    throw error;
  }
}

/** A step's body in the operation's format; undefined when empty or unreadable (the step then has no output). */
function tryRead(operation: PreparedOperation, response: UpstreamResponse): unknown {
  if (response.body.length === 0 || response.status === 204) return undefined;
  try {
    return parseBody(operation.operation.outputRawFormat, response.body, { outputSchema: operation.operation.outputSchema, contentType: header(response.headers['content-type']) });
  } catch {
    return undefined;
  }
}

const HTML_START = /^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i;

/**
 * An upstream error is relayed as it came (status, body, media type) when its
 * body is readable in the operation's format — a JSON `invalid_client` stays a
 * JSON 401. An HTML page (a CDN's 502, a proxy's 404) or other unreadable text
 * becomes an UpstreamResponseError naming the upstream status.
 */
function checkErrorBody(response: UpstreamResponse, operation: PreparedOperation, contentType: string | undefined, redactor: Redactor | undefined): void {
  if (response.body.length === 0) return;
  const format = normalizeFormat(operation.operation.outputRawFormat);
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const head = response.body.subarray(0, 512).toString('utf8');
  const isHtml = mediaType === 'text/html' || mediaType === 'application/xhtml+xml' || (mediaType === '' && HTML_START.test(head));
  const where = `The upstream call ${operation.ref} failed with HTTP ${response.status}`;
  if (isHtml) {
    if (format === 'html') return;
    const title = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(head)?.[1]?.trim();
    throw new UpstreamResponseError(`${where} and answered with an HTML page${title ? ` ("${title}")` : ''} instead of ${format}.`, response.status, { operation: operation.ref });
  }
  try {
    parseBody(format, response.body, { outputSchema: operation.operation.outputSchema, contentType });
  } catch {
    const text = excerpt(response.body, 200, redactor);
    throw new UpstreamResponseError(`${where}; its answer is not ${format}: ${text}`, response.status, { operation: operation.ref });
  }
}

/**
 * The start of an upstream body for an error message: redacted before it is
 * trimmed (trimming first could cut a secret and leave its prefix readable),
 * whitespace folded. Only the first 64 KiB are read.
 */
function excerpt(body: Buffer, max: number, redactor: Redactor | undefined): string {
  const text = body.subarray(0, 64 * 1024).toString('utf8');
  const folded = (redactor ? redactor.redact(text) : text).replace(/\s+/g, ' ').trim();
  return redactor ? redactor.clip(folded, max) : folded.slice(0, max);
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function lookupOne(index: unknown, match: string, wanted: string, fields: string[]): unknown {
  const candidates = Array.isArray(index) ? index : [index];
  const hit = candidates.find((c) => c && typeof c === 'object' && !Array.isArray(c) && textOf((c as Record<string, unknown>)[match]) === wanted) as Record<string, unknown> | undefined;
  if (!hit) return undefined;
  if (fields.length === 0) return hit;
  return Object.fromEntries(fields.map((f) => [f, hit[f] ?? null]));
}

function walkSteps(outputs: Map<string, unknown>, path: string[]): unknown {
  let node: unknown = outputs.get(path[0]!);
  for (const segment of path.slice(1)) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function setNested(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    if (node[segment] === null || typeof node[segment] !== 'object') node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
