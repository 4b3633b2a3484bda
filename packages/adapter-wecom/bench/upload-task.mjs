// One adapter, one file sent through the chunked upload pipeline to the fake at `url`; used by mem-probe.mjs.
import { benchContext } from '@hermes/adapter-testkit/bench';
import { createWecomAdapter } from '../dist/index.js';

export async function uploadOnce({ url, botId, secret, path, kind }) {
  const { ctx, cleanup } = benchContext('wecom-upload');
  const adapter = createWecomAdapter({
    botId,
    secret,
    websocketUrl: url,
    dmPolicy: 'open',
    requestTimeoutMs: 60_000,
  });
  await adapter.start(ctx);
  try {
    const started = performance.now();
    const result = await adapter.send(
      { platform: 'wecom', chatId: 'bench-user', chatType: 'dm' },
      { media: [{ kind, path }] },
    );
    if (!result.ok) throw new Error(result.error.message);
    return { sendSeconds: (performance.now() - started) / 1000 };
  } finally {
    await adapter.stop();
    cleanup();
  }
}
