/**
 * Executes one exposed unit (REST operation, MCP tool, aggregate function):
 * gathers its parameters from the caller's input, then runs a single `call`,
 * a sequence of `steps` with `mappings`, or answers from mock outputs. The
 * result is surface-neutral; REST and MCP render it their own way.
 */
import type { ExposedParameter, Invocable, Step } from '../spec/model.js';
import type { BindScope } from './binds.js';
import { CapabilityRuntimeError, UpstreamError } from './errors.js';
import { compileWith, type CompiledWith, type ExpressionContext } from './expressions.js';
import { FormBody, plainBody, type CallerInput } from './input.js';
import { compileJsonPath, type CompiledPath } from './jsonpath.js';
import { compileOutputs, type Mapper } from './mapping.js';
import { parseBody, FormatError } from './formats/index.js';
import { Template, walkPath, type Lookup } from './templates.js';
import type { CallContext, CallOutcome, PreparedOperation } from './upstream/operation.js';

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
}

/** What an invocable needs from its capability: operations by `ns.op` and the call context. */
export interface OperationSource {
  operation(ref: string): PreparedOperation | undefined;
  callContext(extra: InvocationContext): CallContext;
  readonly binds: BindScope;
}

interface CompiledStep {
  step: Step;
  with?: CompiledWith;
  operation?: PreparedOperation;
  outputs?: Mapper;
  lookupValue?: Template;
}

export class CompiledInvocable {
  readonly operation?: PreparedOperation;
  private readonly with: CompiledWith;
  private readonly outputs?: Mapper;
  private readonly fallbackOutputs?: Mapper;
  private readonly steps: CompiledStep[];
  private readonly mappings: { target: string[]; path: string[] }[];
  private readonly declared: { spec: ExposedParameter; path?: CompiledPath }[];

  constructor(
    readonly invocable: Invocable,
    readonly adapterNamespace: string,
    private readonly source: OperationSource,
    /** Exposed inputParameters inherited from the adapter and resource (REST). */
    inherited: ExposedParameter[] = [],
  ) {
    this.with = compileWith(invocable.with, adapterNamespace);
    this.outputs = compileOutputs(invocable.outputParameters.filter((o) => o.mapping !== undefined || o.value !== undefined || o.const !== undefined || o.properties || o.items));
    if (invocable.call) {
      this.operation = source.operation(invocable.call.ref);
      const consumed = this.operation?.operation.outputParameters ?? [];
      this.fallbackOutputs = compileOutputs(consumed);
    }
    this.steps = invocable.steps.map((step) => {
      if (step.type === 'call') {
        const operation = source.operation(step.call.ref);
        return { step, with: compileWith(step.with, adapterNamespace), operation, outputs: operation ? compileOutputs(operation.operation.outputParameters) : undefined };
      }
      if (step.type === 'lookup') return { step, lookupValue: Template.compile(step.lookupValue) };
      return { step };
    });
    this.mappings = invocable.mappings
      .filter((m) => m.value.startsWith('$.'))
      .map((m) => ({ target: m.targetName.split('.'), path: m.value.slice(2).split('.') }));
    const byName = new Map<string, ExposedParameter>();
    for (const p of [...inherited, ...invocable.inputParameters]) byName.set(p.name, p);
    this.declared = [...byName.values()].map((spec) => ({
      spec,
      path: typeof spec.value === 'string' && spec.value.startsWith('$') ? compileJsonPath(spec.value) : undefined,
    }));
  }

  get mode(): 'call' | 'steps' | 'mock' {
    return this.invocable.steps.length > 0 ? 'steps' : this.invocable.call ? 'call' : 'mock';
  }

  async invoke(input: CallerInput, context: InvocationContext = {}): Promise<InvocationResult> {
    const params = this.gatherParameters(input);
    const lookup: Lookup = (path) => (path in params ? params[path] : walkPath(params, path));
    const exprContext: ExpressionContext = { input, params, lookup };
    for (const entry of this.with.entries) {
      const value = entry.expression(exprContext);
      if (value !== undefined) params[entry.name] = value;
    }
    switch (this.mode) {
      case 'call':
        return this.runCall(params, context);
      case 'steps':
        return this.runSteps(input, params, context);
      default:
        return this.runMock(lookup);
    }
  }

  private gatherParameters(input: CallerInput): Record<string, unknown> {
    const params: Record<string, unknown> = input.kind === 'mcp' ? { ...input.arguments } : {};
    if (input.kind !== 'rest') return params;
    for (const { spec, path } of this.declared) {
      let value: unknown;
      if (spec.value !== undefined && !path) value = spec.value;
      else if (spec.in === 'path') value = input.path[spec.name];
      else if (spec.in === 'query') value = input.query.get(spec.name) ?? undefined;
      else if (spec.in === 'header') value = input.headers[spec.name.toLowerCase()];
      else if (spec.in === 'environment') value = process.env[spec.name];
      else {
        const body = plainBody(input.body);
        if (path) value = path.evaluate(body);
        else if (body && typeof body === 'object' && spec.name in body) value = (body as Record<string, unknown>)[spec.name];
        else if (spec.in === 'body') value = input.body instanceof FormBody ? input.body : body;
      }
      if (value !== undefined && value !== null) params[spec.name] = value;
    }
    return params;
  }

  private requireOperation(operation: PreparedOperation | undefined, ref: string): PreparedOperation {
    if (!operation) throw new CapabilityRuntimeError(`The call target \`${ref}\` does not exist in this capability.`);
    return operation;
  }

  private async runCall(params: Record<string, unknown>, context: InvocationContext): Promise<InvocationResult> {
    const operation = this.requireOperation(this.operation, this.invocable.call!.ref);
    const outcome = await operation.call(params, this.source.callContext(context));
    return this.shape(outcome, operation, this.outputs ?? this.fallbackOutputs, params);
  }

  /** Upstream answer → result: outputs shape successful JSON-able answers; errors pass through untouched. */
  private shape(outcome: CallOutcome, operation: PreparedOperation, outputs: Mapper | undefined, params: Record<string, unknown>): InvocationResult {
    const { response } = outcome;
    const contentType = header(response.headers['content-type']);
    const upstream = { status: response.status, durationMs: response.durationMs, operation: operation.ref, headers: response.headers };
    const raw = { body: response.body, contentType };
    if (!outputs || response.status >= 300 || response.status === 204 || response.body.length === 0) {
      return { status: response.status, hasValue: false, raw, upstream };
    }
    const parsed = this.parse(operation, response.body, contentType);
    const value = outputs(parsed, (p) => (p in params ? params[p] : walkPath(params, p)));
    if (value === undefined) return { status: response.status, hasValue: false, raw, upstream };
    return { status: response.status, value, hasValue: true, raw, upstream };
  }

  private parse(operation: PreparedOperation, body: Buffer, contentType: string | undefined): unknown {
    try {
      return parseBody(operation.operation.outputRawFormat, body, { outputSchema: operation.operation.outputSchema, contentType });
    } catch (error) {
      if (error instanceof FormatError) {
        throw new UpstreamError(`The upstream answer of ${operation.ref} could not be read as ${error.format}: ${error.message}`, { operation: operation.ref });
      }
      throw error;
    }
  }

  private runMock(lookup: Lookup): InvocationResult {
    if (!this.outputs) {
      throw new CapabilityRuntimeError(`\`${this.invocable.name}\` has no call, no steps and no output values: there is nothing to execute.`);
    }
    const value = this.outputs(undefined, lookup);
    return { status: value === undefined ? 204 : 200, value, hasValue: value !== undefined };
  }

  private async runSteps(input: CallerInput, params: Record<string, unknown>, context: InvocationContext): Promise<InvocationResult> {
    const outputs = new Map<string, unknown>();
    let last: { outcome: CallOutcome; operation: PreparedOperation } | undefined;
    for (const compiled of this.steps) {
      const { step } = compiled;
      if (step.type === 'call') {
        const operation = this.requireOperation(compiled.operation, step.call.ref);
        const stepParams = { ...params };
        const lookup: Lookup = (path) => (path in stepParams ? stepParams[path] : walkPath(stepParams, path));
        for (const entry of compiled.with!.entries) {
          const value = entry.expression({ input, params: stepParams, lookup });
          if (value !== undefined) stepParams[entry.name] = value;
        }
        const outcome = await operation.call(stepParams, this.source.callContext(context));
        last = { outcome, operation };
        const parsed = tryJson(outcome.response.body);
        if (parsed !== undefined) {
          const projected = projectStepOutput(parsed, compiled.outputs, lookup);
          outputs.set(step.name, projected);
          params[step.name] = projected;
        }
      } else if (step.type === 'lookup') {
        const index = outputs.get(step.index);
        if (index === undefined) throw new CapabilityRuntimeError(`Lookup step \`${step.name}\` references the unknown step \`${step.index}\`.`);
        const raw = step.lookupValue.startsWith('$.') ? walkSteps(outputs, step.lookupValue.slice(2).split('.')) : compiled.lookupValue!.render((p) => walkPath(params, p));
        const result = Array.isArray(raw)
          ? raw.map((v) => lookupOne(index, step.match, String(v), step.outputParameters)).filter((v) => v !== undefined)
          : lookupOne(index, step.match, raw === undefined || raw === null ? '' : String(raw), step.outputParameters);
        if (result !== undefined && !(Array.isArray(result) && result.length === 0)) outputs.set(step.name, result);
      } else {
        throw new CapabilityRuntimeError(`Script step \`${step.name}\` is not supported by this runtime (no safe sandbox).`);
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
    return this.runMock((p) => walkPath(params, p));
  }
}

function projectStepOutput(body: unknown, outputs: Mapper | undefined, lookup: Lookup): unknown {
  if (!outputs) return body;
  const value = outputs(body, lookup);
  return value === undefined ? body : value;
}

function lookupOne(index: unknown, match: string, wanted: string, fields: string[]): unknown {
  const candidates = Array.isArray(index) ? index : [index];
  const hit = candidates.find((c) => c && typeof c === 'object' && !Array.isArray(c) && String((c as Record<string, unknown>)[match]) === wanted) as Record<string, unknown> | undefined;
  if (!hit) return undefined;
  if (fields.length === 0) return hit;
  return Object.fromEntries(fields.map((f) => [f, hit[f] ?? null]));
}

function walkSteps(outputs: Map<string, unknown>, path: string[]): unknown {
  let node: unknown = outputs.get(path[0]!);
  for (const segment of path.slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
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

function tryJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
