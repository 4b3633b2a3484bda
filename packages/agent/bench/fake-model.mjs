// The fake model in its own process, so its CPU time is not counted against the client being measured.
import { startFakeOpenAI } from '../dist/testing/index.js';

const fake = await startFakeOpenAI({
  respond: () => ({ kind: 'stream', chunks: ['Hello', ' from', ' the', ' fake', ' model.'] }),
});
process.send({ baseURL: fake.baseURL });
process.on('message', async (msg) => {
  if (msg.type !== 'close') return;
  await fake.close();
  process.send({ id: msg.id, result: null });
  process.disconnect();
});
