// `pnpm bench`: every DingTalk benchmark, each against a baseline measured in the same run.
// Needs `pnpm build` first (it imports dist/).
import { runBenchmarks } from '@hermes/adapter-testkit/bench';

const all = {
  'round-trip': () => import('./round-trip.mjs'),
};
await runBenchmarks(all);
