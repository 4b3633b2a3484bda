// Inbound → reply round trips through the real SDK adapter vs a bare client speaking the same frames
// (protobuf over Node's WebSocket, REST with fetch) to the same fake in the same run: 100 in flight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaCache, silentLogger } from '@hermes/adapter-core';
import { createFeishuAdapter } from '../dist/index.js';
import { decodePbbp2Frame, encodePbbp2Frame, startFakeFeishuServer } from '../dist/testing/index.js';

const TOTAL = 3000;
const IN_FLIGHT = 100;

/** Pushes TOTAL DMs keeping IN_FLIGHT unanswered; resolves with throughput and latency percentiles. */
async function drive(fake) {
  const startedAt = new Map();
  const latencies = [];
  let pushed = 0;
  let done;
  const finished = new Promise((resolve) => {
    done = resolve;
  });
  const push = () => {
    const i = pushed++;
    startedAt.set(`m${i}`, performance.now());
    void fake.deliverDm(`m${i}`, { chatId: `oc_b${i % 1000}`, fromUserId: `ou_b${i % 1000}` });
  };
  const off = fake.onSent((m) => {
    const key = m.text?.replace(/^echo /, '');
    const t0 = startedAt.get(key);
    if (t0 === undefined) return;
    startedAt.delete(key);
    latencies.push(performance.now() - t0);
    if (pushed < TOTAL) push();
    else if (latencies.length === TOTAL) done();
  });
  const t0 = performance.now();
  for (let i = 0; i < IN_FLIGHT; i++) push();
  const timeout = setTimeout(() => done(), 120_000);
  await finished;
  clearTimeout(timeout);
  off();
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { perSecond: latencies.length / seconds, p50: p(0.5), p99: p(0.99), completed: latencies.length };
}

async function adapterRun() {
  const fake = await startFakeFeishuServer({ redeliverAfterMs: 60_000 });
  const dir = mkdtempSync(join(tmpdir(), 'feishu-bench-'));
  const controller = new AbortController();
  const adapter = createFeishuAdapter({
    appId: fake.appId,
    appSecret: fake.appSecret,
    domain: fake.url,
    textBatching: false,
    globalSendsPerSecond: 100_000,
    stateDir: join(dir, 'state'),
  });
  await adapter.start({
    receive: (msg) => void adapter.send(msg.chat, { text: `echo ${msg.text}`, replyTo: msg.id }),
    status: () => {},
    logger: silentLogger,
    mediaCache: new MediaCache({ dir: join(dir, 'media') }),
    signal: controller.signal,
  });
  try {
    return await drive(fake);
  } finally {
    await adapter.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bareRun() {
  const fake = await startFakeFeishuServer({ redeliverAfterMs: 60_000 });
  const post = async (path, body, token) => {
    const res = await fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return res.json();
  };
  const { tenant_access_token: token } = await post('/open-apis/auth/v3/tenant_access_token/internal', {
    app_id: fake.appId,
    app_secret: fake.appSecret,
  });
  const endpoint = await post('/callback/ws/endpoint', { AppID: fake.appId, AppSecret: fake.appSecret });
  const ws = new WebSocket(endpoint.data.URL);
  ws.binaryType = 'arraybuffer';
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  ws.send(
    encodePbbp2Frame({
      SeqID: 0,
      LogID: 0,
      service: 7,
      method: 0,
      headers: [{ key: 'type', value: 'ping' }],
    }),
  );
  ws.onmessage = (e) => {
    const frame = decodePbbp2Frame(new Uint8Array(e.data));
    if (frame.method !== 1) return;
    ws.send(encodePbbp2Frame({ ...frame, payload: Buffer.from('{"code":200}') }));
    const event = JSON.parse(Buffer.from(frame.payload).toString('utf8')).event;
    const text = JSON.parse(event.message.content).text;
    void post(
      `/open-apis/im/v1/messages/${event.message.message_id}/reply`,
      {
        msg_type: 'text',
        content: JSON.stringify({ text: `echo ${text}` }),
        uuid: `u-${event.message.message_id}`,
      },
      token,
    );
  };
  try {
    return await drive(fake);
  } finally {
    ws.close();
    await fake.close();
  }
}

export async function run() {
  const bare = await bareRun();
  const adapter = await adapterRun();
  const f = (r) =>
    `${r.perSecond.toFixed(0)} round trips/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms (${r.completed} done)`;
  return {
    name: `round trip: ${TOTAL} DMs, ${IN_FLIGHT} in flight`,
    lines: [
      `adapter (lark WSClient + lark.Client): ${f(adapter)}`,
      `bare protobuf client + fetch (baseline): ${f(bare)}`,
      `ratio: ${(adapter.perSecond / bare.perSecond).toFixed(2)}× the baseline's throughput (aim ≥ 0.7×)`,
    ],
  };
}
