/**
 * The executable form of one capability file: its bind scope, its consumed
 * operations and aggregate functions compiled once, and a way to compile its
 * exposed units. Built at load (and again on reload); shared by every surface
 * that serves the file.
 *
 * `compile` resolves `ref: aggregateNamespace.function` (naftiko-core §7): the
 * unit runs the function (its call / steps / mock, its `with` under the
 * aggregate namespace, its outputs) after applying its own `with`; when the
 * function yields no value, the unit's own outputs shape the upstream answer.
 * Inherited metadata (name, description, MCP hints from `semantics`, tool
 * inputParameters) is filled in by the normaliser, so surfaces read it from
 * the model as usual.
 */
import type { AggregateFunction, Capability, ExposedParameter, Invocable, RestAdapter, RestResource } from '../capability/model.js';
import { BindScope, type BindEnvironment } from './binds.js';
import { CompiledInvocable, compileAggregateFunction, type InvocationContext, type OperationSource } from './invocation.js';
import type { UpstreamClient } from './upstream/client.js';
import { ForwardInvocable, inboundCredential } from './upstream/forward.js';
import { PreparedOperation, type CallContext } from './upstream/operation.js';
import type { UpstreamRoutes } from './upstream/routes.js';
import type { UpstreamPolicies, UpstreamPolicyResolver } from './upstream/policies.js';

export interface EngineServices {
  client: UpstreamClient;
  routes: UpstreamRoutes;
  environment: BindEnvironment;
  /** Upstream traffic policies per adapter/operation (the client's defaults when absent). */
  policies?: UpstreamPolicyResolver;
}

export class CapabilityEngine implements OperationSource {
  readonly binds: BindScope;
  private readonly operations = new Map<string, PreparedOperation>();
  private readonly functions = new Map<string, { fn: AggregateFunction; namespace: string; compiled?: CompiledInvocable }>();

  constructor(
    readonly capability: Capability,
    private readonly services: EngineServices,
  ) {
    this.binds = new BindScope(capability, services.environment);
    for (const api of capability.consumes) {
      for (const resource of api.resources) {
        for (const operation of resource.operations) {
          const ref = `${api.namespace}.${operation.name}`;
          // First declaration wins, as in the reference engine; duplicates are a lint error.
          if (!this.operations.has(ref)) this.operations.set(ref, new PreparedOperation(api, resource, operation, this.binds, services.environment.redactor));
        }
      }
    }
    for (const aggregate of capability.aggregates) {
      for (const fn of aggregate.functions) {
        const ref = `${aggregate.namespace}.${fn.name}`;
        if (!this.functions.has(ref)) this.functions.set(ref, { fn, namespace: aggregate.namespace });
      }
    }
  }

  get env(): Record<string, string | undefined> {
    return this.services.environment.env;
  }

  operation(ref: string): PreparedOperation | undefined {
    return this.operations.get(ref);
  }

  /** The compiled aggregate function `namespace.function` (compiled once, on first use). */
  aggregateFunction(ref: string): CompiledInvocable | undefined {
    const entry = this.functions.get(ref);
    if (!entry) return undefined;
    entry.compiled ??= compileAggregateFunction(entry.fn, entry.namespace, this);
    return entry.compiled;
  }

  callContext(extra: InvocationContext): CallContext {
    return {
      client: this.services.client,
      routes: this.services.routes,
      binds: this.binds,
      env: this.services.environment.env,
      redactor: this.services.environment.redactor,
      requestId: extra.requestId,
      signal: extra.signal,
      trace: extra.trace,
      policies: extra.policies,
      semantics: extra.semantics,
      bypassCache: extra.bypassCache,
    };
  }

  policiesFor(adapter: string, operation: string): UpstreamPolicies | undefined {
    return this.services.policies?.({ adapter, operation });
  }

  compile(invocable: Invocable, adapterNamespace: string, inherited: ExposedParameter[] = []): CompiledInvocable {
    return new CompiledInvocable(invocable, adapterNamespace, this, inherited);
  }

  /** The pass-through proxy of a REST resource with `forward` (undefined when its target namespace does not exist). */
  forward(forward: { targetNamespace: string; trustedHeaders: string[] }): ForwardInvocable | undefined {
    const api = this.capability.consumes.find((c) => c.namespace === forward.targetNamespace);
    if (!api) return undefined;
    // The adapter serving this resource: its inbound credential must never travel upstream.
    let adapter: RestAdapter | undefined;
    let resource: RestResource | undefined;
    for (const exposed of this.capability.exposes) {
      if (exposed.type !== 'rest') continue;
      const found = exposed.resources.find((r) => r.forward === forward);
      if (found) {
        adapter = exposed;
        resource = found;
        break;
      }
    }
    const prefix = resource ? forwardPrefixSegments(resource.path) : undefined;
    const policies = adapter ? this.policiesFor(adapter.namespace, 'forward') : undefined;
    return new ForwardInvocable(api, forward.trustedHeaders, (extra) => this.callContext(extra), inboundCredential(adapter?.authentication), policies, prefix);
  }
}

/** Segments before the `{path}` variable of a forward resource path (undefined when it is not the last part). */
function forwardPrefixSegments(path: string): number | undefined {
  const segments = path.replace(/^\/+/, '').split('/');
  const index = segments.findIndex((s) => /^\{\{?\s*path\s*\}?\}$/.test(s));
  return index === segments.length - 1 ? index : undefined;
}
