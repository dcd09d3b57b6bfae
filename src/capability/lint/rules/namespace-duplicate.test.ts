import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { namespaceDuplicate as rule } from './namespace-duplicate.js';

describe('namespace-duplicate', () => {
  it('accepts distinct namespaces, and the same namespace in two files', () => {
    expect(lint(rule, BASE, BASE)).toEqual([]);
  });

  it('reports clashes across consumes, exposes, binds and aggregates', () => {
    const yaml = variant((doc) => {
      at.mcp(doc).namespace = 'api';
      doc.binds[0].namespace = 'api-rest';
      doc.capability.aggregates = [{ namespace: 'api', functions: [] }];
    });
    const found = lint(rule, yaml);
    expect(found.map((d) => d.pointer)).toEqual(['/capability/exposes/1', '/binds/0', '/capability/aggregates/0']);
    expect(found.every((d) => d.severity === 'error')).toBe(true);
    expect(found[0]!.message).toContain('already used by the consumed API');
  });
});
