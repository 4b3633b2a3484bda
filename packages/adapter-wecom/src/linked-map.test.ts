import { describe, expect, it } from 'vitest';
import { LinkedMap } from './linked-map.js';

const drain = <V>(map: LinkedMap<V>): V[] => {
  const out: V[] = [];
  for (let v = map.shiftOldest(); v !== undefined; v = map.shiftOldest()) out.push(v);
  return out;
};

describe('LinkedMap', () => {
  it('keeps insertion order; setting an existing key moves it to the newest end', () => {
    const map = new LinkedMap<number>();
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    map.set('a', 10);
    expect(map.size).toBe(3);
    expect(map.get('a')).toBe(10);
    expect(map.peekOldest()).toBe(2);
    expect(drain(map)).toEqual([2, 3, 10]);
    expect(map.size).toBe(0);
    expect(map.peekOldest()).toBeUndefined();
  });

  it('deletes from the middle and both ends without breaking the order', () => {
    const map = new LinkedMap<string>();
    for (const k of ['a', 'b', 'c', 'd', 'e']) map.set(k, k);
    expect(map.delete('c')).toBe(true);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('e')).toBe(true);
    expect(map.delete('nope')).toBe(false);
    expect(map.has('c')).toBe(false);
    map.set('f', 'f');
    expect(drain(map)).toEqual(['b', 'd', 'f']);
  });

  it('after a long first-in-first-out churn still hands out the oldest entry, like a plain array would', () => {
    const map = new LinkedMap<number>();
    const model: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      map.set(`k${i}`, i);
      model.push(i);
      if (map.size > 1_000) {
        expect(map.shiftOldest()).toBe(model.shift());
      }
      if (i % 7 === 0 && i >= 500) {
        const gone = model.indexOf(i - 500);
        expect(map.delete(`k${i - 500}`)).toBe(gone !== -1);
        if (gone !== -1) model.splice(gone, 1);
      }
    }
    expect(map.size).toBe(model.length);
    expect(drain(map)).toEqual(model);
  });

  it('clear() empties it', () => {
    const map = new LinkedMap<number>();
    map.set('a', 1);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get('a')).toBeUndefined();
    expect(map.shiftOldest()).toBeUndefined();
  });
});
