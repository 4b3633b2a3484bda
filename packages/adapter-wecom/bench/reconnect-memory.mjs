// Heap after 1,000 server-side drops and reconnects compared with after 10: a leak per reconnect (timers,
// listeners, pending maps, closed sockets) would show as growth.
import WebSocket from 'ws';
import { createWecomAdapter } from '../dist/index.js';
import { benchContext, fmt, startFakeProcess } from './support.mjs';

function heapAfterGc() {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.external + m.arrayBuffers) / 2 ** 20;
}

/** Baseline: the same number of bare `ws` open/close cycles, no adapter code at all. */
async function bareWsGrowth(url) {
  const cycle = async () => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.close();
    await new Promise((resolve) => socket.once('close', resolve));
  };
  for (let i = 0; i < 10; i++) await cycle();
  const after10 = heapAfterGc();
  for (let i = 0; i < 990; i++) await cycle();
  return heapAfterGc() - after10;
}

export async function run() {
  const fake = await startFakeProcess();
  const { ctx, cleanup } = benchContext();
  const adapter = createWecomAdapter({
    botId: fake.botId,
    secret: fake.secret,
    websocketUrl: fake.url,
    dmPolicy: 'open',
    reconnectDelaysMs: [1],
  });
  try {
    await adapter.start(ctx);
    await fake.call('drop-cycles', { cycles: 10 });
    const after10 = heapAfterGc();
    const started = performance.now();
    const result = await fake.call('drop-cycles', { cycles: 990 });
    const seconds = (performance.now() - started) / 1000;
    const after1000 = heapAfterGc();
    const bare = await bareWsGrowth(fake.url);
    return {
      name: 'memory across 1,000 reconnect cycles',
      lines: [
        `live memory after 10 cycles ${fmt(after10, 2)} MB, after 1,000 cycles ${fmt(after1000, 2)} MB (growth ${fmt(after1000 - after10, 2)} MB, ${fmt(((after1000 - after10) * 1024) / 990, 2)} KB per cycle)`,
        `baseline, 990 bare ws open/close cycles in the same process: growth ${fmt(bare, 2)} MB`,
        `${result.subscriptions} subscriptions with ${result.deviceIds} device_id; 990 cycles took ${fmt(seconds)} s`,
      ],
    };
  } finally {
    await adapter.stop();
    cleanup();
    await fake.close();
  }
}
