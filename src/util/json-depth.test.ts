import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './json-depth.js';

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('jsonDepthExceeds', () => {
  it('measures nesting, not the number of brackets', () => {
    expect(jsonDepthExceeds(nested(8), 8)).toBe(false);
    expect(jsonDepthExceeds(nested(9), 8)).toBe(true);
    // Many shallow objects: more openings than the limit (so the full scan runs), depth 2.
    const siblings = JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ i })));
    expect(jsonDepthExceeds(siblings, 8)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '[[[[[[[[[[{{{{{{{{{{', b: 'say \\"[[[[[[[[[[\\"' });
    expect(jsonDepthExceeds(text, 3)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ a: [[[['x]]]]]]]']]]] }), 3)).toBe(true);
  });

  it('counts objects and arrays alike, and clears texts with few openings without a scan', () => {
    expect(jsonDepthExceeds('{"a":{"b":[{"c":1}]}}', 3)).toBe(true);
    expect(jsonDepthExceeds('{"a":{"b":[{"c":1}]}}', 4)).toBe(false);
    expect(jsonDepthExceeds('"plain text"', 0)).toBe(false);
  });
});
