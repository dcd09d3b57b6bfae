import { describe, expect, it } from 'vitest';
import { FormatError, parseBody } from './index.js';

describe('csv / tsv / psv', () => {
  it('header row → array of row objects, all values strings', () => {
    expect(parseBody('csv', 'id,name,score\n1,Ann,9.5\n2,Bob,7\n')).toEqual([
      { id: '1', name: 'Ann', score: '9.5' },
      { id: '2', name: 'Bob', score: '7' },
    ]);
  });

  it('RFC 4180 quoting: embedded separators, quotes and newlines; CRLF', () => {
    const csv = 'id,comment\r\n1,"Hello, world"\r\n2,"She said ""hi"""\r\n3,"line one\r\nline two"\r\n4,\r\n';
    expect(parseBody('CSV', Buffer.from(csv))).toEqual([
      { id: '1', comment: 'Hello, world' },
      { id: '2', comment: 'She said "hi"' },
      { id: '3', comment: 'line one\r\nline two' },
      { id: '4', comment: '' },
    ]);
  });

  it('no trimming; a quote inside an unquoted field is literal', () => {
    expect(parseBody('csv', 'a,b\n x ,5" tall\n')).toEqual([{ a: ' x ', b: '5" tall' }]);
  });

  it('tsv and psv', () => {
    expect(parseBody('tsv', 'id\tname\n1\tAnn, Jr.\n2\t"Bob\tB"\n')).toEqual([
      { id: '1', name: 'Ann, Jr.' },
      { id: '2', name: 'Bob\tB' },
    ]);
    expect(parseBody('psv', 'id|name\n1|Ann\n2|"B|b"\n')).toEqual([
      { id: '1', name: 'Ann' },
      { id: '2', name: 'B|b' },
    ]);
  });

  it('header only / empty → []; blank lines skipped; no trailing newline needed', () => {
    expect(parseBody('csv', 'id,name\n')).toEqual([]);
    expect(parseBody('csv', '')).toEqual([]);
    expect(parseBody('csv', 'id\n1\n\n2')).toEqual([{ id: '1' }, { id: '2' }]);
  });

  it('short rows carry only their fields; a trailing separator is tolerated', () => {
    expect(parseBody('csv', 'a,b,c\n1,2\n3,4,5,\n')).toEqual([{ a: '1', b: '2' }, { a: '3', b: '4', c: '5' }]);
  });

  it('a __proto__ column is plain data', () => {
    const rows = parseBody('csv', '__proto__,b\n1,2\n') as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['__proto__', 'b']);
    expect(rows[0]!['__proto__']).toBe('1');
  });

  it('too many fields or an unterminated quote → FormatError', () => {
    expect(() => parseBody('csv', 'a,b\n1,2,3\n')).toThrow(FormatError);
    expect(() => parseBody('csv', 'a,b\n1,"open\n')).toThrow(/unterminated quoted field/);
  });
});
