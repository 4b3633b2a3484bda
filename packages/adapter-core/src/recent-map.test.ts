import { describe, expect, it } from 'vitest';
import { RecentMap } from './recent-map.js';

describe('RecentMap', () => {
  it('forgets the oldest entries past its size; setting a key again makes it the newest', () => {
    const map = new RecentMap<number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 3);
    map.set('c', 4);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([3, undefined, 4]);
    expect(map.size).toBe(2);
  });

  it('take() hands a value out once', () => {
    const map = new RecentMap<string>(10);
    map.set('k', 'v');
    expect(map.take('k')).toBe('v');
    expect(map.take('k')).toBeUndefined();
  });
});
