/**
 * A REST resource's `forward.targetNamespace` must name a consumed API of the
 * same file: the proxy has nowhere else to send requests. Error.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, didYouMean, listOf, perCapability, reportAt } from '../context.js';

const code = 'forward-target-unresolved';

export const forwardTargetUnresolved: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      const namespaces = capability.consumes.map((c) => c.namespace);
      for (const adapter of capability.exposes) {
        if (adapter.type !== 'rest') continue;
        for (const resource of adapter.resources) {
          const target = resource.forward?.targetNamespace;
          if (target === undefined || namespaces.includes(target)) continue;
          out.push(
            reportAt(capability, childPointer(resource.loc, 'forward', 'targetNamespace'), {
              code,
              severity: 'error',
              message: `The REST resource ${resource.path} forwards to \`${target}\`, but no consumed API has that namespace.`,
              hint: didYouMean(target, namespaces) ?? (namespaces.length > 0 ? `Consumed namespaces: ${listOf(namespaces)}.` : 'This file consumes no API.'),
            }),
          );
        }
      }
      return out;
    }),
};
