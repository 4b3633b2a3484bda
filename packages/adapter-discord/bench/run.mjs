// Inbound → reply round trips through discord.js + the Hermes adapter, against a bare loopback
// WebSocket + node:http client doing the same exchange on the same fake, in the same run.
// Run after `pnpm build`: `node bench/run.mjs [--quick]`.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { MediaCache, silentLogger } from '@hermes/adapter-core';
import { WebSocket } from 'ws';
import { DiscordAdapter } from '../dist/index.js';

const quick = process.argv.includes('--quick');
const SEQUENTIAL = quick ? 200 : 1000;
const CONCURRENT = quick ? 600 : 3000;
const WINDOW = 32;
const CHANNELS = 16; // as in fake-worker.mjs
const WARMUP = 100;
const ROUNDS = quick ? 1 : 3;

/** Starts the fake in a worker thread; `post` hands it a user message to dispatch. */
async function startFakeWorker() {
  const worker = new Worker(new URL('./fake-worker.mjs', import.meta.url));
  const info = await new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', resolve);
  });
  return {
    ...info,
    post: (input) => worker.postMessage({ type: 'post', input }),
    close: () =>
      new Promise((resolve) => {
        worker.once('message', (m) => resolve(m.botMessages));
        worker.postMessage({ type: 'close' });
      }).finally(() => worker.terminate()),
  };
}

/**
 * Posts `count` messages, at most `window` waiting at a time, spread over `targets`; `answered(token)`
 * resolves when the client's reply for that token was accepted by the fake. Returns per-trip latencies.
 */
async function drive(fake, targets, count, window, pending) {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  const busyBefore = performance.eventLoopUtilization();
  async function lane(laneIndex) {
    while (next < count) {
      const i = next++;
      const target = targets[(laneIndex + i) % targets.length];
      const token = `t${i}-${Math.random().toString(36).slice(2, 8)}`;
      const done = new Promise((resolve) => pending.set(token, resolve));
      const t0 = performance.now();
      fake.post({ channelId: target.channelId, authorId: target.authorId, content: `ping ${token}` });
      await done;
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: window }, (_, l) => lane(l)));
  const seconds = (performance.now() - started) / 1000;
  // Time the client's thread was busy (the fake runs in a worker): the client's own cost per trip.
  const busy = performance.eventLoopUtilization(busyBefore);
  return { latencies, perSecond: count / seconds, busyMsPerTrip: busy.active / count };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * The baseline: a raw gateway client (HELLO, IDENTIFY, READY) and node:http with keep-alive for the reply.
 * It does less than the adapter must: replies to one channel go out at once, in no particular order, with
 * no nonce and no rate-limit bookkeeping, while discord.js's REST queue sends one request per channel
 * route at a time (it reads each answer's rate-limit headers before the next) and keeps replies in order.
 * With `inOrder` it keeps the guarantee the adapter gives: one reply per channel on the wire at a time,
 * the next sent when the previous one was answered, so replies in a chat land in the order they were made.
 */
async function bareClient(fake, pending, _mediaDir, { inOrder = false } = {}) {
  const agent = new Agent({ keepAlive: true });
  /** inOrder: replies of a channel waiting for the one on the wire to be answered. */
  const queues = new Map();
  function post(channelId, token, answered) {
    const body = JSON.stringify({ content: `pong ${token}` });
    const req = request(
      `${fake.apiBase}/v10/channels/${channelId}/messages`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bot ${fake.token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          JSON.parse(Buffer.concat(chunks).toString());
          pending.get(token)?.();
          answered();
        });
      },
    );
    req.end(body);
  }
  const socket = new WebSocket(`${fake.gatewayUrl}/?v=10&encoding=json`);
  let botId;
  const ready = new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.op === 10) {
        socket.send(
          JSON.stringify({
            op: 2,
            d: { token: fake.token, intents: (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15), properties: {} },
          }),
        );
      } else if (frame.op === 0 && frame.t === 'READY') {
        botId = frame.d.user.id;
        resolve();
      } else if (frame.op === 0 && frame.t === 'MESSAGE_CREATE' && frame.d.author.id !== botId) {
        const token = frame.d.content.slice('ping '.length);
        const channelId = frame.d.channel_id;
        if (!inOrder) {
          post(channelId, token, () => {});
          return;
        }
        const queue = queues.get(channelId);
        if (queue) queue.push(token);
        else {
          queues.set(channelId, []);
          post(channelId, token, function next() {
            const waiting = queues.get(channelId);
            const following = waiting?.shift();
            if (following === undefined) queues.delete(channelId);
            else post(channelId, following, next);
          });
        }
      }
    });
  });
  await ready;
  return {
    close: () => {
      socket.close();
      agent.destroy();
    },
  };
}

/** The measured path: discord.js client, the adapter's intake, ctx.receive, adapter.send(). */
async function adapterClient(fake, pending, mediaDir) {
  const adapter = new DiscordAdapter({
    token: fake.token,
    apiBase: fake.apiBase,
    autoThread: false,
    // Discord allows 50 requests/s per bot; lifted here so the bench measures overhead, not the cap.
    globalRequestsPerSecond: 1_000_000,
  });
  const controller = new AbortController();
  await adapter.start({
    receive: (msg) => {
      const token = msg.text.slice('ping '.length);
      adapter.send(msg.chat, { text: `pong ${token}` }).then((r) => {
        if (!r.ok) {
          console.error(`bench: a reply failed: ${r.error.message}`);
          process.exitCode = 1;
        }
        pending.get(token)?.();
      });
    },
    status: () => {},
    logger: silentLogger,
    mediaCache: new MediaCache({ dir: mediaDir }),
    signal: controller.signal,
  });
  return { close: () => adapter.stop() };
}

async function measure(name, connect) {
  const fake = await startFakeWorker();
  const pending = new Map();
  const mediaDir = await mkdtemp(join(tmpdir(), 'discord-bench-'));
  let client;
  let result;
  let replies;
  try {
    client = await connect(fake, pending, mediaDir);
    await drive(fake, fake.targets, WARMUP, 4, pending);
    const sequential = await drive(fake, [fake.targets[0]], SEQUENTIAL, 1, pending);
    const concurrent = await drive(fake, fake.targets, CONCURRENT, WINDOW, pending);
    result = { name, sequential, concurrent };
  } finally {
    await client?.close();
    replies = await fake.close();
    await rm(mediaDir, { recursive: true, force: true });
  }
  const expected = WARMUP + SEQUENTIAL + CONCURRENT;
  if (replies !== expected)
    throw new Error(`${name}: the fake stored ${replies} replies, expected ${expected}`);
  return result;
}

/**
 * Each client is measured ROUNDS times, the clients taking turns, and each row is the client's median
 * run (by trips/s) for that workload: the 2 cores here are shared, and one run per client let a burst of
 * someone else's work land on one client only (identical workloads differed by up to 1.4× that way).
 */
const clients = [
  ['bare ws + node:http', bareClient],
  ['bare, in order per channel', (fake, pending, dir) => bareClient(fake, pending, dir, { inOrder: true })],
  ['discord.js + adapter', adapterClient],
];
const runs = clients.map(() => []);
for (let round = 0; round < ROUNDS; round += 1) {
  for (let k = 0; k < clients.length; k += 1) {
    const i = (k + round) % clients.length;
    const [name, connect] = clients[i];
    runs[i].push(await measure(name, connect));
  }
}
const medianRun = (list, kind) => {
  const sorted = list.map((run) => run[kind]).sort((a, b) => a.perSecond - b.perSecond);
  return sorted[Math.floor(sorted.length / 2)];
};
const [baseline, ordered, adapter] = clients.map(([name], i) => ({
  name,
  sequential: medianRun(runs[i], 'sequential'),
  concurrent: medianRun(runs[i], 'concurrent'),
}));
const rows = [];
for (const [kind, label] of [
  ['sequential', `sequential (1 in flight, ${SEQUENTIAL} trips)`],
  ['concurrent', `concurrent (${WINDOW} in flight over ${CHANNELS} channels, ${CONCURRENT} trips)`],
]) {
  for (const run of [baseline, ordered, adapter]) {
    const r = run[kind];
    const base = baseline[kind];
    const fair = ordered[kind];
    rows.push({
      workload: label,
      client: run.name,
      'trips/s': r.perSecond.toFixed(0),
      'p50 ms': percentile(r.latencies, 50).toFixed(2),
      'p99 ms': percentile(r.latencies, 99).toFixed(2),
      'trips/s vs bare': (r.perSecond / base.perSecond).toFixed(2),
      'vs bare in order': (r.perSecond / fair.perSecond).toFixed(2),
      'p99 vs bare': (percentile(r.latencies, 99) / percentile(base.latencies, 99)).toFixed(2),
      'client CPU ms/trip': r.busyMsPerTrip.toFixed(3),
      'CPU vs bare': (r.busyMsPerTrip / base.busyMsPerTrip).toFixed(2),
    });
  }
}
console.log(
  `Node ${process.version}, loopback fake Discord (REST + gateway on 127.0.0.1), ${quick ? 'quick' : 'full'} run, median of ${ROUNDS} run(s) per client`,
);
console.table(rows);
console.log(
  'trips/s and latency include the fake (one worker thread); "client CPU ms/trip" is the main thread alone.',
);
console.log(
  '"bare, in order per channel" keeps the adapter\'s guarantee (one reply per channel on the wire at a time); "bare ws + node:http" does not.',
);
