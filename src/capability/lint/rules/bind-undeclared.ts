/**
 * A qualified template variable `{{env.X}}` / `{{<bindNamespace>.X}}` must name
 * a key declared under `binds`: the runtime refuses to render it and every
 * call that needs it fails (error). A bare upper-case `{{X}}` in a consumed
 * API's base URI, authentication or parameter values that is neither a bind
 * key nor a parameter renders empty — usually a secret someone forgot to
 * declare (warning).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { didYouMean, rawStrings, reportAt, templateVariables, type CapabilityIndex, perCapability } from '../context.js';

const code = 'bind-undeclared';
/** Where a bare `{{X}}` can only be a bind: base URI, authentication, consumed parameter values. */
const SECRET_PLACES = /^\/capability\/consumes\/\d+\/(baseUri$|authentication\/|(resources\/\d+\/(operations\/\d+\/)?)?inputParameters\/\d+\/(value|template)$)/;

export const bindUndeclared: LintRule = {
  code,
  check: (capabilities) => perCapability(capabilities, checkOne),
};

function checkOne(index: CapabilityIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { capability } = index;
  let parameterNames: Set<string> | undefined;
  const declared = [...index.bindVariables];
  for (const s of rawStrings(capability)) {
    if (!s.text.includes('{{')) continue;
    for (const variable of templateVariables(s.text)) {
      const dot = variable.indexOf('.');
      if (dot > 0) {
        const ns = variable.slice(0, dot);
        const name = variable.slice(dot + 1);
        if (ns !== 'env' && !index.bindNamespaces.has(ns)) continue;
        if (index.bindVariables.has(name)) continue;
        out.push(
          reportAt(capability, s.pointer, {
            code,
            severity: 'error',
            message:
              declared.length === 0
                ? `The template variable \`{{${variable}}}\` names a bind variable, but this file declares no \`binds\`.`
                : `The template variable \`{{${variable}}}\` names the bind variable \`${name}\`, which no bind declares.`,
            hint:
              didYouMean(name, declared, (v) => `\`{{${ns}.${v}}}\``) ??
              `Declare it: \`binds: [{namespace: ${ns === 'env' ? 'env' : ns}, keys: {${name}: ${name}}}]\` (the value is read from the environment variable on the right).`,
          }),
        );
        continue;
      }
      if (!SECRET_PLACES.test(s.pointer) || !/^[A-Z][A-Z0-9_]*$/.test(variable) || index.bindVariables.has(variable)) continue;
      parameterNames ??= allParameterNames(index);
      if (parameterNames.has(variable)) continue;
      out.push(
        reportAt(capability, s.pointer, {
          code,
          severity: 'warning',
          message: `The template variable \`{{${variable}}}\` is neither a declared bind variable nor a parameter, so it renders empty.`,
          hint: didYouMean(variable, declared, (v) => `\`{{${v}}}\``) ?? `Declare it under \`binds\` (e.g. \`keys: {${variable}: ${variable}}\`).`,
        }),
      );
    }
  }
  return out;
}

/** Names that can feed a bare `{{X}}` at request time: consumed parameters and `with` keys. */
function allParameterNames(index: CapabilityIndex): Set<string> {
  const names = new Set<string>();
  for (const api of index.capability.consumes) {
    api.inputParameters.forEach((p) => names.add(p.name));
    for (const r of api.resources) {
      r.inputParameters.forEach((p) => names.add(p.name));
      r.operations.forEach((o) => o.inputParameters.forEach((p) => names.add(p.name)));
    }
  }
  for (const unit of index.units) {
    Object.keys(unit.invocable.with).forEach((k) => names.add(k));
    unit.invocable.inputParameters.forEach((p) => names.add(p.name));
    unit.invocable.steps.forEach((s) => s.type === 'call' && Object.keys(s.with).forEach((k) => names.add(k)));
  }
  return names;
}
