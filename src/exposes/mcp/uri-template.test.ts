import { describe, expect, it } from 'vitest';
import { MAX_RESOURCE_URI_LENGTH, compileUriTemplate } from './uri-template.js';

describe('resource URI templates', () => {
  it('matches as a greedy regex would, values decoded', () => {
    const t = compileUriTemplate('files://x/{a}-{b}-{c}.txt')!;
    expect(t.match('files://x/1-2-3.txt')).toEqual({ a: '1', b: '2', c: '3' });
    expect(t.match('files://x/1-2-3-4.txt')).toEqual({ a: '1-2', b: '3', c: '4' });
    expect(t.match('files://x/1-2.txt')).toBeUndefined();
    expect(t.match('files://x/1-2-3.txt.txt')).toEqual({ a: '1', b: '2', c: '3.txt' });
    expect(t.match('files://x/a%20b-c-d.txt')).toEqual({ a: 'a b', b: 'c', c: 'd' });
    expect(t.match('files://x/1/2-3-4.txt')).toBeUndefined(); // `{a}` holds no slash
    expect(compileUriTemplate('x://{+a}-{b}')!.match('x://p-q/r-s')).toEqual({ a: 'p-q/r', b: 's' });
    expect(compileUriTemplate('x://{a}{b}')!.match('x://ab')).toEqual({ a: 'a', b: 'b' });
    expect(compileUriTemplate('x://{a}/y')!.match('x://a?/y')).toBeUndefined();
    expect(compileUriTemplate('x://{a}')!.match('x://')).toBeUndefined(); // values are never empty
  });

  it('answers a hostile 4000-character URI at once (issue 11 item 7: no backtracking)', () => {
    const t = compileUriTemplate('files://x/{a}-{b}-{c}.txt')!;
    const hostile = `files://x/${'-'.repeat(3980)}!`;
    const started = performance.now();
    expect(t.match(hostile)).toBeUndefined();
    expect(t.match(`files://x/${'a-'.repeat(1990)}.tx`)).toBeUndefined();
    // A hang guard, not a performance measurement: linear matching takes about a millisecond,
    // the backtracking regex it replaces took 11–17 s on this input.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses URIs longer than the cap', () => {
    const t = compileUriTemplate('docs://{+path}')!;
    expect(t.match(`docs://${'a'.repeat(MAX_RESOURCE_URI_LENGTH)}`)).toBeUndefined();
    expect(t.match(`docs://${'a'.repeat(100)}`)).toEqual({ path: 'a'.repeat(100) });
  });
});
