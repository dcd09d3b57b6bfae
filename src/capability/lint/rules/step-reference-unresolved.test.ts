import { describe, expect, it } from 'vitest';
import { at, lint, variant } from '../testing.js';
import { stepReferenceUnresolved as rule } from './step-reference-unresolved.js';

const orchestrated = (steps: unknown[], mappings: unknown[] = []) =>
  variant((doc) => {
    const tool = at.tool(doc);
    delete tool.call;
    tool.steps = steps;
    tool.mappings = mappings;
  });
const call = { type: 'call', name: 'items', call: 'api.get-item' };
const lookup = (index: string) => ({ type: 'lookup', name: 'pick', index, match: 'id', lookupValue: '$.items.id', outputParameters: ['name'] });

describe('step-reference-unresolved', () => {
  it('accepts a lookup on an earlier call step and mappings of existing steps', () => {
    expect(lint(rule, orchestrated([call, lookup('items')], [{ targetName: 'name', value: '$.pick.name' }]))).toEqual([]);
  });

  it('reports a lookup index that is unknown or runs later (error)', () => {
    const [unknown] = lint(rule, orchestrated([call, lookup('itemz')]));
    expect(unknown).toMatchObject({ code: 'step-reference-unresolved', severity: 'error', pointer: '/capability/exposes/1/tools/0/steps/1' });
    expect(unknown!.hint).toBe('Did you mean `items`?');
    const [later] = lint(rule, orchestrated([lookup('items'), call]));
    expect(later!.message).toContain('only runs after it');
  });

  it('warns about a mapping that names no step', () => {
    const [d] = lint(rule, orchestrated([call], [{ targetName: 'x', value: '$.nope.x' }]));
    expect(d).toMatchObject({ severity: 'warning', pointer: '/capability/exposes/1/tools/0/mappings/0/value' });
  });
});
