// Cost of decoding one long-connection event frame (pbbp2.Frame, protobufjs as the SDK uses it) and
// parsing its JSON payload, against parsing the same JSON alone (what a JSON-framed platform pays).
import { decodePbbp2Frame, encodePbbp2Frame, messageReceiveEvent } from '../dist/testing/index.js';

const payload = Buffer.from(
  JSON.stringify(
    messageReceiveEvent({
      appId: 'cli_a1b2c3d4e5f60718',
      eventId: 'ev_bench',
      messageId: 'om_bench',
      chatId: 'oc_bench',
      chatType: 'group',
      senderOpenId: 'ou_bench',
      messageType: 'text',
      content: { text: 'hello from the benchmark, a message of ordinary length' },
      mentions: [{ key: '@_user_1', id: { open_id: 'ou_bot' }, name: 'Bot' }],
    }),
  ),
);
const frame = encodePbbp2Frame({
  SeqID: 0,
  LogID: 0,
  service: 7,
  method: 1,
  headers: [
    { key: 'type', value: 'event' },
    { key: 'message_id', value: 'ev_bench' },
    { key: 'sum', value: '1' },
    { key: 'seq', value: '0' },
    { key: 'trace_id', value: 'tr' },
  ],
  payload,
});

function time(n, fn) {
  for (let i = 0; i < 2000; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n / 1000;
}

export async function run() {
  const n = 100_000;
  const framed = time(n, () => JSON.parse(Buffer.from(decodePbbp2Frame(frame).payload).toString('utf8')));
  const bare = time(n, () => JSON.parse(payload.toString('utf8')));
  return {
    name: `frame decode (${frame.length}-byte frame, ${payload.length}-byte payload, ${n} runs)`,
    lines: [
      `protobuf frame + JSON payload: ${framed.toFixed(2)} µs/frame`,
      `JSON payload alone (baseline): ${bare.toFixed(2)} µs`,
      `ratio: ${(framed / bare).toFixed(2)}× the cost of the JSON alone`,
    ],
  };
}
