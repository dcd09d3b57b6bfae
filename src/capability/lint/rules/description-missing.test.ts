import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { descriptionMissing as rule } from './description-missing.js';

describe('description-missing', () => {
  it('accepts described units', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('uses info for consumes and REST, warning for MCP tools and aggregate functions', () => {
    const yaml = variant((doc) => {
      delete at.api(doc).description;
      delete at.rest(doc).resources[0].description;
      delete at.restOp(doc).description;
      delete at.tool(doc).description;
      doc.capability.aggregates = [{ namespace: 'agg', functions: [{ name: 'f', call: 'api.get-item' }] }];
    });
    expect(lint(rule, yaml).map((d) => [d.pointer, d.severity])).toEqual([
      ['/capability/consumes/0', 'info'],
      ['/capability/exposes/0/resources/0', 'info'],
      ['/capability/exposes/0/resources/0/operations/0', 'info'],
      ['/capability/exposes/1/tools/0', 'warning'],
      ['/capability/aggregates/0/functions/0', 'warning'],
    ]);
  });

  it('does not ask a ref unit for a description (it inherits one)', () => {
    const yaml = variant((doc) => {
      const tool = at.tool(doc);
      delete tool.description;
      delete tool.call;
      tool.ref = 'agg.f';
    });
    expect(lint(rule, yaml)).toEqual([]);
  });
});
