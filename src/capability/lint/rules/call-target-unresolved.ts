/**
 * `call: ns.op` (REST operations, MCP tools and resources, aggregate functions,
 * call steps) must name an operation of a consumed API of the same file: the
 * runtime only resolves calls inside their own capability, and an unknown
 * target fails every request at run time.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { callSites, didYouMean, listOf, rawAt, rawObject, report, type CapabilityIndex, perCapability } from '../context.js';

const code = 'call-target-unresolved';

export const callTargetUnresolved: LintRule = {
  code,
  check: (capabilities) => perCapability(capabilities, checkOne),
};

function checkOne(index: CapabilityIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  const exposed = new Set(index.capability.exposes.map((a) => a.namespace).filter((n): n is string => !!n));
  const aggregates = new Set(index.capability.aggregates.map((a) => a.namespace));
  for (const site of callSites(index)) {
    if (index.operations.has(site.ref)) continue;
    const where = site.step ? `Step \`${site.step.name}\` of the ${site.unit.label}` : `The ${site.unit.label}`;
    const dot = site.ref.indexOf('.');
    if (dot <= 0 || dot === site.ref.length - 1) {
      out.push(
        report(site.loc, {
          code,
          severity: 'error',
          message: `${where} calls \`${site.ref}\`, which is not of the form \`namespace.operation\`.`,
          hint: hintForOperation(index, site.ref) ?? 'Write the consumed API namespace, a dot, then the operation name.',
        }),
      );
      continue;
    }
    const namespace = site.ref.slice(0, dot);
    const operation = site.ref.slice(dot + 1);
    if (index.unresolvedImports.has(namespace)) continue; // the failed import is reported by the loader
    const apis = index.apis.get(namespace);
    if (!apis) {
      let message = `${where} calls \`${site.ref}\`, but no consumed API has the namespace \`${namespace}\`.`;
      let hint = didYouMean(namespace, index.apis.keys());
      if (exposed.has(namespace)) {
        message = `${where} calls \`${site.ref}\`, but \`${namespace}\` is an exposed adapter of this file, not a consumed API.`;
        hint = index.apis.size > 0 ? `Call an operation of a consumed API: ${listOf(index.apis.keys())}.` : undefined;
      } else if (namespace === 'orchestration' && rawObject(rawAt(index.capability, '/capability'))?.orchestration !== undefined) {
        message = `${where} calls \`${site.ref}\`, which points into \`capability.orchestration\`; that block is not part of Naftiko and this runtime cannot run it.`;
        hint = 'Express the flow as `steps` on the exposed operation or tool (call and lookup steps with mappings).';
      } else if (aggregates.has(namespace)) {
        message = `${where} calls \`${site.ref}\`, but \`${namespace}\` is an aggregate; aggregate functions are used with \`ref:\`, not \`call:\`.`;
        hint = `Write \`ref: ${site.ref}\` instead.`;
      } else if (!hint) {
        hint = index.apis.size > 0 ? `Consumed namespaces in this file: ${listOf(index.apis.keys())}.` : 'This file declares no consumed API.';
      }
      out.push(report(site.loc, { code, severity: 'error', message, hint }));
      continue;
    }
    const names = apis.flatMap((api) => api.resources.flatMap((r) => r.operations.map((o) => o.name))).filter((n) => n !== '');
    const byId = apis.some((api) =>
      api.resources.some((r) => r.operations.some((o) => o.name === '' && rawObject(rawAt(index.capability, o.loc.pointer))?.id === operation)),
    );
    if (byId) {
      out.push(
        report(site.loc, {
          code,
          severity: 'error',
          message: `${where} calls \`${site.ref}\`, but \`${operation}\` is the \`id\` of an operation of \`${namespace}\` that has no \`name\`; calls find operations by name.`,
          hint: `Rename \`id: ${operation}\` to \`name: ${operation}\` in the consumed operation.`,
        }),
      );
      continue;
    }
    out.push(
      report(site.loc, {
        code,
        severity: 'error',
        message: `${where} calls \`${site.ref}\`, but the consumed API \`${namespace}\` has no operation named \`${operation}\`.`,
        hint: didYouMean(operation, names, (s) => `\`${namespace}.${s}\``) ?? (names.length > 0 ? `Its operations: ${listOf(names)}.` : `\`${namespace}\` declares no operation.`),
      }),
    );
  }
  return out;
}

/** For a ref without a namespace: the operation it probably meant. */
function hintForOperation(index: CapabilityIndex, name: string): string | undefined {
  const refs = [...index.operations.keys()];
  const exact = refs.find((r) => r.slice(r.indexOf('.') + 1) === name);
  if (exact) return `Did you mean \`${exact}\`?`;
  return didYouMean(name, refs);
}
