// The Meta side in its own process, so it does not share the event loop with what is measured: the fake
// Graph API plus a webhook sender that POSTs signed DMs and times until every reply reached the fake.
import { startFakeWhatsappServer } from '../dist/testing/index.js';

export const APP_SECRET = 'bench-app-secret';
const fake = await startFakeWhatsappServer({ appSecret: APP_SECRET });
// Counted incrementally: filtering the whole request log on every poll would be what the bench measures.
let scanned = 0;
let replies = 0;
const sends = () => {
  const log = fake.server.requests;
  for (; scanned < log.length; scanned++)
    if (log[scanned].method === 'POST' && log[scanned].path.endsWith('/messages')) replies++;
  return replies;
};

async function run({ target, total, concurrency, tag }) {
  fake.webhookUrl = target;
  const before = sends();
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const n = next++;
      const user = { waId: String(16_000_000_000 + n) };
      try {
        await fake.deliverDm(`${tag} ${n}`, user);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const deadline = Date.now() + 60_000;
  while (sends() - before < total - errors && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 2));
  const seconds = (performance.now() - started) / 1000;
  const answered = sends() - before;
  // The fake keeps every request; forget them between runs so memory stays flat.
  fake.server.requests.length = 0;
  scanned = 0;
  return { perSecond: answered / seconds, replies: answered, errors };
}

process.on('message', async (msg) => {
  try {
    if (msg.type === 'run') process.send({ id: msg.id, result: await run(msg) });
    if (msg.type === 'close') {
      await fake.close();
      process.send({ id: msg.id, result: true });
      process.exit(0);
    }
  } catch (error) {
    process.send({ id: msg.id, error: String(error) });
  }
});
process.send({
  url: fake.url,
  phoneNumberId: fake.phoneNumberId,
  accessToken: fake.accessToken,
  appSecret: APP_SECRET,
});
