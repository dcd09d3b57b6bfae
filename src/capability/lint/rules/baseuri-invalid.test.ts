import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { baseUriInvalid as rule } from './baseuri-invalid.js';

const withBase = (baseUri: string) => lint(rule, variant((doc) => (at.api(doc).baseUri = baseUri)));

describe('baseuri-invalid', () => {
  it('accepts http(s) URLs, with {{templates}} anywhere', () => {
    expect(lint(rule, BASE)).toEqual([]);
    for (const ok of ['http://localhost:8000/api', 'https://{{env.HOST}}/v1', '{{env.API_BASE_URL}}', 'https://api.test.dev/{{env.VERSION}}']) {
      expect(withBase(ok), ok).toEqual([]);
    }
  });

  it('reports an empty baseUri', () => {
    const [d] = withBase('');
    expect(d).toMatchObject({ code: 'baseuri-invalid', severity: 'error', pointer: '/capability/consumes/0/baseUri' });
    expect(d!.message).toContain('empty baseUri');
  });

  it('reports a missing or wrong scheme', () => {
    expect(withBase('api.test.dev/v1')[0]!.message).toContain('not an absolute http(s) URL');
    expect(withBase('ftp://api.test.dev')[0]!.message).toContain('scheme `ftp:`');
    expect(withBase('{HOST}/v1')[0]!.hint).toContain('{{env.HOST}}');
  });

  it('reports single-brace placeholders and a query string', () => {
    expect(withBase('https://api.test.dev/v2/{apiKey}')[0]!.message).toContain('`{apiKey}`');
    expect(withBase('https://api.test.dev/v1?key=1')[0]!.message).toContain('query or fragment');
  });

  it('only warns about a trailing slash', () => {
    const [d, ...rest] = withBase('https://api.test.dev/v1/');
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'warning', hint: 'Write `https://api.test.dev/v1`.' });
  });
});
