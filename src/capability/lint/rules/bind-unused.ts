/**
 * A bind variable no template reads (`{{X}}`, `{{env.X}}`, `{{<ns>.X}}`) and no
 * `in: environment` parameter names: it is resolved (and must be set) for
 * nothing. Info only — generators often declare a key "just in case".
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, indexCapability, rawStrings, reportAt, templateVariables } from '../context.js';

const code = 'bind-unused';

export const bindUnused: LintRule = {
  code,
  check(capabilities) {
    const out: Diagnostic[] = [];
    for (const capability of capabilities) {
      if (capability.binds.length === 0) continue;
      const index = indexCapability(capability);
      const used = new Set<string>();
      for (const s of rawStrings(capability)) {
        if (!s.text.includes('{{')) continue;
        for (const v of templateVariables(s.text)) {
          const dot = v.indexOf('.');
          if (dot < 0) used.add(v);
          else if (v.slice(0, dot) === 'env' || index.bindNamespaces.has(v.slice(0, dot))) used.add(v.slice(dot + 1));
        }
      }
      for (const api of capability.consumes) {
        for (const p of [...api.inputParameters, ...api.resources.flatMap((r) => [...r.inputParameters, ...r.operations.flatMap((o) => o.inputParameters)])]) {
          if (p.in === 'environment') used.add(p.name);
        }
      }
      for (const bind of capability.binds) {
        for (const variable of Object.keys(bind.keys)) {
          if (used.has(variable)) continue;
          out.push(
            reportAt(
              capability,
              childPointer(bind.loc, 'keys', variable),
              {
                code,
                severity: 'info',
                message: `The bind variable \`${variable}\` (namespace \`${bind.namespace}\`) is not used by any template of this file.`,
                hint: `Reference it as \`{{${bind.namespace}.${variable}}}\` (or \`{{${variable}}}\`), or remove it.`,
              },
              { key: true },
            ),
          );
        }
      }
    }
    return out;
  },
};
