import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { consumedPathQuery as rule } from './consumed-path-query.js';

describe('consumed-path-query', () => {
  it('accepts paths without a query', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('warns about a query string in a consumed path', () => {
    const [d] = lint(rule, variant((doc) => (at.api(doc).resources[0].path = '/items/{item_id}?partNumber={part}')));
    expect(d).toMatchObject({ code: 'consumed-path-query', severity: 'warning', pointer: '/capability/consumes/0/resources/0/path' });
    expect(d!.hint).toContain('`/items/{item_id}`');
  });
});
