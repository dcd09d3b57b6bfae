/**
 * The executable form of one capability file: its bind scope, its consumed
 * operations compiled once, and a way to compile its exposed units. Built at
 * load (and again on reload); shared by every surface that serves the file.
 */
import type { Capability, ExposedParameter, Invocable } from '../spec/model.js';
import { BindScope, type BindEnvironment } from './binds.js';
import { CompiledInvocable, type InvocationContext, type OperationSource } from './invocation.js';
import type { UpstreamClient } from './upstream/client.js';
import { PreparedOperation, type CallContext } from './upstream/operation.js';
import type { UpstreamRoutes } from './upstream/routes.js';

export interface EngineServices {
  client: UpstreamClient;
  routes: UpstreamRoutes;
  environment: BindEnvironment;
}

export class CapabilityRuntime implements OperationSource {
  readonly binds: BindScope;
  private readonly operations = new Map<string, PreparedOperation>();

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
          if (!this.operations.has(ref)) this.operations.set(ref, new PreparedOperation(api, resource, operation, this.binds));
        }
      }
    }
  }

  operation(ref: string): PreparedOperation | undefined {
    return this.operations.get(ref);
  }

  callContext(extra: InvocationContext): CallContext {
    return { client: this.services.client, routes: this.services.routes, binds: this.binds, requestId: extra.requestId, signal: extra.signal };
  }

  compile(invocable: Invocable, adapterNamespace: string, inherited: ExposedParameter[] = []): CompiledInvocable {
    return new CompiledInvocable(invocable, adapterNamespace, this, inherited);
  }
}
