import { describe, expect, it } from 'vitest';
import { BASE, lint, variant } from '../testing.js';
import { bindUnused as rule } from './bind-unused.js';

describe('bind-unused', () => {
  it('accepts used bind variables', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('notes (info) a key no template reads, at the key', () => {
    const [d, ...rest] = lint(rule, variant((doc) => (doc.binds[0].keys.SPARE = 'SPARE')));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'bind-unused', severity: 'info', pointer: '/binds/0/keys/SPARE' });
  });

  it('counts {{ns.X}} and bare {{X}} as uses', () => {
    const yaml = variant((doc) => {
      doc.binds.push({ namespace: 'vault', keys: { A: 'A', B: 'B' } });
      doc.capability.consumes[0].baseUri = 'https://{{vault.A}}.test.dev/{{B}}';
    });
    expect(lint(rule, yaml)).toEqual([]);
  });
});
