// 5,000 callbacks written at once, each answered with one reply: how long until every reply landed,
// against a raw ws client answering the same frames over the same loopback fake in the same run.
import WebSocket from 'ws';
import { createWecomAdapter } from '../dist/index.js';
import { benchContext, fmt, startFakeProcess } from './support.mjs';

const TOTAL = 5_000;
const WARMUP = 1_000;
const ROUNDS = 3;
const USERS = 100;

/** The baseline: subscribe, then answer every callback with aibot_respond_msg, nothing else. */
async function rawClient(fake) {
  const socket = new WebSocket(fake.url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(
    JSON.stringify({
      cmd: 'aibot_subscribe',
      headers: { req_id: 'subscribe-raw' },
      body: { bot_id: fake.botId, secret: fake.secret, device_id: 'raw' },
    }),
  );
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.cmd !== 'aibot_msg_callback') return;
    socket.send(
      JSON.stringify({
        cmd: 'aibot_respond_msg',
        headers: { req_id: frame.headers.req_id },
        body: { msgtype: 'markdown', markdown: { content: `echo ${frame.body.text.content}` } },
      }),
    );
  });
  return { close: () => socket.close() };
}

async function adapterClient(fake) {
  const { ctx, cleanup } = benchContext();
  const adapter = createWecomAdapter({
    botId: fake.botId,
    secret: fake.secret,
    websocketUrl: fake.url,
    dmPolicy: 'open',
    textBatching: false,
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
