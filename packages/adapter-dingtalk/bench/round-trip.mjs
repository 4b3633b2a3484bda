// Robot message → adapter → session-webhook reply round trips with 100 in flight, against a bare client
// speaking the same Stream frames and webhook calls to the same fake in the same run.
import WebSocket from 'ws';
import { createDingtalkAdapter } from '../dist/index.js';
import { benchContext, fmt, startFakeProcess } from './support.mjs';

const TOTAL = 22_000;
const WARMUP = 2_000;
const INFLIGHT = 100;

/** The baseline: ticket, socket, then for each CALLBACK an ack and a webhook POST, nothing else. */
async function bareClient(fake) {
  const res = await fetch(`${fake.url}/v1.0/gateway/connections/open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      subscriptions: [{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' }],
    }),
  });
  const { endpoint, ticket } = await res.json();
  const socket = new WebSocket(`${endpoint}?ticket=${ticket}`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type !== 'CALLBACK') return;
    const msg = JSON.parse(frame.data);
    socket.send(
      JSON.stringify({
        code: 200,
        headers: { messageId: frame.headers.messageId },
        message: 'OK',
        data: '{}',
      }),
    );
    void fetch(msg.sessionWebhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        msgtype: 'markdown',
        markdown: { title: 'Hermes', text: `echo ${msg.text.content.trim()}` },
      }),
    }).then((r) => r.arrayBuffer());
  });
  return { close: () => socket.close() };
}

async function adapterClient(fake) {
  const { ctx, cleanup } = benchContext();
  const adapter = createDingtalkAdapter({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    apiBase: fake.url,
    reactions: false,
  });
  ctx.receive = (msg) => {
    void adapter.send(msg.chat, { text: `echo ${msg.text}`, replyTo: msg.id });
  };
  await adapter.start(ctx);
  return {
    adapter,
    async close() {
      await adapter.stop();
      cleanup();
    },
  };
}

export async function run() {
  const fake = await startFakeProcess();
  try {
    const bare = await bareClient(fake);
    await fake.call('wait-online');
    const baseline = await fake.call('roundtrip', { total: TOTAL, inflight: INFLIGHT, warmup: WARMUP });
    bare.close();
    await new Promise((r) => setTimeout(r, 200));
    const client = await adapterClient(fake);
    await fake.call('wait-online');
    const measured = await fake.call('roundtrip', { total: TOTAL, inflight: INFLIGHT, warmup: WARMUP });
    const stats = client.adapter.stats().send;
    await client.close();
    return {
      name: 'round trips, 100 in flight',
      lines: [
        `bare ws client: ${fmt(baseline.perSecond, 0)}/s, p50 ${fmt(baseline.p50, 2)} ms, p99 ${fmt(baseline.p99, 2)} ms`,
        `adapter:        ${fmt(measured.perSecond, 0)}/s, p50 ${fmt(measured.p50, 2)} ms, p99 ${fmt(measured.p99, 2)} ms (webhook ${stats.webhook}, proactive ${stats.proactive}, refused ${measured.errors})`,
        `ratio adapter/bare: ${fmt(measured.perSecond / baseline.perSecond, 2)}x (aim 0.7x or better)`,
      ],
    };
  } finally {
    await fake.close();
  }
}
