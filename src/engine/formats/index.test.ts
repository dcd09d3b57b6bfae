import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError, isKnownFormat, isSupportedFormat, parseBody } from './index.js';
import { preloadFormats } from './index.js';

beforeAll(() => preloadFormats(['xml', 'markdown']));

describe('parseBody dispatch', () => {
  it('defaults to json and is case-insensitive', () => {
    expect(parseBody(undefined, '{"a":1}')).toEqual({ a: 1 });
    expect(parseBody('JSON', Buffer.from('[1,2]'))).toEqual([1, 2]);
    expect(parseBody('Xml', '<r><a>1</a></r>')).toEqual({ a: '1' });
  });

  it('rejects unknown formats with FormatError', () => {
    expect(() => parseBody('excel', 'x')).toThrow(FormatError);
    expect(() => parseBody('excel', 'x')).toThrow('unsupported output format `excel`');
    expect(() => parseBody('', 'x')).toThrow('unsupported output format ``');
  });

  it('reports avro/protobuf as unsupported', () => {
    for (const f of ['avro', 'protobuf', 'AVRO']) {
      let err: unknown;
      try {
        parseBody(f, Buffer.from([1, 2, 3]), { outputSchema: 'x.avsc' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).format).toBe(f.toLowerCase());
      expect((err as Error).message).toBe(`\`${f.toLowerCase()}\` output is not supported by this runtime`);
    }
  });

  it('knows which formats exist and which are supported', () => {
    expect(isSupportedFormat('CSV')).toBe(true);
    expect(isSupportedFormat('markdown')).toBe(true);
    expect(isSupportedFormat('avro')).toBe(false);
    expect(isSupportedFormat('excel')).toBe(false);
    expect(isKnownFormat('protobuf')).toBe(true);
    expect(isKnownFormat('excel')).toBe(false);
  });

  it('decodes buffers with the Content-Type charset', () => {
    const latin1 = Buffer.from('{"name":"Zoë"}', 'latin1');
    expect(parseBody('json', latin1, { contentType: 'application/json; charset=ISO-8859-1' })).toEqual({ name: 'Zoë' });
    expect(parseBody('json', Buffer.from('{"name":"Zoë"}'), { contentType: 'application/json' })).toEqual({ name: 'Zoë' });
  });

  it('honours the XML declaration encoding when no charset is given', () => {
    const xml = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><r><n>Zoë</n></r>', 'latin1');
    expect(parseBody('xml', xml)).toEqual({ n: 'Zoë' });
  });

  it('strips a UTF-8 byte-order mark', () => {
    expect(parseBody('json', Buffer.from('\uFEFF{"a":1}'))).toEqual({ a: 1 });
    expect(parseBody('csv', '\uFEFFid,name\n1,x\n')).toEqual([{ id: '1', name: 'x' }]);
  });
});
