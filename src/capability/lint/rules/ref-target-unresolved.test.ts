import { describe, expect, it } from 'vitest';
import { at, lint, variant } from '../testing.js';
import { refTargetUnresolved as rule } from './ref-target-unresolved.js';

const withAggregate = (ref: string) =>
  variant((doc) => {
    doc.capability.aggregates = [{ namespace: 'catalog', functions: [{ name: 'get-item', description: 'Get.', call: 'api.get-item' }] }];
    const tool = at.tool(doc);
    delete tool.call;
    delete tool.with;
    tool.ref = ref;
  });

describe('ref-target-unresolved', () => {
  it('accepts a ref to an existing aggregate function', () => {
    expect(lint(rule, withAggregate('catalog.get-item'))).toEqual([]);
  });

  it('reports an unknown function with the nearest ref', () => {
    const [d] = lint(rule, withAggregate('catalog.get-itm'));
    expect(d).toMatchObject({ code: 'ref-target-unresolved', severity: 'error', pointer: '/capability/exposes/1/tools/0' });
    expect(d!.hint).toBe('Did you mean `catalog.get-item`?');
  });

  it('says so when the file has no aggregates', () => {
    const [d] = lint(
      rule,
      variant((doc) => {
        at.tool(doc).ref = 'x.y';
      }),
    );
    expect(d!.hint).toContain('declares no aggregates');
  });
});
