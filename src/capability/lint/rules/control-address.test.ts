import { describe, expect, it } from 'vitest';
import { lint, variant } from '../testing.js';
import { controlAddress as rule } from './control-address.js';

describe('control-address', () => {
  it('accepts loopback addresses', () => {
    for (const address of ['localhost', '127.0.0.1']) {
      expect(lint(rule, variant((doc) => doc.capability.exposes.push({ type: 'control', port: 9999, address })))).toEqual([]);
    }
  });

  it('warns about a control adapter on all interfaces', () => {
    const [d] = lint(rule, variant((doc) => doc.capability.exposes.push({ type: 'control', port: 9999, address: '0.0.0.0' })));
    expect(d).toMatchObject({ code: 'control-address', severity: 'warning', pointer: '/capability/exposes/2/address' });
  });
});
