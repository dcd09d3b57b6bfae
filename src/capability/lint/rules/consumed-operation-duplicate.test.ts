import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { consumedOperationDuplicate as rule } from './consumed-operation-duplicate.js';

describe('consumed-operation-duplicate', () => {
  it('accepts unique names', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('reports a second operation of the same name in another resource of the namespace', () => {
    const yaml = variant((doc) => {
      at.api(doc).resources.push({ name: 'others', path: '/others', operations: [{ name: 'get-item', method: 'GET' }] });
    });
    const [d, ...rest] = lint(rule, yaml);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'consumed-operation-duplicate', severity: 'error', pointer: '/capability/consumes/0/resources/1/operations/0' });
    expect(d!.message).toContain('`call: api.get-item` always reaches the first one');
  });

  it('allows the same operation name in two namespaces, and two files declaring the same namespace', () => {
    const twoApis = variant((doc) => {
      doc.capability.consumes.push({ ...at.api(doc), namespace: 'api2' });
    });
    expect(lint(rule, twoApis, BASE)).toEqual([]);
  });
});

describe('consumed-operation-duplicate severity', () => {
  it('is only a warning when nothing calls the duplicated name', () => {
    const yaml = variant((doc) => {
      at.api(doc).resources.push({ name: 'others', path: '/others', operations: [{ name: 'list', method: 'GET' }, { name: 'list', method: 'POST' }] });
    });
    expect(lint(rule, yaml).map((d) => d.severity)).toEqual(['warning']);
  });
});
