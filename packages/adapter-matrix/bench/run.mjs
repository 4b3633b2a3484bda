// `pnpm bench`: the Matrix benchmarks, each against a baseline measured in the same run.
// Needs `pnpm build` first (it imports dist/) and a Synapse chroot (tooling/ci/install-synapse.sh, root).
import { runBenchmarks } from '@hermes/adapter-testkit/bench';

const all = { 'round-trip': () => import('./round-trip.mjs') };
await runBenchmarks(all);
