/**
 * Exposed REST resource paths: a query string (`?`) makes the route unmatchable
 * — request paths never contain one — so it is an error (reference rule
 * naftiko-rest-resource-path-no-query, a warning there); a trailing slash
 * makes the route match only with that slash — warning (reference rule
 * naftiko-rest-resource-path-no-trailing-slash).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, reportAt } from '../context.js';

const code = 'rest-path-invalid';

export const restPathInvalid: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      for (const adapter of capability.exposes) {
        if (adapter.type !== 'rest') continue;
        for (const resource of adapter.resources) {
          const pointer = childPointer(resource.loc, 'path');
          const path = resource.path;
          if (path.includes('?')) {
            out.push(
              reportAt(capability, pointer, {
                code,
                severity: 'error',
                message: `The REST resource path ${path} contains a query string; request paths never do, so this route is never matched.`,
                hint: `Use \`${path.slice(0, path.indexOf('?'))}\` and read query values with \`rest.query.X\`.`,
              }),
            );
          } else if (path.length > 1 && path.endsWith('/')) {
            out.push(
              reportAt(capability, pointer, {
                code,
                severity: 'warning',
                message: `The REST resource path ${path} ends with a slash, so it only matches requests that also end with one.`,
                hint: `Write \`${path.replace(/\/+$/, '')}\`.`,
              }),
            );
          }
        }
      }
      return out;
    }),
};
