// The two sides every WeCom throughput bench compares: a bare ws client that only answers callbacks,
// and the adapter answering the same callbacks through its whole outbound path.
import WebSocket from 'ws';
import { createWecomAdapter } from '../dist/index.js';
import { benchContext } from './support.mjs';

/** The baseline: subscribe, then answer every callback with aibot_respond_msg, nothing else. */
export async function rawClient(fake) {
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

export async function adapterClient(fake) {
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
