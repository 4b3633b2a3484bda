// `pnpm bench`: every WeCom benchmark in one run, each against a baseline measured in the same run.
// Needs `pnpm build` first (it imports dist/) and `node --expose-gc` for the memory figures.
import { runBenchmarks } from '@hermes/adapter-testkit/bench';

const all = {
  'round-trip': () => import('./round-trip.mjs'),
  burst: () => import('./burst.mjs'),
  'burst-throughput': () => import('./burst-throughput.mjs'),
  aes: () => import('./aes.mjs'),
  upload: () => import('./upload.mjs'),
  'reconnect-memory': () => import('./reconnect-memory.mjs'),
};
if (!globalThis.gc) console.warn('(run with node --expose-gc for stable memory figures)');
await runBenchmarks(all);
