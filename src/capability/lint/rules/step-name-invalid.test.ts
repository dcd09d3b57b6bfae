import { describe, expect, it } from 'vitest';
import { at, lint, variant } from '../testing.js';
import { stepNameInvalid as rule } from './step-name-invalid.js';

const withSteps = (...names: string[]) =>
  variant((doc) => {
    const tool = at.tool(doc);
    delete tool.call;
    tool.steps = names.map((name) => ({ type: 'call', name, call: 'api.get-item' }));
  });

describe('step-name-invalid', () => {
  it('accepts unique names of letters, digits, _ and -', () => {
    expect(lint(rule, withSteps('get-item', 'list_2'))).toEqual([]);
  });

  it('warns about dots/spaces and duplicates', () => {
    const found = lint(rule, withSteps('get.item', 'a', 'a'));
    expect(found.map((d) => [d.pointer, d.severity])).toEqual([
      ['/capability/exposes/1/tools/0/steps/0', 'warning'],
      ['/capability/exposes/1/tools/0/steps/2', 'warning'],
    ]);
  });
});
