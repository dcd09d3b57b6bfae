/**
 * A consumed input parameter marked `required: true` (dialect) without a fixed
 * value must be supplied by every exposed unit that calls the operation, the
 * same ways a path parameter is (see path-parameter-unsupplied): the runtime
 * answers 400 before calling upstream when it is missing, so an unsupplied
 * required parameter makes the unit fail on every request. Path placeholders
 * are left to path-parameter-unsupplied.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { callTargets, consumedParameters, hasFixedValue, pathVariables, perCapability, rawAt, rawObject, report } from '../context.js';
import { isSupplied } from './path-parameter-unsupplied.js';

const code = 'parameter-unsupplied';

export const parameterUnsupplied: LintRule = {
  code,
  check: (capabilities, options = {}) =>
    perCapability(capabilities, (index) => {
      const out: Diagnostic[] = [];
      for (const { site, target } of callTargets(index)) {
        const placeholders = new Set(pathVariables(target.resource.path).map((v) => v.name));
        // An `in: path` parameter without a placeholder never reaches the URL: only an explicit supplier counts.
        const missing = consumedParameters(target).filter(
          (p) => p.required && !hasFixedValue(p) && !placeholders.has(p.name) && isSupplied(index, site, target, p.name, { ...options, derived: p.in !== 'path' }) === false,
        );
        const loose = consumedParameters(target)
          .filter((p) => p.required && !hasFixedValue(p) && !placeholders.has(p.name))
          .map((p) => ({ p, from: isSupplied(index, site, target, p.name, options) }))
          .filter((x): x is { p: typeof x.p; from: string } => typeof x.from === 'string');
        if (loose.length > 0) {
          out.push(
            report(site.loc, {
              code,
              severity: options.strict ? 'error' : 'warning',
              message: `The ${site.unit.label} fills ${loose.map((x) => `\`${x.p.name}\` (${x.p.in}) from the ${x.from}`).join(', ')} of \`${target.ref}\`: the names differ only in case or separators${options.strict ? ', and --strict requires exact names' : ', so the runtime matches them'}.`,
              hint: 'Spell both sides the same way to silence this.',
            }),
          );
        }
        if (missing.length === 0) continue;
        const auth = target.api.authentication;
        // The header the consumed authentication sets (an OpenAPI-derived `Authorization` header parameter duplicates it).
        const rawAuth = rawObject(rawAt(index.capability, `${target.api.loc.pointer}/authentication`));
        const authHeader =
          auth?.type === 'apikey'
            ? auth.placement === 'header'
              ? (auth.key || String(rawAuth?.name ?? '')).toLowerCase()
              : undefined
            : auth && auth.type !== 'oauth2'
              ? 'authorization'
              : undefined;
        const coveredByAuth = missing.some((p) => p.in === 'header' && p.name.toLowerCase() === authHeader);
        const notInPath = missing.filter((p) => p.in === 'path');
        const where = site.step ? `step \`${site.step.name}\` of the ${site.unit.label}` : `the ${site.unit.label}`;
        const expression = (name: string, location: string) =>
          site.unit.surface === 'mcp' ? `tools.${name}` : site.unit.rest ? (location === 'body' && name === 'body' ? 'rest.body' : `rest.${location === 'header' ? 'header' : location === 'body' ? 'body' : 'query'}.${name}`) : `${site.unit.namespace}.${name}`;
        out.push(
          report(site.loc, {
            code,
            severity: 'error',
            message: `${missing.length === 1 ? 'The required parameter' : 'The required parameters'} ${missing.map((p) => `\`${p.name}\` (${p.in})`).join(', ')} of \`${target.ref}\` ${missing.length === 1 ? 'is' : 'are'} not supplied by ${where}, so every call is refused before reaching upstream.`,
            hint: coveredByAuth
              ? `The \`authentication\` of \`${target.api.namespace}\` already sends the ${authHeader} header: remove that parameter (or mark it \`required: false\`).`
              : notInPath.length > 0
                ? `${notInPath.map((p) => `\`${p.name}\``).join(', ')} ${notInPath.length === 1 ? 'is' : 'are'} declared \`in: path\` but ${target.resource.path || 'the path'} has no such placeholder: fix the path or the parameter, or supply it via \`with\`.`
                : `Add to its \`with\`: ${missing.map((p) => `\`${p.name}: ${expression(p.name, p.in)}\``).join(', ')} — or give the parameter a fixed \`value\`, or mark it \`required: false\`.`,
          }),
        );
      }
      return out;
    }),
};
