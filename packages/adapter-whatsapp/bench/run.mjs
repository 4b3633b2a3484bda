// `pnpm bench`: every WhatsApp benchmark, each against a baseline measured in the same run. Needs `pnpm build`.
import { runBenchmarks } from '@hermes/adapter-testkit/bench';

const all = {
  'webhook-reply': () => import('./webhook-reply.mjs'),
};
await runBenchmarks(all);
