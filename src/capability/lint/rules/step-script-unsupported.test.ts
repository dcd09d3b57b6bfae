import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { stepScriptUnsupported as rule } from './step-script-unsupported.js';

describe('step-script-unsupported', () => {
  it('accepts call-only units', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('reports a script step', () => {
    const yaml = variant((doc) => {
      const tool = at.tool(doc);
      delete tool.call;
      tool.steps = [{ type: 'script', name: 'calc', language: 'javascript', file: 'calc.js' }];
    });
    const [d] = lint(rule, yaml);
    expect(d).toMatchObject({ code: 'step-script-unsupported', severity: 'error', pointer: '/capability/exposes/1/tools/0/steps/0' });
  });
});
