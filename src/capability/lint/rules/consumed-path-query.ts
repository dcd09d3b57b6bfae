/**
 * A consumed resource path with a query string (`/items?sort={sort}`) works,
 * but every placeholder in it becomes mandatory and the parameters are
 * invisible to input-schema derivation; declaring them as `in: query`
 * parameters is clearer (reference rule naftiko-consumed-resource-no-query-in-path).
 * Warning.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, reportAt } from '../context.js';

const code = 'consumed-path-query';

export const consumedPathQuery: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      for (const api of capability.consumes) {
        for (const resource of api.resources) {
          if (!resource.path.includes('?')) continue;
          out.push(
            reportAt(capability, childPointer(resource.loc, 'path'), {
              code,
              severity: 'warning',
              message: `The consumed path ${resource.path} of \`${api.namespace}\` contains a query string; every placeholder in it is then required on every call.`,
              hint: `Use \`${resource.path.slice(0, resource.path.indexOf('?'))}\` and declare the query values as inputParameters with \`in: query\`.`,
            }),
          );
        }
      }
      return out;
    }),
};
