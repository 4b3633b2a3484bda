// `pnpm bench`: every SMS benchmark, each against a baseline measured in the same run. Needs `pnpm build`
// first (it imports dist/).
import { runBenchmarks } from '@hermes/adapter-testkit/bench';

const all = {
  'webhook-reply': () => import('./webhook-reply.mjs'),
};
await runBenchmarks(all);
