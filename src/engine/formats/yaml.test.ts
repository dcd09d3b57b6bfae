import { describe, expect, it } from 'vitest';
import { FormatError, parseBody } from './index.js';

describe('yaml', () => {
  it('converts with typed scalars', () => {
    expect(parseBody('yaml', 'id: 123\nname: Alice\nactive: true\ntags: [a, b]\nnothing: ~\n')).toEqual({
      id: 123, name: 'Alice', active: true, tags: ['a', 'b'], nothing: null,
    });
  });

  it('returns the first document of a stream; empty → null', () => {
    expect(parseBody('yaml', 'a: 1\n---\na: 2\n')).toEqual({ a: 1 });
    expect(parseBody('yaml', '')).toBeNull();
  });

  it('malformed yaml → FormatError', () => {
    expect(() => parseBody('yaml', 'a: [1, 2\nb: }')).toThrow(FormatError);
    expect(() => parseBody('yaml', 'a: 1\n  b: 2\n')).toThrow(/not valid YAML/);
  });
});
