import { describe, expect, it } from 'vitest';
import { FormatError, parseBody } from './index.js';

const html = (s: string, outputSchema?: string): unknown =>
  parseBody('html', s, outputSchema === undefined ? undefined : { outputSchema });

const PAGE = `<!doctype html><html><body>
<table id="ports">
  <thead><tr><th> Port </th><th>Country</th></tr></thead>
  <tbody>
    <tr><td> Rotterdam </td><td>NL</td></tr>
    <tr><td>Hamburg</td><td>DE</td><td>extra</td></tr>
    <tr><td>Antwerp</td></tr>
    <tr><th>Subtotal</th><td>3</td></tr>
    <tr></tr>
  </tbody>
</table>
<div class="wrap">
  <table><tr><th>Code</th><th>Name</th></tr><tr><td>A<br>1</td><td><b>Alpha</b>
     one</td></tr></table>
  <table><tr><th> </th><th></th></tr><tr><td>skipped</td><td>table</td></tr></table>
</div>
</body></html>`;

describe('html', () => {
  it('all tables by default; blank-header tables skipped', () => {
    expect(html(PAGE)).toEqual({
      tables: [
        [
          { Port: 'Rotterdam', Country: 'NL' },
          { Port: 'Hamburg', Country: 'DE' },
          { Port: 'Antwerp', Country: '' },
        ],
        [{ Code: 'A 1', Name: 'Alpha one' }],
      ],
    });
  });

  it('selector matching a table selects it; otherwise descendant tables', () => {
    expect(html(PAGE, '#ports')).toEqual({ tables: [(html(PAGE) as { tables: unknown[] }).tables[0]] });
    expect(html(PAGE, 'div.wrap')).toEqual({ tables: [[{ Code: 'A 1', Name: 'Alpha one' }]] });
    expect(html(PAGE, '.nothing')).toEqual({ tables: [] });
  });

  it('headers from the first row when there is no thead (implicit tbody, unclosed cells)', () => {
    const doc = '<table><caption>x</caption><tr><th>a<th>b<tr><td>1<td>2<tr><td>3<td>4</table>';
    expect(html(doc)).toEqual({ tables: [[{ a: '1', b: '2' }, { a: '3', b: '4' }]] });
  });

  it('a table without header cells is skipped; no tables → empty list', () => {
    expect(html('<table><tr><td>1</td></tr></table>')).toEqual({ tables: [] });
    expect(html('<p>hello</p>')).toEqual({ tables: [] });
    expect(html('')).toEqual({ tables: [] });
  });

  it('invalid selector → FormatError', () => {
    expect(() => html(PAGE, 'table[')).toThrow(FormatError);
  });
});
