import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { mayHoldAlias, parseSource } from './source.js';

describe('which texts go to the full YAML parser for their aliases', () => {
  // Every place an alias can start a node: each must be seen, or js-yaml would expand it unguarded.
  it.each([
    ['a mapping value', 'a: &x [1]\nb: *x\n'],
    ['a block sequence item', 'a: &x 1\nb:\n  - *x\n'],
    ['nested sequence items', 'a: &x 1\nb:\n  - - *x\n'],
    ['a value on its own line', 'a: &x 1\nb:\n  *x\n'],
    ['a flow sequence', 'a: &x 1\nb: [1, *x]\n'],
    ['a flow sequence, first', 'a: &x 1\nb: [*x]\n'],
    ['a flow mapping', 'a: &x 1\nb: {c: *x}\n'],
    ['a JSON-like flow key with no space', 'a: &x 1\nb: {"c":*x}\n'],
    ['an explicit key', 'a: &x 1\n? *x\n: 2\n'],
    ['a merge key', 'base: &b {x: 1}\nderived:\n  <<: *b\n'],
    ['after a tab', 'a: &x 1\nb:\t*x\n'],
    ['an anchor after a tag', 'a: !!seq &x [1]\nb: *x\n'],
  ])('%s', (_what, text) => {
    expect(mayHoldAlias(text)).toBe(true);
  });

  it('any document the yaml package writes with shared nodes', () => {
    const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(leaf, { minLength: 1, maxLength: 3 }), fc.constantFrom('block', 'flow'), (shared, style) => {
        const doc = { first: shared, list: [shared, { again: shared }], nested: { deeper: [shared] } };
        const text = stringify(doc, { collectionStyle: style as 'block' | 'flow' });
        expect(text).toContain('*');
        expect(mayHoldAlias(text)).toBe(true);
      }),
      { seed: 20261206, numRuns: 100 },
    );
  });

  it.each([
    ['Markdown bold in a plain description', 'description: This is **required** by the spec & more\n'],
    ['bold in a quoted description', 'description: "Terms & *conditions* apply, **always**"\n'],
    ['arithmetic in text', 'description: price * 2 & tax\n'],
  ])('%s keeps the fast parser', (_what, text) => {
    expect(mayHoldAlias(text)).toBe(false);
    expect(parseSource('x.yaml', text).diagnostics).toEqual([]);
  });

  it('an alias bomb gets a located error, not an expansion', () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) rows.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const { diagnostics, data } = parseSource('bomb.yaml', `${rows.join('\n')}\n`);
    expect(data).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.severity).toBe('error');
  });
});
