import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { descriptionUnsafe as rule } from './description-unsafe.js';

describe('description-unsafe', () => {
  it('accepts ordinary prose', () => {
    expect(lint(rule, BASE)).toEqual([]);
    expect(lint(rule, variant((doc) => (at.tool(doc).description = 'Evaluates (evaluation) a script-like rule.')))).toEqual([]);
  });

  it('reports <script and eval( in descriptions and labels', () => {
    const found = lint(
      rule,
      variant((doc) => {
        at.tool(doc).description = 'Nice <SCRIPT>alert(1)</SCRIPT>';
        doc.info.label = 'x eval (y)';
      }),
    );
    expect(found.map((d) => [d.pointer, d.severity])).toEqual([
      ['/info/label', 'error'],
      ['/capability/exposes/1/tools/0/description', 'error'],
    ]);
  });
});
