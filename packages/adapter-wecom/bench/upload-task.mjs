// One adapter, one file sent through the chunked upload pipeline to the fake at `url`; used by mem-probe.mjs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaCache, silentLogger } from '@hermes/adapter-core';
import { createWecomAdapter } from '../dist/index.js';

export async function uploadOnce({ url, botId, secret, path, kind }) {
  const dir = mkdtempSync(join(tmpdir(), 'wecom-upload-'));
  const controller = new AbortController();
  const adapter = createWecomAdapter({
    botId,
    secret,
    websocketUrl: url,
    dmPolicy: 'open',
    requestTimeoutMs: 60_000,
  });
  await adapter.start({
    receive: () => {},
    status: () => {},
    logger: silentLogger,
    mediaCache: new MediaCache({ dir }),
    signal: controller.signal,
  });
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
    controller.abort();
    rmSync(dir, { recursive: true, force: true });
  }
}
