// `pnpm bench`: each Feishu benchmark against a baseline measured in the same run. Needs `pnpm build` first.
import { runBenchmarks } from '@hermes/adapter-testkit/bench';

const all = {
  'round-trip': () => import('./round-trip.mjs'),
  'frame-decode': () => import('./frame-decode.mjs'),
};
await runBenchmarks(all);
