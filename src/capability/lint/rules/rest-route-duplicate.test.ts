import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { restRouteDuplicate as rule } from './rest-route-duplicate.js';

describe('rest-route-duplicate', () => {
  it('reports the same method on the same route, whatever the parameter names', () => {
    const yaml = variant((doc) =>
      at.rest(doc).resources.push({ path: '/v1/items/{id}/', description: 'Again.', operations: [{ ...at.restOp(doc), name: 'again' }] }),
    );
    const [d, ...rest] = lint(rule, yaml);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'rest-route-duplicate', severity: 'error', pointer: '/capability/exposes/0/resources/1/operations/0' });
    expect(d!.message).toContain('already declared as /v1/items/{item_id}');
  });

  it('accepts another method on the same path, and duplicates across files', () => {
    const yaml = variant((doc) => at.rest(doc).resources[0].operations.push({ ...at.restOp(doc), method: 'DELETE' }));
    expect(lint(rule, yaml)).toEqual([]);
    expect(lint(rule, BASE, BASE)).toEqual([]);
  });
});
