// Shared by the benchmark scripts: the fake in a child process and a minimal AdapterContext.
import { fmt, forkBenchProcess, benchContext as sharedBenchContext } from '@hermes/adapter-testkit/bench';

export async function startFakeProcess() {
  const fake = forkBenchProcess(new URL('./fake-process.mjs', import.meta.url));
  const ready = await fake.ready;
  return { ...ready, call: fake.call, close: () => fake.call('close') };
}

export const benchContext = () => sharedBenchContext('dingtalk');

export { fmt };
