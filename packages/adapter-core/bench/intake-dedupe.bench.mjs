// DedupeCache.seen() against baselines measured in the same run:
// - an unbounded Set (the floor: lookup + insert, no eviction, no TTL);
// - the naive bounded variant that evicts through a Map's insertion order (`keys().next()`), which V8
//   makes O(capacity) per eviction because the iterator walks over deleted slots.
// If DedupeCache is O(1), its ratio to the Set stays flat from 1 000 to 100 000 entries.
// Run after `pnpm build`: node bench/intake-dedupe.bench.mjs
import { DedupeCache } from '../dist/index.js';

const OPS = 300_000;

function keys(distinct) {
  // Every 10th key repeats a recent one, like platform redeliveries.
  const out = new Array(OPS);
  for (let i = 0; i < OPS; i++) out[i] = `m${i % 10 === 9 ? Math.max(0, (i % distinct) - 3) : i % distinct}`;
  return out;
}

function ms(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(fn, runs = 3) {
  fn(); // warm-up
  const times = Array.from({ length: runs }, () => ms(fn)).sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

const rows = [];
for (const capacity of [1_000, 10_000, 100_000]) {
  const input = keys(capacity * 2);
  const setMs = median(() => {
    const set = new Set();
    for (const k of input) if (!set.has(k)) set.add(k);
  });
  const cacheMs = median(() => {
    const cache = new DedupeCache({ maxEntries: capacity, ttlMs: 300_000 });
    for (const k of input) cache.seen(k);
  });
  // One run only, and not at 100 000 entries, where it takes tens of seconds.
  const naiveMs =
    capacity > 10_000
      ? Number.NaN
      : ms(() => {
          const map = new Map();
          for (const k of input) {
            if (map.has(k)) map.delete(k);
            map.set(k, 0);
            if (map.size > capacity) map.delete(map.keys().next().value);
          }
        });
  rows.push({
    capacity,
    'Set ms': setMs.toFixed(1),
    'DedupeCache ms': cacheMs.toFixed(1),
    'DedupeCache / Set': (cacheMs / setMs).toFixed(2),
    'naive Map-order ms': Number.isNaN(naiveMs) ? 'skipped' : naiveMs.toFixed(1),
    'naive / Set': Number.isNaN(naiveMs) ? '-' : (naiveMs / setMs).toFixed(2),
  });
}
console.log(`DedupeCache.seen() x ${OPS.toLocaleString('en')} keys, 10 % repeats (median of 3)`);
console.table(rows);
