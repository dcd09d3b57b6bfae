import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { restPathInvalid as rule } from './rest-path-invalid.js';

const withPath = (path: string) => lint(rule, variant((doc) => (at.rest(doc).resources[0].path = path)));

describe('rest-path-invalid', () => {
  it('accepts plain paths and the root', () => {
    expect(lint(rule, BASE)).toEqual([]);
    expect(withPath('/')).toEqual([]);
  });

  it('reports a query string as an error (the route never matches)', () => {
    const [d] = withPath('/v1/items?sort=asc');
    expect(d).toMatchObject({ code: 'rest-path-invalid', severity: 'error', pointer: '/capability/exposes/0/resources/0/path' });
    expect(d!.hint).toContain('`/v1/items`');
  });

  it('warns about a trailing slash', () => {
    expect(withPath('/v1/items/')[0]).toMatchObject({ severity: 'warning' });
  });
});
