/**
 * Names nothing routes on — consumed resources and operations, exposed REST
 * resources and operations — outside `[A-Za-z0-9_.-]` (generators keep upstream
 * names such as `v2-name}:endActiveConference`). A `call` still matches the
 * name exactly, so the file has one reasonable execution: a warning in the
 * dialect mode. With `--strict` the JSON Schema already refuses such names.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, reportAt } from '../context.js';
import type { Location } from '../../model.js';

const code = 'name-invalid';
const PATTERN = /^[A-Za-z0-9_.-]+$/;

export const nameInvalid: LintRule = {
  code,
  check: (capabilities, options = {}) =>
    options.strict
      ? []
      : perCapability(capabilities, (index) => {
          const named: { name: string | undefined; loc: Location; what: string }[] = [];
          for (const api of index.capability.consumes) {
            for (const resource of api.resources) {
              named.push({ name: resource.name, loc: resource.loc, what: 'consumed resource' });
              for (const operation of resource.operations) named.push({ name: operation.name, loc: operation.loc, what: 'consumed operation' });
            }
          }
          for (const adapter of index.capability.exposes) {
            if (adapter.type !== 'rest') continue;
            for (const resource of adapter.resources) {
              named.push({ name: resource.name, loc: resource.loc, what: 'REST resource' });
              for (const operation of resource.operations) named.push({ name: operation.name, loc: operation.loc, what: 'REST operation' });
            }
          }
          const out: Diagnostic[] = [];
          for (const { name, loc, what } of named) {
            if (!name || PATTERN.test(name)) continue;
            out.push(
              reportAt(index.capability, childPointer(loc, 'name'), {
                code,
                severity: 'warning',
                message: `The ${what} name \`${name}\` contains characters other than letters, digits, \`_\`, \`.\` and \`-\`; nothing routes on it and \`call\` matches it exactly, so it works, but --strict refuses it.`,
                hint: `Rename it, e.g. \`${name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '')}\`.`,
              }),
            );
          }
          return out;
        }),
};
