/**
 * A `{param}` in an exposed REST path should be read by the resource's
 * operations (`rest.path.param`, bare `rest.param`, a `{{param}}` template or
 * a declared `in: path` input parameter); otherwise the caller's value is
 * silently ignored (warning). Likewise a consumed `in: path` parameter whose
 * name is not a placeholder of the consumed path never reaches the URL (info).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { RestOperation, RestResource } from '../../model.js';
import type { LintRule } from '../index.js';
import { childPointer, consumedParameters, deepTemplateVariables, derivesInputs, looselyEqual, pathVariables, perCapability, report, reportAt, uniqueCall, uniqueLooseMatch, type CapabilityIndex, type Unit } from '../context.js';

const code = 'path-parameter-unused';

export const pathParameterUnused: LintRule = {
  code,
  check: (capabilities, options = {}) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      for (const adapter of index.capability.exposes) {
        if (adapter.type !== 'rest') continue;
        for (const resource of adapter.resources) {
          if (resource.operations.length === 0) continue;
          const declared = new Set([...adapter.inputParameters, ...resource.inputParameters].map((p) => p.name));
          const reads = collectReads(resource, (o) => {
            // Consumed path placeholders read the route variable of their name; an operation
            // without declared inputs reads every consumed parameter from the request by name.
            const target = o.call && !o.ref ? uniqueCall(index, o.call.ref) : undefined;
            if (!target) return [];
            const unit = unitOf(index, o);
            const placeholders = pathVariables(target.resource.path).map((c) => c.name);
            return unit && derivesInputs(unit) ? [...placeholders, ...consumedParameters(target).map((c) => c.name)] : placeholders;
          });
          for (const v of pathVariables(resource.path)) {
            if (declared.has(v.name) || reads.exact.has(v.name)) continue;
            if (resource.forward && v.name === 'path') continue;
            if (resource.operations.some((o) => o.inputParameters.some((p) => p.name === v.name))) continue;
            const route = pathVariables(resource.path).map((r) => r.name);
            // Dialect: a read that differs only in case or separators, from this variable alone, reads it.
            const looseReaders = [...reads.exact, ...reads.derived].filter((x) => uniqueLooseMatch(x, route) === v.name);
            if (!options.strict && looseReaders.length > 0) continue;
            const nearMiss = [...reads.bare].find((x) => looselyEqual(x, v.name));
            // The consumed placeholder this route variable was presumably meant to feed (`{objecttype}` → `objectType`).
            const counterpart = resource.operations
              .map((o) => (o.call ? uniqueCall(index, o.call.ref) : undefined))
              .flatMap((t) => (t ? pathVariables(t.resource.path) : []))
              .find((c) => looselyEqual(c.name, v.name));
            out.push(
              reportAt(index.capability, childPointer(resource.loc, 'path'), {
                code,
                severity: 'warning',
                message: `The path parameter \`${v.raw}\` of the REST resource ${resource.path} is not read by any of its operations, so its value is ignored.`,
                hint: nearMiss
                  ? `\`rest.${nearMiss}\` does not match \`${v.raw}\` (--strict requires exact names). Write \`rest.path.${v.name}\`.`
                  : `Read it in a \`with\` (\`${counterpart?.name ?? v.name}: rest.path.${v.name}\`) or remove it from the path.`,
              }),
            );
          }
        }
      }
      for (const api of index.capability.consumes) {
        for (const resource of api.resources) {
          const placeholders = new Set(pathVariables(resource.path).map((v) => v.name));
          const params = [...api.inputParameters, ...resource.inputParameters, ...resource.operations.flatMap((o) => o.inputParameters)];
          for (const p of params) {
            if (p.in !== 'path' || placeholders.has(p.name)) continue;
            out.push(
              report(p.loc, {
                code,
                severity: 'info',
                message: `The consumed parameter \`${p.name}\` is declared \`in: path\`, but ${resource.path || 'the path'} has no \`{${p.name}}\` placeholder, so it never reaches the URL.`,
              }),
            );
          }
        }
      }
      return out;
    }),
};

const unitsByOperation = new WeakMap<CapabilityIndex, Map<RestOperation, Unit>>();
function unitOf(index: CapabilityIndex, operation: RestOperation): Unit | undefined {
  let map = unitsByOperation.get(index);
  if (!map) {
    map = new Map(index.units.filter((u) => u.rest).map((u) => [u.rest!.operation, u]));
    unitsByOperation.set(index, map);
  }
  return map.get(operation);
}

/** Names an operation reads from the route: `rest.path.X`, bare `rest.X`, and `{{X}}` templates. */
function collectReads(resource: RestResource, derived: (o: RestOperation) => string[]): { exact: Set<string>; bare: Set<string>; derived: Set<string> } {
  const exact = new Set<string>();
  const bare = new Set<string>();
  const byName = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      const text = value.trim();
      if (text.startsWith('rest.path.')) exact.add(text.slice(10));
      else if (text.startsWith('rest.')) {
        const name = text.slice(5);
        exact.add(name);
        bare.add(name);
      }
      for (const v of deepTemplateVariables(text)) {
        exact.add(v.startsWith('rest.path.') ? v.slice(10) : v.startsWith('rest.') ? v.slice(5) : v);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  const withsOf = (o: RestOperation) => [o.with, ...o.steps.map((s) => (s.type === 'call' ? s.with : {}))];
  for (const operation of resource.operations) {
    withsOf(operation).forEach(visit);
    // An operation without declared inputs reads the consumed parameters by name (exact names count as reads).
    for (const name of derived(operation)) {
      exact.add(name);
      byName.add(name);
    }
  }
  return { exact, bare, derived: byName };
}
