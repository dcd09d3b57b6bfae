/**
 * Namespaces are unique within a file across consumes, exposes, binds and
 * aggregates: they are what `call:`, `ref:`, `<namespace>.X` expressions and
 * `{{namespace.VAR}}` templates resolve against, and a clash makes those
 * references ambiguous (reference rule naftiko-namespaces-unique, extended to
 * aggregates).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { Location } from '../../model.js';
import type { LintRule } from '../index.js';
import { perCapability, report } from '../context.js';

const code = 'namespace-duplicate';

export const namespaceDuplicate: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const seen = new Map<string, { what: string; loc: Location }>();
      const out: Diagnostic[] = [];
      const visit = (namespace: string | undefined, what: string, loc: Location) => {
        if (!namespace) return;
        const first = seen.get(namespace);
        if (!first) {
          seen.set(namespace, { what, loc });
          return;
        }
        out.push(
          report(loc, {
            code,
            severity: 'error',
            message: `The namespace \`${namespace}\` of this ${what} is already used by the ${first.what} at line ${first.loc.position?.line ?? '?'}.`,
            hint: 'Namespaces must be unique within a file across consumes, exposes, binds and aggregates.',
          }),
        );
      };
      for (const api of capability.consumes) visit(api.namespace, 'consumed API', api.loc);
      for (const adapter of capability.exposes) visit(adapter.namespace, `${adapter.type} adapter`, adapter.loc);
      for (const bind of capability.binds) visit(bind.namespace, 'bind', bind.loc);
      for (const aggregate of capability.aggregates) visit(aggregate.namespace, 'aggregate', aggregate.loc);
      return out;
    }),
};
