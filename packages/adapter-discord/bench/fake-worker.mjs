// The fake Discord in its own thread, so the client under test gets the main thread to itself and
// the fake's own work does not count against it.
import { parentPort } from 'node:worker_threads';
import { startFakeDiscord } from '../dist/testing/index.js';

const CHANNELS = 16;
const fake = await startFakeDiscord();
const targets = [];
for (let i = 0; i < CHANNELS; i += 1) {
  const userId = `13000000000000${String(1000 + i).padStart(5, '0')}`;
  fake.world.addUser({ id: userId, username: `bench${i}` });
  const channel = fake.world.dmWith(userId, () => `14000000000000${String(1000 + i).padStart(5, '0')}`);
  targets.push({ channelId: channel.id, authorId: userId });
}
parentPort.on('message', async (message) => {
  if (message.type === 'post') fake.postMessage(message.input);
  if (message.type === 'close') {
    await fake.close();
    parentPort.postMessage({ type: 'closed', botMessages: fake.botMessages().length });
    parentPort.close();
  }
});
parentPort.postMessage({
  type: 'ready',
  apiBase: fake.apiBase,
  gatewayUrl: fake.gatewayUrl,
  token: fake.token,
  targets,
});
