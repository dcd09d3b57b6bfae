import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError, parseBody } from './index.js';
import { preloadFormats } from './index.js';

beforeAll(() => preloadFormats(['xml', 'markdown']));

const xml = (s: string): unknown => parseBody('xml', s);

describe('xml', () => {
  it('drops the root name; repeated siblings become an array; leaves are strings', () => {
    expect(
      xml('<root><user><id>1</id><name>Ann</name></user><user><id>2</id><name>Bob</name></user></root>'),
    ).toEqual({ user: [{ id: '1', name: 'Ann' }, { id: '2', name: 'Bob' }] });
  });

  it('a single child stays an object', () => {
    expect(xml('<vessels><vessel><imo>9321483</imo><length>229.5</length></vessel></vessels>')).toEqual({
      vessel: { imo: '9321483', length: '229.5' },
    });
  });

  it('attributes become plain fields; text beside attributes goes to ""', () => {
    expect(xml('<r id="7"><item code="A">x</item><empty/><blank></blank></r>')).toEqual({
      id: '7',
      item: { code: 'A', '': 'x' },
      empty: '',
      blank: '',
    });
  });

  it('ignores namespaces, prefixes, declarations, comments and processing instructions', () => {
    const doc = `<?xml version="1.0" encoding="UTF-8"?>
<!-- generated -->
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:x">
  <soap:Body>
    <m:GetPriceResponse xmlns:m="urn:m" m:currency="EUR"><m:Price>1.90</m:Price></m:GetPriceResponse>
  </soap:Body>
</soap:Envelope>`;
    expect(xml(doc)).toEqual({ Body: { GetPriceResponse: { currency: 'EUR', Price: '1.90' } } });
  });

  it('decodes entities and CDATA; keeps leaf text as-is', () => {
    expect(xml('<r><a>Tom &amp; Jerry &lt;3 &#169; &#x41;</a><b><![CDATA[<i>&amp;</i>]]></b><c> x </c></r>')).toEqual({
      a: 'Tom & Jerry <3 © A',
      b: '<i>&amp;</i>',
      c: ' x ',
    });
  });

  it('nested repeated elements and non-adjacent repeats', () => {
    expect(xml('<r><a>1</a><b>x</b><a>2</a><a>3</a></r>')).toEqual({ a: ['1', '2', '3'], b: 'x' });
    expect(xml('<r><list><i>1</i></list><list><i>2</i><i>3</i></list></r>')).toEqual({
      list: [{ i: '1' }, { i: ['2', '3'] }],
    });
  });

  it('root with only text → {"": text}; empty root → {}; empty body → null', () => {
    expect(xml('<value>13,2</value>')).toEqual({ '': '13,2' });
    expect(xml('<root/>')).toEqual({});
    expect(xml('')).toBeNull();
  });

  it('mixed content keeps the text under ""', () => {
    expect(xml('<r><p>Hello <b>big</b> world</p></r>')).toEqual({ p: { '': ['Hello', 'world'], b: 'big' } });
  });

  it('rejects __proto__ element names (parser guard) without polluting prototypes', () => {
    expect(() => xml('<r><__proto__><polluted>1</polluted></__proto__></r>')).toThrow(FormatError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('malformed xml → FormatError', () => {
    expect(() => xml('<r><a></r>')).toThrow(FormatError);
    expect(() => xml('{"a":1}')).toThrow(/not valid XML/);
    expect(() => xml('<r><a>1</a>')).toThrow(FormatError);
  });
});
