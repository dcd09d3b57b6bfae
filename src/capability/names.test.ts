import { describe, expect, it } from 'vitest';
import { looseGet, looselyEqual, uniqueLooseMatch } from './names.js';

describe('loose name matching', () => {
  it.each([
    ['deviceId', 'deviceid', true],
    ['page_id', 'page-id', true],
    ['objectType', 'object_type', true],
    ['pageId', 'page', false],
  ])('%s ~ %s is %s', (a, b, expected) => {
    expect(looselyEqual(a, b)).toBe(expected);
  });

  it('returns the exact name first, else the single loose candidate', () => {
    expect(uniqueLooseMatch('deviceId', ['deviceid', 'x'])).toBe('deviceid');
    expect(uniqueLooseMatch('deviceId', ['deviceId', 'deviceid'])).toBe('deviceId');
  });

  it('refuses to guess between two loose candidates', () => {
    expect(uniqueLooseMatch('item_id', ['itemId', 'item-id'])).toBeUndefined();
    expect(looseGet({ itemId: 'a', 'item-id': 'b' }, 'item_id')).toBeUndefined();
    expect(looseGet({ itemid: 'a' }, 'itemId')).toBe('a');
  });
});
