// The fake DingTalk in its own process, so the side under test (adapter or bare client) has the main process
// to itself. Driven over IPC by round-trip.mjs.
import { performance } from 'node:perf_hooks';
import { startFakeDingtalkServer } from '../dist/testing/index.js';

let onSend = () => {};
const users = Array.from({ length: 100 }, (_, i) => `user${i}`);
const fake = await startFakeDingtalkServer({ users, onSend: (send) => onSend(send) });

/** Keeps `inflight` robot messages outstanding until `total` got their reply; latency = frame out → reply in. */
function roundTrips({ total, inflight, warmup }) {
  return new Promise((resolve) => {
    const sentAt = new Map();
    const latencies = [];
    let next = 0;
    let done = 0;
    let errors = 0;
    let startedAt = performance.now();
    const deliverOne = () => {
      const i = next++;
      const text = `question ${i}`;
      sentAt.set(`echo ${text}`, performance.now());
      void fake.deliverDm(text, { staffId: users[i % users.length] });
    };
    onSend = (send) => {
      if (!send.accepted) errors++;
      const t0 = sentAt.get(send.text);
      if (t0 === undefined) return;
      sentAt.delete(send.text);
      done++;
      if (done === warmup) startedAt = performance.now();
      if (done > warmup) latencies.push(performance.now() - t0);
      if (next < total) deliverOne();
      if (done === total) {
        onSend = () => {};
        const seconds = (performance.now() - startedAt) / 1000;
        latencies.sort((a, b) => a - b);
        const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
        resolve({ perSecond: latencies.length / seconds, p50: pick(0.5), p99: pick(0.99), errors });
      }
    };
    for (let i = 0; i < inflight; i++) deliverOne();
  });
}

async function waitOnline(timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!fake.streamOnline) {
    if (Date.now() > until) throw new Error('no Stream connection came up');
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

process.on('message', async (msg) => {
  try {
    let result;
    if (msg.type === 'roundtrip') result = await roundTrips(msg);
    else if (msg.type === 'wait-online') result = await waitOnline();
    else if (msg.type === 'close') {
      await fake.close();
      result = true;
    }
    process.send({ id: msg.id, result });
    if (msg.type === 'close') process.disconnect();
  } catch (error) {
    process.send({ id: msg.id, error: String(error?.message ?? error) });
  }
});
process.send({ url: fake.url, clientId: fake.clientId, clientSecret: fake.clientSecret });
