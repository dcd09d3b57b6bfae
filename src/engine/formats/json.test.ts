import { describe, expect, it } from 'vitest';
import { FormatError, parseBody } from './index.js';

describe('json', () => {
  it('parses objects, arrays and scalars', () => {
    expect(parseBody('json', Buffer.from('{"id":"123","n":1.5,"ok":true,"x":null}'))).toEqual({
      id: '123', n: 1.5, ok: true, x: null,
    });
    expect(parseBody('json', '"s"')).toBe('s');
  });

  it('empty body → null', () => {
    expect(parseBody('json', '')).toBeNull();
    expect(parseBody('json', Buffer.alloc(0))).toBeNull();
    expect(parseBody(undefined, ' \n')).toBeNull();
  });

  it('malformed json → FormatError', () => {
    expect(() => parseBody('json', '{"a":')).toThrow(FormatError);
  });

  it('an HTML 502 error page parsed as json → short FormatError', () => {
    const page = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(5000)}</body></html>`;
    let err: unknown;
    try {
      parseBody('json', Buffer.from(page));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).format).toBe('json');
    expect((err as Error).message).toMatch(/^upstream body is not valid JSON/);
    expect((err as Error).message.length).toBeLessThanOrEqual(200);
  });

  it('keeps __proto__ keys as data', () => {
    const v = parseBody('json', '{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
