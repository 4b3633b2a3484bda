// `pnpm bench`: the email benchmarks, each against a baseline measured in the same run. Needs `pnpm build`
// first (it imports dist/) and the real mail servers (tooling/ci/install-mail-servers.sh, run as root).
import { runBenchmarks } from '@hermes/adapter-testkit/bench';

await runBenchmarks({ 'round-trip': () => import('./round-trip.mjs') });
