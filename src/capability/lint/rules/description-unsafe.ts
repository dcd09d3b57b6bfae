/**
 * Descriptions and labels end up in MCP tool lists, generated docs and
 * dashboards: `<script` or `eval(` in them is an injection attempt or a
 * copy-paste accident (reference rules naftiko-no-script-tags-in-markdown and
 * naftiko-no-eval-in-markdown, applied to every description/label/title).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { rawStrings, reportAt } from '../context.js';

const code = 'description-unsafe';
const FIELDS = new Set(['description', 'label', 'title']);
const UNSAFE = /<script\b|\beval\s*\(/i;

export const descriptionUnsafe: LintRule = {
  code,
  check(capabilities) {
    const out: Diagnostic[] = [];
    for (const capability of capabilities) {
      for (const s of rawStrings(capability)) {
        if (!FIELDS.has(s.key) || !UNSAFE.test(s.text)) continue;
        const found = UNSAFE.exec(s.text)![0];
        out.push(
          reportAt(capability, s.pointer, {
            code,
            severity: 'error',
            message: `This ${s.key} contains \`${found.trim()}\`, which is not allowed in text shown to people and agents.`,
            hint: 'Remove the script/eval fragment; describe it in words instead.',
          }),
        );
      }
    }
    return out;
  },
};
