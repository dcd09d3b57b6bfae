import { describe, expect, it } from 'vitest';
import { compileJsonPath } from './jsonpath.js';

const json = { items: [{ a: 1, n: 'x', t: 'k' }, { a: 2, n: 'y' }, { a: '3', n: 'zz' }], 'user details': { email: 'e@x' }, meta: { page: 1 } };
const run = (p: string) => compileJsonPath(p).evaluate(json);

describe('jsonpath', () => {
  it('walks simple paths directly ($, $., dotted, indexed, quoted, names with spaces)', () => {
    expect(run('$')).toBe(json);
    expect(run('$.')).toBe(json);
    expect(run('$.meta')).toEqual({ page: 1 });
    expect(run('$.items[1].n')).toBe('y');
    expect(run("$['user details'].email")).toBe('e@x');
    expect(run('$.user details.email')).toBe('e@x'); // the reference retries with bracket notation
    expect(run('$.missing.deeper')).toBeUndefined();
    expect(run('$.constructor')).toBeUndefined(); // never reaches the prototype
  });

  it('returns arrays for indefinite paths', () => {
    expect(run('$.items[*].n')).toEqual(['x', 'y', 'zz']);
    expect(run('$..page')).toEqual([1]);
    expect(run('$.items[-1:]')).toEqual([{ a: '3', n: 'zz' }]);
    expect(run('$.nothing[*]')).toEqual([]);
  });

  it('evaluates filter expressions without running any script', () => {
    expect(run('$.items[?(@.a==2)].n')).toEqual(['y']);
    expect(run("$.items[?(@.a > 1 || @.t == 'k')].n")).toEqual(['x', 'y']);
    expect(run('$.items[?(@.a == 3)].n')).toEqual(['zz']); // numeric string equals number
    expect(run('$.items[?(@.n.length == 2 && !(@.a == 1))].n')).toEqual(['zz']);
    expect(run('$.items[?(@.t)].n')).toEqual(['x']);
    expect(run('$.items[?(@.a >= $.meta.page)].n')).toEqual(['x', 'y']);
  });

  it('refuses script expressions and unknown filter syntax with a clear error', () => {
    for (const p of ['$.items[(@.length-1)]', '$.items[?(@.constructor)]', '$.items[?(@.n.toString())]', "$.items[?(process.exit())]"]) {
      const compiled = compileJsonPath(p);
      expect(compiled.error, p).toBeDefined();
      expect(() => compiled.evaluate(json)).toThrow(/cannot be evaluated/);
    }
  });
});
