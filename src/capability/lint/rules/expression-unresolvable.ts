/**
 * `with:` expressions that can never find a value (the target parameter then
 * stays unset) or that are not expressions at all:
 *  - `rest.path.X` where `{X}` is not in the exposed REST path;
 *  - `rest.path.X` / bare `rest.X` that differ from exactly one path parameter
 *    only by case or `-`/`_`: the runtime reads that parameter, so a warning
 *    naming both spellings (an error with `--strict`, which keeps exact names;
 *    an error when several parameters match, as the runtime cannot choose);
 *  - `rest.*` in an MCP tool (there is no REST request) and `tools.X` in a REST
 *    operation when no input parameter `X` is declared (there are no MCP arguments);
 *  - `tools.X` in an MCP tool whose declared `inputParameters` lack `X` (the
 *    argument is rejected before the call);
 *  - `env.VAR` written without braces: read as the bind variable when one is
 *    declared (warning: other runtimes send the literal text), else sent as
 *    that literal text (error);
 *  - references nested inside a structured value: never evaluated (warning).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { Capability, Location } from '../../model.js';
import type { LintRule } from '../index.js';
import { childPointer, didYouMean, listOf, looselyEqual, pathVariables, perCapability, reportAt, withPointer, type CapabilityIndex, type DiagnosticInput, type Unit } from '../context.js';

const code = 'expression-unresolvable';
const REST_AREAS = new Set(['path', 'query', 'header', 'headers', 'body']);

export const expressionUnresolvable: LintRule = {
  code,
  check: (capabilities, options = {}) =>
    perCapability(capabilities, (index) => {
      const strict = options.strict === true;
      const out: Diagnostic[] = [];
      for (const unit of index.units) {
        const inv = unit.invocable;
        const blocks: { owner: Location; map: Record<string, unknown>; stepName?: string }[] = [{ owner: inv.loc, map: inv.with }];
        for (const step of inv.steps) if (step.type === 'call') blocks.push({ owner: step.loc, map: step.with, stepName: step.name });
        for (const block of blocks) {
          for (const [key, value] of Object.entries(block.map)) {
            const problem = checkValue(index, unit, value, strict);
            if (!problem) continue;
            const where = block.stepName ? `step \`${block.stepName}\` of the ${unit.label}` : `the ${unit.label}`;
            const pointer = block.stepName ? childPointer(block.owner, 'with', key) : withPointer(index.capability, block.owner, key);
            out.push(at(index.capability, pointer, { ...problem, message: `\`with.${key}\` of ${where}: ${problem.message}` }));
          }
        }
      }
      return out;
    }),
};

function at(capability: Capability, pointer: string, input: DiagnosticInput): Diagnostic {
  return reportAt(capability, pointer, input);
}

function checkValue(index: CapabilityIndex, unit: Unit, value: unknown, strict: boolean): DiagnosticInput | undefined {
  if (value !== null && typeof value === 'object') {
    const nested = findNestedReference(index, unit, value);
    if (!nested) return undefined;
    return {
      code,
      severity: 'warning',
      message: `the reference \`${nested}\` sits inside a structured value, where expressions are not evaluated: the upstream receives that literal text.`,
      hint: 'Only a whole `with` value is an expression. Pass the structure from the caller, or give the referenced value its own `with` key.',
    };
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.includes('{{')) return undefined; // templates resolve against the unit's parameters
  if (text.startsWith('rest.')) return checkRest(unit, text, strict);
  if (text.startsWith('tools.')) return checkTools(unit, text);
  return checkBareBind(index, unit, text);
}

function checkRest(unit: Unit, text: string, strict: boolean): DiagnosticInput | undefined {
  if (unit.surface === 'mcp') {
    return {
      code,
      severity: 'error',
      message: `\`${text}\` reads the REST request, but an MCP ${unit.kind === 'mcp-tool' ? 'tool' : 'resource'} has none, so it is always empty.`,
      hint: `Use \`tools.${text.split('.').pop()}\` to read the tool argument.`,
    };
  }
  if (!unit.rest) return undefined; // aggregate functions: reached from either surface
  const route = pathVariables(unit.rest.resource.path).map((v) => v.name);
  const rest = text.slice(5);
  const dot = rest.indexOf('.');
  const area = dot < 0 ? rest : rest.slice(0, dot);
  if (area === 'path') {
    const name = rest.slice(5);
    if (route.includes(name)) return undefined;
    const loose = looseRead(unit, text, name, route, strict);
    if (loose) return loose;
    return {
      code,
      severity: 'error',
      message: `\`${text}\` reads the path parameter \`{${name}}\`, but the REST resource path ${unit.rest.resource.path} has no such parameter, so it is always empty.`,
      hint: didYouMean(name, route, (s) => `\`rest.path.${s}\``) ?? (route.length > 0 ? `Its path parameters: ${listOf(route)}.` : 'Add the parameter to the resource path, or read the query (`rest.query.X`) or body (`rest.body.X`).'),
    };
  }
  if (REST_AREAS.has(area) || route.includes(rest)) return undefined;
  // Bare `rest.X` near no path parameter: a query, header or body value, not checkable statically.
  return looseRead(unit, text, rest, route, strict);
}

/** `rest.X` / `rest.path.X` whose name differs from path parameters only in case or separators. */
function looseRead(unit: Unit, text: string, name: string, route: string[], strict: boolean): DiagnosticInput | undefined {
  const near = route.filter((r) => looselyEqual(r, name));
  if (near.length === 0 || !unit.rest) return undefined;
  const path = unit.rest.resource.path;
  if (near.length > 1) {
    return {
      code,
      severity: 'error',
      message: `\`${text}\` differs only in case or separators from several path parameters of ${path} (${listOf(near.map((n) => `{${n}}`))}), so the runtime cannot tell which one is meant.`,
      hint: `Write the exact name, e.g. \`rest.path.${near[0]}\`.`,
    };
  }
  const only = near[0]!;
  return {
    code,
    severity: strict ? 'error' : 'warning',
    message: strict
      ? `\`${text}\` does not match the path parameter \`{${only}}\` of ${path}, and --strict requires exact names.`
      : `\`${text}\` reads the path parameter \`{${only}}\` of ${path}: the names differ only in case or separators, so the runtime matches them.`,
    hint: `Write \`rest.path.${only}\`, or rename the path parameter to \`{${name}}\`.`,
  };
}

function checkTools(unit: Unit, text: string): DiagnosticInput | undefined {
  const name = text.slice(6);
  const first = name.split('.')[0]!;
  if (unit.surface === 'rest') {
    const declared = [...unit.invocable.inputParameters, ...unit.inherited].map((p) => p.name);
    if (declared.includes(name) || declared.includes(first)) return undefined;
    return {
      code,
      severity: 'error',
      message: `\`${text}\` reads an MCP tool argument, but a REST operation has none (and declares no input parameter \`${first}\`), so it is always empty.`,
      hint: unit.rest && pathVariables(unit.rest.resource.path).some((v) => v.name === first) ? `Write \`rest.path.${first}\`.` : `Write \`rest.${first}\` (or \`rest.query.${first}\` / \`rest.body.${first}\`).`,
    };
  }
  if (unit.kind !== 'mcp-tool' || unit.invocable.inputParameters.length === 0) return undefined;
  const declared = unit.invocable.inputParameters.map((p) => p.name);
  if (declared.includes(name) || declared.includes(first)) return undefined;
  return {
    code,
    severity: 'error',
    message: `\`${text}\` reads the argument \`${first}\`, but the tool's inputParameters do not declare it, so clients cannot send it.`,
    hint: didYouMean(first, declared, (s) => `\`tools.${s}\``) ?? `Declare \`${first}\` under the tool's inputParameters.`,
  };
}

/** `env.VAR` / `<bindNamespace>.VAR` without braces is literal text, not a bind reference. */
function checkBareBind(index: CapabilityIndex, unit: Unit, text: string): DiagnosticInput | undefined {
  const match = /^([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  if (!match) return undefined;
  const [, ns, variable] = match;
  if (ns === unit.namespace) return undefined;
  const isBind = (ns === 'env' && (index.bindVariables.has(variable!) || /^[A-Z][A-Z0-9_]*$/.test(variable!))) || (index.bindNamespaces.has(ns!) && index.bindVariables.has(variable!));
  if (!isBind) return undefined;
  if (index.bindVariables.has(variable!)) {
    // A declared bind variable: the engine reads `env.VAR` as that variable (one reasonable execution).
    return {
      code,
      severity: 'warning',
      message: `\`${text}\` without braces is read as the bind variable \`${variable}\`; other Naftiko runtimes send it as literal text.`,
      hint: `Write \`"{{${text}}}"\`.`,
    };
  }
  return {
    code,
    severity: 'error',
    message: `\`${text}\` is not an expression: the upstream receives the literal text "${text}" instead of the bind variable's value.`,
    hint: `Write \`"{{${text}}}"\`.`,
  };
}

function findNestedReference(index: CapabilityIndex, unit: Unit, value: unknown): string | undefined {
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^(rest|tools)\.[^\s]+$/.test(text) || (unit.namespace && text.startsWith(`${unit.namespace}.`)) || text.includes('{{')) return text;
    if (checkBareBind(index, unit, text)) return text;
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const hit = findNestedReference(index, unit, v);
      if (hit) return hit;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) {
      const hit = findNestedReference(index, unit, v);
      if (hit) return hit;
    }
  }
  return undefined;
}
