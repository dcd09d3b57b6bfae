import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from './errors.js';
import { parseBody, preloadFormats } from './formats/index.js';
import { compileJsonPath } from './jsonpath.js';

const json = { items: [{ a: 1, n: 'x', t: 'k' }, { a: 2, n: 'y' }, { a: '3', n: 'zz' }], 'user details': { email: 'e@x' }, meta: { page: 1 } };
const run = (p: string, root: unknown = json) => compileJsonPath(p).evaluate(root);

describe('jsonpath', () => {
  it('walks simple paths directly ($, $., dotted, indexed, quoted, names with spaces)', () => {
    expect(run('$')).toBe(json);
    expect(run('$.')).toBe(json);
    expect(run('')).toBe(json);
    expect(run('$.meta')).toEqual({ page: 1 });
    expect(run('$.items[1].n')).toBe('y');
    expect(run("$['user details'].email")).toBe('e@x');
    expect(run('$["user details"].email')).toBe('e@x');
    expect(run('$.user details.email')).toBe('e@x'); // the reference retries with bracket notation
    expect(run('$.missing.deeper')).toBeUndefined();
    expect(run('$.items[9].n')).toBeUndefined();
    expect(run('$.constructor')).toBeUndefined(); // never reaches the prototype
    expect(run('$.__proto__')).toBeUndefined();
  });

  it('simple paths are definite and yield undefined through scalars and null', () => {
    const path = compileJsonPath('$.a.b');
    expect(path.definite).toBe(true);
    expect(path.error).toBeUndefined();
    expect(path.evaluate({ a: 'text' })).toBeUndefined();
    expect(path.evaluate({ a: null })).toBeUndefined();
    expect(path.evaluate(null)).toBeUndefined();
    expect(path.evaluate(42)).toBeUndefined();
    expect(path.evaluate({ a: { b: 0 } })).toBe(0);
    expect(path.evaluate({ a: { b: null } })).toBeNull();
  });

  it('trims the expression and caches compiled paths', () => {
    expect(run('  $.meta.page  ')).toBe(1);
    expect(compileJsonPath('$.items[*].a')).toBe(compileJsonPath('$.items[*].a'));
  });

  it('returns arrays for indefinite paths', () => {
    expect(run('$.items[*].n')).toEqual(['x', 'y', 'zz']);
    expect(run('$..page')).toEqual([1]);
    expect(run('$.items[-1:]')).toEqual([{ a: '3', n: 'zz' }]);
    expect(run('$.items[0:2].n')).toEqual(['x', 'y']);
    expect(run('$.items[0,2].n')).toEqual(['x', 'zz']);
    expect(run('$.meta.*')).toEqual([1]);
    expect(run('$.nothing[*]')).toEqual([]);
    expect(compileJsonPath('$.items[*]').definite).toBe(false);
  });

  it('an indefinite path over a scalar root yields an empty array, a definite one undefined', () => {
    expect(compileJsonPath('$.items[*]').evaluate('text')).toEqual([]);
    expect(compileJsonPath('$.items[*]').evaluate(null)).toEqual([]);
    expect(compileJsonPath("$['a']['b']").evaluate(7)).toBeUndefined();
  });

  it('evaluates filter expressions without running any script', () => {
    expect(run('$.items[?(@.a==2)].n')).toEqual(['y']);
    expect(run("$.items[?(@.a > 1 || @.t == 'k')].n")).toEqual(['x', 'y', 'zz']);
    expect(run('$.items[?(@.a == 3)].n')).toEqual(['zz']); // numeric string equals number
    expect(run('$.items[?(@.n.length == 2 && !(@.a == 1))].n')).toEqual(['zz']);
    expect(run('$.items[?(@.t)].n')).toEqual(['x']);
    expect(run('$.items[?(!@.t)].n')).toEqual(['y', 'zz']);
    expect(run('$.items[?(@.a >= $.meta.page)].n')).toEqual(['x', 'y', 'zz']);
  });

  it('filters: string, number, boolean, null and undefined literals', () => {
    const rows = { r: [{ v: 'a' }, { v: "it's" }, { v: 'say "hi"' }, { v: true }, { v: false }, { v: null }, {}, { v: -1.5 }, { v: 2e3 }] };
    const pick = (filter: string) => run(`$.r[?(${filter})]`, rows);
    expect(pick("@.v == 'a'")).toEqual([{ v: 'a' }]);
    expect(pick('@.v == "a"')).toEqual([{ v: 'a' }]);
    expect(pick("@.v == 'it\\'s'")).toEqual([{ v: "it's" }]);
    expect(pick('@.v == "say \\"hi\\""')).toEqual([{ v: 'say "hi"' }]);
    expect(pick('@.v == true')).toEqual([{ v: true }]);
    expect(pick('@.v === false')).toEqual([{ v: false }]);
    expect(pick('@.v == null')).toEqual([{ v: null }]);
    expect(pick('@.v == undefined')).toEqual([{}]);
    expect(pick('@.v == -1.5')).toEqual([{ v: -1.5 }]);
    expect(pick('@.v == 2e3')).toEqual([{ v: 2000 }]);
    expect(pick('@.v !== null && @.v != undefined && @.v != true && @.v != false')).toHaveLength(5);
  });

  it('filters: truthiness of a bare path (0, empty string, false and null are false)', () => {
    const rows = { r: [{ v: 0 }, { v: '' }, { v: false }, { v: null }, { v: 1 }, { v: 'x' }, { v: [] }, { v: {} }] };
    expect(run('$.r[?(@.v)].v', rows)).toEqual([1, 'x', [], {}]);
  });

  it('filters: precedence (&& binds tighter than ||), parentheses and negation', () => {
    const rows = { r: [{ a: 1, b: 1, c: 0 }, { a: 0, b: 1, c: 1 }, { a: 0, b: 0, c: 1 }, { a: 1, b: 0, c: 0 }] };
    expect(run('$.r[?(@.a == 1 || @.b == 1 && @.c == 1)]', rows)).toEqual([rows.r[0], rows.r[1], rows.r[3]]);
    expect(run('$.r[?((@.a == 1 || @.b == 1) && @.c == 1)]', rows)).toEqual([rows.r[1]]);
    expect(run('$.r[?(!(@.a == 1) && !(@.b == 1))]', rows)).toEqual([rows.r[2]]);
    expect(run('$.r[?(!!@.a)]', rows)).toEqual([rows.r[0], rows.r[3]]);
  });

  it('filters: nested paths, indexes, quoted names, length, $ and the root', () => {
    const doc = {
      min: 2,
      names: ['ab', 'abc'],
      r: [
        { o: { p: 3 }, list: [5, 6], 'odd key': 'y', s: 'abcd' },
        { o: { p: 1 }, list: [7], 'odd key': 'n', s: 'ab' },
      ],
    };
    expect(run('$.r[?(@.o.p > $.min)].s', doc)).toEqual(['abcd']);
    expect(run('$.r[?(@.list[0] == 7)].s', doc)).toEqual(['ab']);
    expect(run("$.r[?(@['odd key'] == 'y')].s", doc)).toEqual(['abcd']);
    expect(run('$.r[?(@.list.length > 1)].s', doc)).toEqual(['abcd']);
    expect(run('$.r[?(@.s.length == $.names[0].length)].s', doc)).toEqual(['ab']);
    expect(run('$.r[?(@.missing.deeper == 1)].s', doc)).toEqual([]);
  });

  it('ordering comparisons treat a numeric string facing a number as that number, for every operator', () => {
    const rows = { r: [{ a: 1 }, { a: '2' }, { a: 3 }, { a: '3' }, { a: ' 4 ' }, { a: '10' }, { a: 'x' }, { a: '' }, { a: null }, {}] };
    const as = (filter: string) => (run(`$.r[?(${filter})].a`, rows) as unknown[]).map(String);
    expect(as('@.a >= 3')).toEqual(['3', '3', ' 4 ', '10']);
    expect(as('@.a > 3')).toEqual([' 4 ', '10']);
    expect(as('@.a < 3')).toEqual(['1', '2']);
    expect(as('@.a <= 3')).toEqual(['1', '2', '3', '3']);
    expect(as('@.a == 3')).toEqual(['3', '3']);
    expect(as('@.a === 3')).toEqual(['3', '3']);
    expect(as('@.a != 3')).toEqual(['1', '2', ' 4 ', '10', 'x', '', 'null']); // a row without `a` passes, but has no `a` to yield
    expect(as('3 <= @.a')).toEqual(['3', '3', ' 4 ', '10']); // literal on the left
  });

  it('numbers written oddly are not numeric strings (hex, Infinity, blank, trailing text)', () => {
    const rows = { r: [{ a: '0x10' }, { a: 'Infinity' }, { a: '  ' }, { a: '5px' }, { a: '1e1' }, { a: '-.5' }, { a: '+7' }] };
    const as = (filter: string) => run(`$.r[?(${filter})].a`, rows);
    expect(as('@.a == 16')).toEqual([]);
    expect(as('@.a > 0')).toEqual(['1e1', '+7']);
    expect(as('@.a < 0')).toEqual(['-.5']);
    expect(as('@.a == 0')).toEqual([]);
    expect(as('@.a == 10')).toEqual(['1e1']);
  });

  it('two strings compare as strings; mixed non-numeric types are unordered', () => {
    const rows = { r: [{ a: 'apple' }, { a: 'banana' }, { a: '10' }, { a: '9' }, { a: true }, { a: { x: 1 } }] };
    expect(run("$.r[?(@.a < 'b')].a", rows)).toEqual(['apple', '10', '9']);
    expect(run("$.r[?(@.a > '9')].a", rows)).toEqual(['apple', 'banana']); // text order, as written
    expect(run('$.r[?(@.a > 0)].a', rows)).toEqual(['10', '9']);
    expect(run('$.r[?(@.a >= true)].a', rows)).toEqual([]);
    expect(run('$.r[?(@.a < 100)].a', rows)).toEqual(['10', '9']);
  });

  it('refuses script expressions and unknown filter syntax with a clear error', () => {
    for (const p of [
      '$.items[(@.length-1)]',
      '$.items[?(@.constructor)]',
      '$.items[?(@.__proto__)]',
      '$.items[?(@.prototype == 1)]',
      '$.items[?(@.n.toString())]',
      '$.items[?(process.exit())]',
      '$.items[?(@.a + 1 == 2)]',
      '$.items[?(@.a == 1]',
      '$.items[?((@.a == 1)]',
      '$.items[?(@.a = 1)]',
      '$.items[?(this.x)]',
      '$.items[?@.a == 1]',
    ]) {
      const compiled = compileJsonPath(p);
      expect(compiled.error, p).toBeDefined();
      expect(() => compiled.evaluate(json), p).toThrow(EngineError);
      expect(() => compiled.evaluate(json), p).toThrow(/cannot be evaluated/);
    }
  });

  it('the error names the offending part', () => {
    expect(compileJsonPath('$.items[(@.length-1)]').error).toMatch(/script expressions .*disabled/);
    expect(compileJsonPath('$.items[?(@.n.toString())]').error).toMatch(/filter .* is not supported.*function calls are disabled/);
    expect(compileJsonPath('$.items[?(@.constructor)]').error).toMatch(/`constructor` is not allowed/);
    expect(compileJsonPath('$.items[?(@.a == 1]').error).toMatch(/must be written `\[\?\(…\)\]`/);
  });
});

/**
 * Filters over every response format: text formats carry numbers as strings, and a filter must
 * select the same rows whether the upstream answered JSON, YAML, XML, CSV/TSV/PSV, HTML or Markdown.
 */
describe('jsonpath filters over every response format', () => {
  beforeAll(() => preloadFormats(['xml', 'markdown']));

  const rows = [
    { id: 'a', amount: 1 },
    { id: 'b', amount: 3 },
    { id: 'c', amount: 10 },
    { id: 'd', amount: 2.5 },
  ];
  const delimited = (sep: string) => ['id' + sep + 'amount', ...rows.map((r) => r.id + sep + String(r.amount))].join('\n');
  const bodies: { format: string; body: string; rows: string }[] = [
    { format: 'json', body: JSON.stringify({ rows }), rows: '$.rows' },
    { format: 'yaml', body: 'rows:\n' + rows.map((r) => `  - id: ${r.id}\n    amount: ${r.amount}`).join('\n'), rows: '$.rows' },
    { format: 'xml', body: `<doc>${rows.map((r) => `<rows><id>${r.id}</id><amount>${r.amount}</amount></rows>`).join('')}</doc>`, rows: '$.rows' },
    { format: 'csv', body: delimited(','), rows: '$' },
    { format: 'tsv', body: delimited('\t'), rows: '$' },
    { format: 'psv', body: delimited('|'), rows: '$' },
    {
      format: 'html',
      body: `<table><tr><th>id</th><th>amount</th></tr>${rows.map((r) => `<tr><td>${r.id}</td><td>${r.amount}</td></tr>`).join('')}</table>`,
      rows: '$.tables[0]',
    },
    {
      format: 'markdown',
      body: ['| id | amount |', '|----|--------|', ...rows.map((r) => `| ${r.id} | ${r.amount} |`)].join('\n'),
      rows: '$.tables[0]',
    },
  ];
  const cases: [string, string[]][] = [
    ['@.amount >= 3', ['b', 'c']],
    ['@.amount > 3', ['c']],
    ['@.amount < 3', ['a', 'd']],
    ['@.amount <= 2.5', ['a', 'd']],
    ['@.amount == 3', ['b']],
    ['@.amount != 3', ['a', 'c', 'd']],
    ["@.amount > 1 && @.id != 'c'", ['b', 'd']],
  ];

  for (const { format, body, rows: base } of bodies) {
    it.each(cases)(`${format}: [?(%s)]`, (filter, ids) => {
      const parsed = parseBody(format, body);
      expect(run(`${base}[?(${filter})].id`, parsed)).toEqual(ids);
    });
  }
});
