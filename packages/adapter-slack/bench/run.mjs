// Inbound → reply round trips through the real @slack/socket-mode + @slack/web-api and the adapter,
// against a bare client doing the same exchange (apps.connections.open, WebSocket, ack, chat.postMessage)
// with `ws` and fetch, both against the same loopback fake in the same run. Run after `pnpm build`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MediaCache, silentLogger } from '@hermes/adapter-core';
import WebSocket from 'ws';
import { SlackAdapter } from '../dist/index.js';
import { startSlackFakeServer } from '../dist/testing/index.js';

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 1500);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 3000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 32);
const WARMUP = 200;
const CHANNELS = Array.from({ length: 8 }, (_, i) => `D0BENCH${i}`);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Each inbound message waits for its reply; returns per-message latencies (ms). */
async function sequential(fake, count, offset) {
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const text = `seq ${offset + i}`;
    const t0 = performance.now();
    const reply = fake.waitForPost((p) => p.text === `re: ${text}`, 10_000);
    fake.message({ channel: CHANNELS[i % CHANNELS.length], text });
    await reply;
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

/** WINDOW messages in flight at any time; returns round trips per second. */
async function concurrent(fake, count) {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const text = `con ${next++}`;
      const reply = fake.waitForPost((p) => p.text === `re: ${text}`, 20_000);
      fake.message({ channel: CHANNELS[next % CHANNELS.length], text });
      await reply;
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  return count / ((performance.now() - t0) / 1000);
}

async function bareClient(fake) {
  const open = await (
    await fetch(`${fake.apiUrl}apps.connections.open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.appToken}` },
    })
  ).json();
  const ws = new WebSocket(open.url);
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type !== 'events_api') return;
    ws.send(JSON.stringify({ envelope_id: frame.envelope_id, payload: {} }));
    const event = frame.payload.event;
    void fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${fake.botToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ channel: event.channel, text: `re: ${event.text}` }).toString(),
    }).then((r) => r.arrayBuffer());
  });
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  return { close: async () => ws.close() };
}

async function adapterClient(fake) {
  const dir = mkdtempSync(join(tmpdir(), 'slack-bench-'));
  const adapter = new SlackAdapter({
    botToken: fake.botToken,
    appToken: fake.appToken,
    apiUrl: fake.apiUrl,
    // The bench measures the transport, not Slack's 1 message/s/channel pacing.
    sendRate: {
      perChannel: { capacity: 1e6, refillPerSecond: 1e6 },
      global: { capacity: 1e6, refillPerSecond: 1e6 },
    },
  });
  const controller = new AbortController();
  await adapter.start({
    receive: (msg) => void adapter.send(msg.chat, { text: `re: ${msg.text}` }),
    status: () => {},
    logger: silentLogger,
    mediaCache: new MediaCache({ dir }),
    signal: controller.signal,
  });
  return {
    close: async () => {
      await adapter.stop();
      controller.abort();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function measure(name, connect) {
  const fake = await startSlackFakeServer();
  const client = await connect(fake);
  try {
    await sequential(fake, WARMUP, 1e6);
    const latencies = (await sequential(fake, SEQUENTIAL, 0)).sort((a, b) => a - b);
    const total = latencies.reduce((a, b) => a + b, 0);
    const throughput = await concurrent(fake, CONCURRENT);
    return {
      name,
      seqPerSec: SEQUENTIAL / (total / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      conPerSec: throughput,
    };
  } finally {
    await client.close();
    await fake.close();
  }
}

const baseline = await measure('bare ws + fetch (baseline)', bareClient);
const adapter = await measure('SlackAdapter (socket-mode + web-api)', adapterClient);
const fmt = (n, d = 0) => n.toFixed(d).padStart(9);
console.log(
  `\nSlack inbound → reply round trips, ${SEQUENTIAL} sequential and ${CONCURRENT} with ${WINDOW} in flight (Node ${process.version})\n`,
);
console.log('| client                                  | seq rt/s |  p50 ms |  p99 ms | conc rt/s |');
console.log('|-----------------------------------------|---------:|--------:|--------:|----------:|');
for (const r of [baseline, adapter]) {
  console.log(
    `| ${r.name.padEnd(39)} |${fmt(r.seqPerSec)} |${fmt(r.p50, 2)} |${fmt(r.p99, 2)} |${fmt(r.conPerSec)}  |`,
  );
}
console.log(
  `| ratio adapter / baseline                |${fmt(adapter.seqPerSec / baseline.seqPerSec, 2)} |${fmt(adapter.p50 / baseline.p50, 2)} |${fmt(adapter.p99 / baseline.p99, 2)} |${fmt(adapter.conPerSec / baseline.conPerSec, 2)}  |`,
);
