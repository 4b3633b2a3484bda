// `pnpm bench`: the model-call transport against Node's fetch and a bare node:http request, measured
// in the same run against the same fake model. Needs `pnpm build` first (it imports dist/).
// Usage: node bench/run.mjs [json|sse|agent]…   BENCH_CALLS=<calls per case> (default 1500)
import { runBenchmarks } from '@hermes/adapter-testkit/bench';

const all = {
  json: () => import('./model-calls.mjs').then((m) => ({ run: () => m.runClientCalls('json') })),
  sse: () => import('./model-calls.mjs').then((m) => ({ run: () => m.runClientCalls('sse') })),
  agent: () => import('./model-calls.mjs').then((m) => ({ run: () => m.runAgentTurns() })),
};
await runBenchmarks(all);
