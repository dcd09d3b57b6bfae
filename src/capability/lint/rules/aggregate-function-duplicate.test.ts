import { describe, expect, it } from 'vitest';
import { lint, variant } from '../testing.js';
import { aggregateFunctionDuplicate as rule } from './aggregate-function-duplicate.js';

describe('aggregate-function-duplicate', () => {
  it('reports the second function of the same name', () => {
    const yaml = variant((doc) => {
      doc.capability.aggregates = [
        { namespace: 'agg', functions: [{ name: 'f', description: 'A', call: 'api.get-item' }, { name: 'f', description: 'B', call: 'api.get-item' }, { name: 'g', description: 'C', call: 'api.get-item' }] },
      ];
    });
    const found = lint(rule, yaml);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'aggregate-function-duplicate', severity: 'error', pointer: '/capability/aggregates/0/functions/1' });
  });
});
