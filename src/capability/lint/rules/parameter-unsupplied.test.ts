import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { parameterUnsupplied as rule } from './parameter-unsupplied.js';

describe('parameter-unsupplied', () => {
  it('accepts optional parameters left out and required ones supplied', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('reports a required query parameter a caller never supplies', () => {
    const yaml = variant((doc) => {
      at.consumedOp(doc).inputParameters[1].required = true;
    });
    const found = lint(rule, yaml);
    expect(found).toHaveLength(1); // the REST operation supplies it; the MCP tool's with does not
    expect(found[0]).toMatchObject({ code: 'parameter-unsupplied', severity: 'error', pointer: '/capability/exposes/1/tools/0/call' });
    expect(found[0]!.hint).toContain('`expand: tools.expand`');
  });

  it('points at the authentication when the parameter duplicates its header', () => {
    const yaml = variant((doc) => {
      at.consumedOp(doc).inputParameters.push({ name: 'Authorization', in: 'header', required: true });
    });
    const found = lint(rule, yaml);
    expect(found).toHaveLength(2);
    expect(found[0]!.hint).toContain('already sends the authorization header');
  });

  it('leaves path placeholders to path-parameter-unsupplied', () => {
    expect(lint(rule, variant((doc) => delete at.restOp(doc).with.item_id))).toEqual([]);
  });
});
