import { describe, expect, it } from 'vitest';
import { renderCodeFrame } from './codeframe.js';
import { parseSource } from './source.js';

const text = ['naftiko: 1.0.0-alpha2', 'capability:', '  exposes:', '    - type: rest', '      prot: 8080', '      namespace: demo', ''].join('\n');
const source = parseSource('demo.yaml', text);

describe('renderCodeFrame', () => {
  it('shows the line before, the line and the line after, with a caret under the column', () => {
    expect(renderCodeFrame(source, { line: 5, column: 7 })).toBe(
      ['  4 |     - type: rest', '> 5 |       prot: 8080', '    |       ^', '  6 |       namespace: demo'].join('\n'),
    );
  });

  it('works with positions reported by the source (a key position)', () => {
    const position = source.positionOf('/capability/exposes/0/prot', { key: true })!;
    const frame = renderCodeFrame(source, position);
    const caretLine = frame.split('\n')[2]!;
    expect(caretLine.indexOf('^') - caretLine.indexOf('|') - 2).toBe(position.column - 1);
  });

  it('has no line before the first line', () => {
    expect(renderCodeFrame(source, { line: 1, column: 1 })).toBe(['> 1 | naftiko: 1.0.0-alpha2', '    | ^', '  2 | capability:'].join('\n'));
  });

  it('widens the gutter for two-digit line numbers', () => {
    const long = parseSource('long.yaml', Array.from({ length: 12 }, (_, i) => `k${i + 1}: ${i + 1}`).join('\n'));
    expect(renderCodeFrame(long, { line: 10, column: 5 })).toBe(['   9 | k9: 9', '> 10 | k10: 10', '     |     ^', '  11 | k11: 11'].join('\n'));
  });

  it('honours contextLines', () => {
    expect(renderCodeFrame(source, { line: 5, column: 7 }, 0)).toBe(['> 5 |       prot: 8080', '    |       ^'].join('\n'));
    expect(renderCodeFrame(source, { line: 5, column: 7 }, 2).split('\n')).toHaveLength(6);
  });

  it('keeps tabs in the caret padding and clamps columns past the end of the line', () => {
    const tabbed = parseSource('tab.txt', 'a\n\tkey: 1\nb');
    expect(renderCodeFrame(tabbed, { line: 2, column: 2 }).split('\n')[2]).toBe('    | \t^');
    expect(renderCodeFrame(tabbed, { line: 3, column: 40 }).split('\n')[2]).toBe('    |  ^');
  });

  it('returns an empty string for a line that does not exist', () => {
    expect(renderCodeFrame(source, { line: 99, column: 1 })).toBe('');
  });

  it('uses no ANSI colour codes', () => {
    expect(renderCodeFrame(source, { line: 3, column: 3 })).not.toMatch(/\u001b\[/);
  });
});
