import { expect, it } from 'vitest';
import { LabelMemo } from './label-memo.js';

it('works a value out once per adapter and operation (an absent operation is a label of its own)', () => {
  const memo = new LabelMemo<string>();
  let made = 0;
  const make = (v: string) => () => (made++, v);
  expect(memo.get('pay', 'create', make('a'))).toBe('a');
  expect(memo.get('pay', 'create', make('b'))).toBe('a');
  expect(memo.get('pay', undefined, make('c'))).toBe('c');
  expect(memo.get('pay', undefined, make('d'))).toBe('c');
  expect(memo.get('refunds', 'create', make('e'))).toBe('e');
  expect(made).toBe(3);
});
