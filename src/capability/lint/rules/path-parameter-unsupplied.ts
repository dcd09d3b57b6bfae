/**
 * Every `{param}` / `{{param}}` placeholder in a consumed resource path must get
 * a value from each exposed unit that calls the operation: otherwise the
 * runtime cannot build the URL and answers 400 on every request. A value comes
 * from a consumed parameter with a fixed `value`, a `with:` key of the caller
 * (or of the step), a declared exposed input parameter, or — for an MCP tool
 * with no `with` — the tool's arguments.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import {
  bindReference,
  callTargets,
  consumedParameters,
  derivesInputs,
  hasFixedValue,
  offersConsumedArguments,
  pathVariables,
  perCapability,
  report,
  uniqueLooseMatch,
  type CallSite,
  type CapabilityIndex,
  type OperationTarget,
  type PathVariable,
} from '../context.js';

const code = 'path-parameter-unsupplied';

export const pathParameterUnsupplied: LintRule = {
  code,
  check: (capabilities, options = {}) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      for (const { site, target } of callTargets(index)) {
        const missing: PathVariable[] = [];
        const loose: string[] = [];
        const placeholders = pathVariables(target.resource.path)
          .filter((v) => !bindReference(index, v.name))
          .filter((v, i, all) => all.findIndex((w) => w.name === v.name) === i);
        for (const v of placeholders) {
          const supply = { ...options, route: true };
          const supplied = isSupplied(index, site, target, v.name, supply);
          const alternative = supplied === false ? isSupplied(index, site, target, v.raw.replace(/^\{+\s*|\s*\}+$/g, ''), supply) : supplied;
          if (alternative === false) missing.push(v);
          else if (typeof alternative === 'string') loose.push(`\`${v.raw}\` from the ${alternative}`);
        }
        const where = site.step ? `step \`${site.step.name}\` of the ${site.unit.label}` : `the ${site.unit.label}`;
        if (loose.length > 0) {
          out.push(
            report(site.loc, {
              code,
              severity: options.strict ? 'error' : 'warning',
              message: `${where[0]!.toUpperCase()}${where.slice(1)} fills ${loose.join(', ')} of \`${target.ref}\` (${target.resource.path}): the names differ only in case or separators${options.strict ? ', and --strict requires exact names' : ', so the runtime matches them'}.`,
              hint: 'Spell both sides the same way to silence this.',
            }),
          );
        }
        if (missing.length === 0) continue;
        const names = missing.map((v) => `\`${v.raw}\``).join(', ');
        out.push(
          report(site.loc, {
            code,
            severity: 'error',
            message: `${missing.length === 1 ? 'The path parameter' : 'The path parameters'} ${names} of \`${target.ref}\` (${target.resource.path}) ${missing.length === 1 ? 'is' : 'are'} not supplied by ${where}, so every call fails.`,
            hint: `Add to its \`with\`: ${missing.map((v) => `\`${v.name}: ${suggestion(site, v.name)}\``).join(', ')}.`,
          }),
        );
      }
      return out;
    }),
};

/** The expression that most likely supplies `name` for this caller. */
function suggestion(site: CallSite, name: string): string {
  const unit = site.unit;
  if (unit.rest) {
    const route = pathVariables(unit.rest.resource.path);
    const same = route.find((v) => v.name === name) ?? route.find((v) => v.name.toLowerCase() === name.toLowerCase());
    return same ? `rest.path.${same.name}` : `rest.query.${name}`;
  }
  if (unit.surface === 'mcp') return `tools.${name}`;
  return `${unit.namespace}.${name}`;
}

export interface SupplyOptions {
  /** `--strict`: no loosely equal names. */
  strict?: boolean;
  /** Count the request (REST without declared inputs) and derived tool arguments as suppliers (default true). */
  derived?: boolean;
  /** A consumed path placeholder: a REST route variable of that name (exact, else loosely equal) supplies it. */
  route?: boolean;
}

/**
 * Whether a call site gives the consumed parameter `name` a value (used for
 * path placeholders and for required parameters): `true` when it does by that
 * exact name, a description of the other spelling (`with key \`deviceid\``,
 * `route variable \`{deviceid}\``) when the runtime finds it only through a loosely
 * equal name (src/capability/names.ts), `false` when nothing supplies it.
 */
export function isSupplied(index: CapabilityIndex, site: CallSite, target: OperationTarget, name: string, options: SupplyOptions = {}): boolean | string {
  const consumed = consumedParameters(target).filter((p) => p.name === name);
  if (consumed.some((p) => hasFixedValue(p) || p.in === 'environment' || p.default !== undefined)) return true;
  if (name in site.with) return true;
  const unit = site.unit;
  const inv = unit.invocable;
  if (site.step) {
    if (name in inv.with) return true;
    const before = inv.steps.slice(0, inv.steps.indexOf(site.step));
    if (before.some((s) => s.name === name)) return true;
  }
  if (inv.inputParameters.some((p) => p.name === name) || unit.inherited.some((p) => p.name === name)) return true;
  if (!options.strict) {
    const reads = new Set([...pathVariables(target.resource.path).map((v) => v.name), ...consumedParameters(target).map((p) => p.name)]);
    const loose = uniqueLooseMatch(name, Object.keys(site.with).filter((k) => !reads.has(k)));
    if (loose !== undefined) return `with key \`${loose}\``;
  }
  if (options.route && unit.rest) {
    const route = pathVariables(unit.rest.resource.path).map((v) => v.name);
    if (route.includes(name)) return true;
    const loose = options.strict ? undefined : uniqueLooseMatch(name, route);
    if (loose !== undefined) return `route variable \`{${loose}}\``;
  }
  if (options.derived !== false && !site.step) {
    if (derivesInputs(unit) && unit.rest) {
      const route = pathVariables(unit.rest.resource.path).map((v) => v.name);
      if (route.includes(name)) return true;
      const loose = uniqueLooseMatch(name, route);
      return loose === undefined ? true : `route variable \`{${loose}}\``;
    }
    if (offersConsumedArguments(unit)) return true;
  }
  switch (unit.kind) {
    case 'mcp-tool':
      // No `with` and no declared inputs: the tool's arguments are the consumed parameters themselves.
      return inv.inputParameters.length === 0 && Object.keys(inv.with).length === 0;
    case 'mcp-resource':
      return true; // URI-template variables and arguments: not checked statically
    case 'aggregate-function': {
      const ref = `${unit.namespace}.${inv.name}`;
      const callers = index.units.filter((u) => u.invocable.ref === ref);
      return callers.some(
        (u) =>
          name in u.invocable.with ||
          u.invocable.inputParameters.some((p) => p.name === name) ||
          u.inherited.some((p) => p.name === name) ||
          (u.kind === 'mcp-tool' && u.invocable.inputParameters.length === 0 && Object.keys(u.invocable.with).length === 0),
      );
    }
    default:
      return false;
  }
}
