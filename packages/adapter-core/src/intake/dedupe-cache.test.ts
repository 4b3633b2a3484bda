import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdapterError } from '../errors.js';
import { DedupeCache, dedupeKey } from './dedupe-cache.js';

function clock(start = 1_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('DedupeCache', () => {
  it('reports a key as seen the second time only', () => {
    const cache = new DedupeCache();
    expect(cache.seen('m1')).toBe(false);
    expect(cache.seen('m1')).toBe(true);
    expect(cache.seen('m2')).toBe(false);
    expect(cache.size).toBe(2);
  });

  it('forgets keys after the TTL and treats them as unseen', () => {
    const c = clock();
    const cache = new DedupeCache({ ttlMs: 1000, now: c.now });
    cache.mark('a');
    c.t += 999;
    expect(cache.has('a')).toBe(true);
    c.t += 1;
    expect(cache.has('a')).toBe(false);
    expect(cache.size).toBe(0);
    expect(cache.seen('a')).toBe(false);
  });

  it('refreshes an entry when a duplicate is seen, but has() does not', () => {
    const c = clock();
    const cache = new DedupeCache({ ttlMs: 1000, now: c.now });
    cache.mark('a');
    c.t += 600;
    expect(cache.has('a')).toBe(true); // no refresh
    expect(cache.seen('a')).toBe(true); // refresh at 600
    c.t += 900;
    expect(cache.has('a')).toBe(true);
    c.t += 100;
    expect(cache.has('a')).toBe(false);
  });

  it('evicts the least recently seen entry when full', () => {
    const cache = new DedupeCache({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c']) cache.mark(k);
    cache.seen('a'); // a is now the most recent
    cache.mark('d');
    expect(['a', 'b', 'c', 'd'].map((k) => cache.has(k))).toEqual([true, false, true, true]);
    expect(cache.size).toBe(3);
  });

  it('stays bounded under a long stream of keys', () => {
    const cache = new DedupeCache({ maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) cache.seen(`k${i}`);
    expect(cache.size).toBe(100);
    expect(cache.has('k9999')).toBe(true);
    expect(cache.has('k9899')).toBe(false);
  });

  it('deletes a key', () => {
    const cache = new DedupeCache();
    cache.mark('x');
    cache.delete('x');
    expect(cache.has('x')).toBe(false);
  });

  it('exports live entries and imports them into a fresh cache after a restart', () => {
    const c = clock(10_000);
    const before = new DedupeCache({ ttlMs: 1000, now: c.now });
    before.mark('old');
    c.t += 500;
    before.mark('new');
    const saved = JSON.parse(JSON.stringify(before.export())) as Array<[string, number]>;
    expect(saved).toEqual([
      ['old', 10_000],
      ['new', 10_500],
    ]);

    c.t += 600; // 'old' is now 1100 ms old: expired, 'new' is 600 ms old
    const after = new DedupeCache({ ttlMs: 1000, now: c.now });
    after.import(saved);
    expect(after.seen('old')).toBe(false);
    expect(after.seen('new')).toBe(true);
  });

  it('merges an import with what it already knows, skips malformed rows and trims to maxEntries', () => {
    const c = clock(5_000);
    const cache = new DedupeCache({ maxEntries: 3, ttlMs: 10_000, now: c.now });
    cache.mark('mine');
    const rows = [
      ['x', 4_000],
      ['y', 4_500],
      ['z', 4_900],
      ['mine', 1_000],
      ['bad', Number.NaN],
      [42, 4_000],
    ] as unknown as Array<[string, number]>;
    cache.import(rows);
    expect(cache.export().map(([k]) => k)).toEqual(['y', 'z', 'mine']);
    expect(cache.export().find(([k]) => k === 'mine')?.[1]).toBe(5_000);
  });

  it('clamps timestamps from the future so they still expire', () => {
    const c = clock(1_000);
    const cache = new DedupeCache({ ttlMs: 1000, now: c.now });
    cache.import([['skewed', 1_000_000]]);
    c.t += 1000;
    expect(cache.has('skewed')).toBe(false);
  });

  it('rejects bad options', () => {
    expect(() => new DedupeCache({ maxEntries: 0 })).toThrow(AdapterError);
    expect(() => new DedupeCache({ ttlMs: -1 })).toThrow(/ttlMs/);
  });

  it('builds unambiguous keys', () => {
    expect(dedupeKey('wecom', 'bot1', 'm')).not.toBe(dedupeKey('wecom', 'bot', '1|m'));
  });

  it('matches a plain reference model under random operations (property)', () => {
    type Op = { kind: 'seen' | 'mark' | 'has' | 'delete'; key: string; advance: number };
    const op = fc.record({
      kind: fc.constantFrom<Op['kind']>('seen', 'mark', 'has', 'delete'),
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'),
      advance: fc.integer({ min: 0, max: 400 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 5 }), (ops, maxEntries) => {
        const c = clock(0);
        const ttlMs = 1000;
        const cache = new DedupeCache({ maxEntries, ttlMs, now: c.now });
        // The model: an array in last-marked order, pruned by brute force.
        let model: Array<[string, number]> = [];
        const live = () => {
          model = model.filter(([, at]) => c.t - at < ttlMs);
          while (model.length > maxEntries) model.shift();
          return model;
        };
        for (const { kind, key, advance } of ops) {
          c.t += advance;
          const known = live().some(([k]) => k === key);
          if (kind === 'seen') expect(cache.seen(key)).toBe(known);
          if (kind === 'has') expect(cache.has(key)).toBe(known);
          if (kind === 'mark') cache.mark(key);
          if (kind === 'delete') cache.delete(key);
          if (kind === 'seen' || kind === 'mark') model = [...model.filter(([k]) => k !== key), [key, c.t]];
          if (kind === 'delete') model = model.filter(([k]) => k !== key);
          expect(cache.export()).toEqual(live());
        }
      }),
      { numRuns: 300 },
    );
  });
});
