// 5,000 callbacks written at once, each answered with one reply: how long until every reply landed,
// against a raw ws client answering the same frames over the same loopback fake in the same run.
import { adapterClient, rawClient } from './echo-clients.mjs';
import { fmt, startFakeProcess } from './support.mjs';

const TOTAL = 5_000;
const WARMUP = 1_000;
const ROUNDS = 3;
const USERS = 100;

/** One warm-up burst, then ROUNDS measured bursts; msgs/s over the measured ones together. */
async function bursts(fake, tag) {
  await fake.call('burst-all', { total: WARMUP, users: USERS, tag: `${tag}-warm` });
  let seconds = 0;
  let errors = 0;
  let fakeCpu = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const r = await fake.call('burst-all', { total: TOTAL, users: USERS, tag: `${tag}-${round}` });
    seconds += r.seconds;
    errors += r.errors;
    fakeCpu += r.fakeCpuUsPerMessage / ROUNDS;
  }
  return { perSecond: (TOTAL * ROUNDS) / seconds, msPerBurst: (1000 * seconds) / ROUNDS, errors, fakeCpu };
}

export async function run() {
  const fake = await startFakeProcess();
  try {
    const raw = await rawClient(fake);
    await fake.call('wait-subscribed', { count: 1 });
    const baseline = await bursts(fake, 'raw');
    raw.close();
    const client = await adapterClient(fake);
    await fake.call('wait-subscribed', { count: 2 });
    const measured = await bursts(fake, 'adapter');
    const stats = client.adapter.stats().send;
    await client.close();
    const line = (label, r) =>
      `${label}${fmt(r.perSecond, 0)}/s, ${fmt(r.msPerBurst, 0)} ms per burst (errors ${r.errors}; fake ${fmt(r.fakeCpu, 1)} µs CPU per callback)`;
    return {
      name: `burst of ${TOTAL.toLocaleString('en')} callbacks from ${USERS} users, every one answered`,
      lines: [
        line('raw ws client: ', baseline),
        line('adapter:       ', measured),
        `(adapter replies passive ${stats.passive}, proactive ${stats.proactive})`,
        `ratio adapter/raw: ${fmt(measured.perSecond / baseline.perSecond, 2)}x`,
      ],
    };
  } finally {
    await fake.close();
  }
}
