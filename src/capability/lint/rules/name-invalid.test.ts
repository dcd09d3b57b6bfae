import { describe, expect, it } from 'vitest';
import { capabilityFrom, at, BASE, lint, variant } from '../testing.js';
import { nameInvalid as rule } from './name-invalid.js';

describe('name-invalid', () => {
  const odd = variant((doc) => {
    at.consumedOp(doc).name = 'v2-name}:end';
    at.restOp(doc).call = 'api.v2-name}:end';
    at.tool(doc).call = 'api.v2-name}:end';
  });

  it('accepts identifiers', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('warns about a consumed operation name with punctuation in the dialect mode', () => {
    const [d] = lint(rule, odd);
    expect(d).toMatchObject({ code: 'name-invalid', severity: 'warning', pointer: '/capability/consumes/0/resources/0/operations/0/name' });
    expect(d!.hint).toContain('`v2-name-end`');
  });

  it('leaves the name to the JSON Schema under --strict', () => {
    expect(rule.check([capabilityFrom(odd)], { strict: true })).toEqual([]);
  });
});
