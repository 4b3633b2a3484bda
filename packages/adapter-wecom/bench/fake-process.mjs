// The fake WeCom gateway in its own process, so that the side under test (adapter or raw client) has the
// main process to itself and its memory is measured alone. Driven over IPC by the benchmarks.
import { performance } from 'node:perf_hooks';
import { startWecomFakeServer } from '../dist/testing/index.js';

const fake = await startWecomFakeServer({ refuseProactiveGroupSends: false });

/** Keeps `inflight` callbacks outstanding until `total` got their reply; latency = callback out → reply in. */
function roundTrips({ total, inflight, warmup, users }) {
  return new Promise((resolve) => {
    const sentAt = new Map();
    const latencies = [];
    let next = 0;
    let done = 0;
    let errors = 0;
    let startedAt = 0;
    const cpuAtStart = process.cpuUsage();
    const deliverOne = () => {
      const i = next++;
      const { msgid } = fake.deliverText(`question ${i}`, {
        from: `user${i % users}`,
        msgid: `rt-${i}-${Math.random()}`,
      });
      sentAt.set(msgid, performance.now());
    };
    const off = fake.onReply((reply) => {
      if (reply.errcode !== 0) errors++;
      const t0 = sentAt.get(reply.inReplyTo);
      if (t0 === undefined) return;
      sentAt.delete(reply.inReplyTo);
      done++;
      if (done === warmup) startedAt = performance.now();
      if (done > warmup) latencies.push(performance.now() - t0);
      if (next < total) deliverOne();
      if (done === total) {
        off();
        const seconds = (performance.now() - startedAt) / 1000;
        latencies.sort((a, b) => a - b);
        const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
        const cpu = process.cpuUsage(cpuAtStart);
        resolve({
          perSecond: latencies.length / seconds,
          p50: pick(0.5),
          p99: pick(0.99),
          errors,
          // The fake's own CPU per round trip: if it differs between the two sides, the fake is part of the gap.
          fakeCpuUsPerMessage: (cpu.user + cpu.system) / total,
        });
      }
    });
    for (let i = 0; i < inflight; i++) deliverOne();
  });
}

/**
 * `total` callbacks written at once (a backlog flushed after a reconnect, a group storm), then the time until
 * every one of them got its reply. msgs/s = total / (first callback written → last reply in).
 */
function burstAll({ total, users, tag, timeoutMs = 60_000 }) {
  return new Promise((resolve, reject) => {
    const waiting = new Set();
    let errors = 0;
    const cpuAtStart = process.cpuUsage();
    const started = performance.now();
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(`burst ${tag}: ${waiting.size} of ${total} callbacks unanswered after ${timeoutMs} ms`),
      );
    }, timeoutMs);
    const off = fake.onReply((reply) => {
      if (!waiting.delete(reply.inReplyTo)) return;
      if (reply.errcode !== 0) errors++;
      if (waiting.size > 0) return;
      clearTimeout(timer);
      off();
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuAtStart);
      resolve({
        perSecond: total / seconds,
        seconds,
        errors,
        fakeCpuUsPerMessage: (cpu.user + cpu.system) / total,
      });
    });
    for (let i = 0; i < total; i++) {
      const { msgid } = fake.deliverText(`${tag} ${i}`, { from: `user${i % users}`, msgid: `${tag}-${i}` });
      waiting.add(msgid);
    }
  });
}

/** `rate` text callbacks per second for `seconds`, from `users` users, on a 10 ms schedule that catches up. */
async function burst({ rate, seconds, users, tag }) {
  const total = rate * seconds;
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + rate / 100);
    for (; sent < due; sent++)
      fake.deliverText(`${tag}:${sent}`, { from: `u${sent % users}`, msgid: `${tag}-${sent}` });
    await new Promise((r) => setTimeout(r, 10));
  }
  return { total, seconds: (performance.now() - started) / 1000 };
}

/** What landed for one burst: pieces answered (batched texts hold several), passive vs proactive, refusals. */
function replySummary({ tag }) {
  const mine = fake.replies.filter((r) => String(r.content).includes(`${tag}:`));
  const accepted = mine.filter((r) => r.errcode === 0);
  const pieces = new Set(
    accepted.flatMap((r) => String(r.content).match(new RegExp(`${tag}:\\d+`, 'g')) ?? []),
  );
  return {
    passive: accepted.filter((r) => r.via === 'respond').length,
    proactive: accepted.filter((r) => r.via === 'send').length,
    refused: mine.length - accepted.length,
    piecesAnswered: pieces.size,
  };
}

async function dropCycles({ cycles }) {
  for (let i = 0; i < cycles; i++) {
    const before = fake.subscriptions.filter((s) => s.errcode === 0).length;
    fake.dropConnections(i % 2 === 0 ? 'terminate' : 'close');
    await fake.waitForSubscribe(before + 1, 10_000);
  }
  // Keep the recordings from growing across phases.
  fake.frames.length = 0;
  fake.replies.length = 0;
  return {
    subscriptions: fake.subscriptions.length,
    deviceIds: new Set(fake.subscriptions.map((s) => s.deviceId)).size,
  };
}

process.on('message', async (msg) => {
  try {
    let result;
    if (msg.type === 'roundtrip') result = await roundTrips(msg);
    else if (msg.type === 'drop-cycles') result = await dropCycles(msg);
    else if (msg.type === 'burst') result = await burst(msg);
    else if (msg.type === 'burst-all') result = await burstAll(msg);
    else if (msg.type === 'host-media') {
      const { randomBytes } = await import('node:crypto');
      result = fake.hostMedia(randomBytes(msg.bytes), { aeskey: msg.aeskey, filename: msg.filename });
    } else if (msg.type === 'reply-summary') result = replySummary(msg);
    else if (msg.type === 'wait-subscribed') result = await fake.waitForSubscribe(msg.count, 10_000);
    else if (msg.type === 'uploads') {
      result = [...fake.uploads.values()].map((u) => ({
        chunks: u.arrival.length,
        size: u.totalSize,
        done: Boolean(u.mediaId),
      }));
    } else if (msg.type === 'close') {
      await fake.close();
      process.send({ id: msg.id, result: null }, () => process.exit(0));
      return;
    }
    process.send({ id: msg.id, result });
  } catch (error) {
    process.send({ id: msg.id, error: String(error) });
  }
});
process.send({ type: 'ready', url: fake.url, botId: fake.botId, secret: fake.secret });
