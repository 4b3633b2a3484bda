// Profiling helper: runs ONE side of the round-trip benchmark (adapter or raw) for longer, and prints the CPU
// time this process spent per message (less sensitive to other jobs on the machine than msgs/s).
//   node bench/profile-side.mjs adapter|raw [count]
//   node --cpu-prof bench/profile-side.mjs adapter        where the adapter's process spends its time
//   ALLOC_PROFILE=out.json node bench/profile-side.mjs     what it allocates, including garbage already collected

import { adapterClient, rawClient } from './echo-clients.mjs';
import { fmt, startFakeProcess } from './support.mjs';

const side = process.argv[2] ?? 'adapter';
const TOTAL = Number(process.argv[3] ?? 100_000);
const fake = await startFakeProcess();
const client = side === 'adapter' ? await adapterClient(fake) : await rawClient(fake);
const close = () => client.close();
await fake.call('wait-subscribed', { count: 1 });
// ALLOC_PROFILE=file: a sampling allocation profile that keeps objects the GC already collected (churn).
let session;
if (process.env.ALLOC_PROFILE) {
  const { Session } = await import('node:inspector/promises');
  session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}
const cpu0 = process.cpuUsage();
const r = await fake.call('roundtrip', { total: TOTAL, inflight: 100, warmup: 2000, users: 100 });
const cpu = process.cpuUsage(cpu0);
const perMsgUs = (cpu.user + cpu.system) / TOTAL;
console.log(
  side,
  `${fmt(r.perSecond, 0)}/s p50 ${fmt(r.p50, 2)} p99 ${fmt(r.p99, 2)}; this process ${fmt(perMsgUs, 1)} µs CPU per message (user ${fmt(cpu.user / TOTAL, 1)}, sys ${fmt(cpu.system / TOTAL, 1)}); fake ${fmt(r.fakeCpuUsPerMessage, 1)} µs`,
);
if (session) {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(process.env.ALLOC_PROFILE, JSON.stringify(profile));
}
await close();
await fake.close();
