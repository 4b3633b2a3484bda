// Callback → adapter → reply frame round trips with 100 in flight, against a raw ws client answering the
// same frames over the same loopback fake in the same run.
import { adapterClient, rawClient } from './echo-clients.mjs';
import { fmt, startFakeProcess } from './support.mjs';

const TOTAL = 22_000;
const WARMUP = 2_000;
const INFLIGHT = 100;
const USERS = 100;

export async function run() {
  const fake = await startFakeProcess();
  try {
    const raw = await rawClient(fake);
    await fake.call('wait-subscribed', { count: 1 });
    const baseline = await fake.call('roundtrip', {
      total: TOTAL,
      inflight: INFLIGHT,
      warmup: WARMUP,
      users: USERS,
    });
    raw.close();
    const client = await adapterClient(fake);
    await fake.call('wait-subscribed', { count: 2 });
    const measured = await fake.call('roundtrip', {
      total: TOTAL,
      inflight: INFLIGHT,
      warmup: WARMUP,
      users: USERS,
    });
    const stats = client.adapter.stats().send;
    await client.close();
    return {
      name: 'round trips, 100 in flight',
      lines: [
        `raw ws client: ${fmt(baseline.perSecond, 0)}/s, p50 ${fmt(baseline.p50, 2)} ms, p99 ${fmt(baseline.p99, 2)} ms`,
        `adapter:       ${fmt(measured.perSecond, 0)}/s, p50 ${fmt(measured.p50, 2)} ms, p99 ${fmt(measured.p99, 2)} ms (passive ${stats.passive}, proactive ${stats.proactive}, errors ${measured.errors})`,
        `ratio adapter/raw: ${fmt(measured.perSecond / baseline.perSecond, 2)}x, p99 ${fmt(measured.p99 / baseline.p99, 2)}x (aim 0.8x or better with p99 within 1.3x; the Python original about 0.1x)`,
      ],
    };
  } finally {
    await fake.close();
  }
}
