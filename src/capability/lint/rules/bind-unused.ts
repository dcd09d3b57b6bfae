/**
 * A bind variable no template reads (`{{X}}`, `{{env.X}}`, `{{<ns>.X}}`) and no
 * `in: environment` parameter names: it is resolved (and must be set) for
 * nothing. Info only — generators often declare a key "just in case".
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, reportAt, usedBindVariables } from '../context.js';

const code = 'bind-unused';

export const bindUnused: LintRule = {
  code,
  check(capabilities) {
    const out: Diagnostic[] = [];
    for (const capability of capabilities) {
      if (capability.binds.length === 0) continue;
      const used = usedBindVariables(capability);
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
