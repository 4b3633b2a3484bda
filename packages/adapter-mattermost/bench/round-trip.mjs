// DM post → bot → answer post round trips, through the adapter and through a bare ws + fetch client, on the
// same loopback fake in the same run. Lanes run in parallel (one DM channel each); each lane waits for its
// answer before the next post, so the figure is latency-bound like a real chat.
import { performance } from 'node:perf_hooks';
import { createTestContext } from '@hermes/adapter-testkit';
import WebSocket from 'ws';
import { createMattermostAdapter } from '../dist/index.js';
import { startFakeMattermostServer } from '../dist/testing/index.js';

const TOTAL = Number(process.env.BENCH_TOTAL ?? 3_000);
const WARMUP = 300;
const LANES = 20;

/** The baseline: authenticate the socket, answer every posted event with one fetch POST, nothing else. */
async function bareClient(fake) {
  const socket = new WebSocket(`${fake.server.wsUrl}/api/v4/websocket`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token: fake.token } }));
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.event !== 'posted') return;
    const post = JSON.parse(frame.data.post);
    if (post.user_id === fake.botUserId) return;
    void fetch(`${fake.url}/api/v4/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel_id: post.channel_id, message: `echo ${post.message}` }),
    }).then((res) => res.arrayBuffer());
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { close: () => socket.close() };
}

async function adapterClient(fake) {
  const context = createTestContext();
  const adapter = createMattermostAdapter({ url: fake.url, token: fake.token });
  context.ctx.receive = (msg) => {
    void adapter.send(msg.chat, { text: `echo ${msg.text}` });
  };
  await adapter.start(context.ctx);
  return {
    async close() {
      await adapter.stop();
      await context.cleanup();
    },
  };
}

/** Runs TOTAL round trips over LANES channels; resolves with per-trip latencies (ms) after the warm-up. */
async function measure(fake) {
  const waiting = new Map();
  const create = fake.store.createPost.bind(fake.store);
  fake.store.createPost = (input) => {
    const post = create(input);
    if (input.viaApi) waiting.get(post.channel_id)?.();
    return post;
  };
  const latencies = [];
  let next = 0;
  const lane = async (channel) => {
    fake.store.ensureChannel(channel, 'D');
    for (let i = next++; i < TOTAL; i = next++) {
      const answered = new Promise((resolve) => waiting.set(channel, resolve));
      const start = performance.now();
      await fake.deliverDm(`trip ${i}`, { chatId: channel });
      await answered;
      if (i >= WARMUP) latencies.push(performance.now() - start);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(`bench-${i}`)));
  const seconds = (performance.now() - started) / 1000;
  fake.store.createPost = create;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { perSecond: TOTAL / seconds, p50: at(0.5), p95: at(0.95) };
}

export async function run() {
  const bareFake = await startFakeMattermostServer();
  const bare = await bareClient(bareFake);
  const baseline = await measure(bareFake);
  bare.close();
  await bareFake.close();

  const fake = await startFakeMattermostServer();
  const client = await adapterClient(fake);
  const measured = await measure(fake);
  await client.close();
  await fake.close();

  const fmt = (r) =>
    `${r.perSecond.toFixed(0)} trips/s, p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms`;
  return {
    name: `round trips (${TOTAL} DMs over ${LANES} channels, ${WARMUP} warm-up)`,
    lines: [
      `bare ws + fetch: ${fmt(baseline)}`,
      `adapter:         ${fmt(measured)}`,
      `ratio adapter/bare: throughput ${(measured.perSecond / baseline.perSecond).toFixed(2)}x, p50 latency ${(measured.p50 / baseline.p50).toFixed(2)}x, p95 latency ${(measured.p95 / baseline.p95).toFixed(2)}x`,
    ],
  };
}
