import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AdapterContext,
  createMemoryLogger,
  type InboundMessage,
  MediaCache,
  type MemoryLogger,
} from '@hermes/adapter-core';
import { afterEach } from 'vitest';
import { createSmsAdapter, type SmsAdapter, type SmsConfigInput } from '../src/index.js';
import { type FakeTwilio, pickFreePort, startFakeTwilio } from '../src/testing/index.js';

export interface SmsRig {
  fake: FakeTwilio;
  adapter: SmsAdapter;
  /** The adapter's webhook URL (also its SMS_WEBHOOK_URL). */
  webhookUrl: string;
  received: InboundMessage[];
  logger: MemoryLogger;
  ctx: AdapterContext;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A started adapter wired to a fresh fake Twilio on 127.0.0.1; `onReceive` stands in for the host.
 * Everything is closed after the test.
 */
export async function startRig(
  o: {
    config?: Partial<SmsConfigInput>;
    onReceive?: (msg: InboundMessage, rig: SmsRig) => void;
    now?: () => number;
  } = {},
): Promise<SmsRig> {
  const fake = await startFakeTwilio();
  cleanups.push(() => fake.close());
  const port = await pickFreePort();
  const webhookUrl = `http://127.0.0.1:${port}/webhooks/twilio`;
  fake.setWebhookUrl(webhookUrl);
  const adapter = createSmsAdapter(
    {
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      phoneNumber: fake.phoneNumber,
      webhookPort: port,
      webhookUrl,
      apiBase: fake.url,
      allowPrivateMedia: true,
      ...o.config,
    },
    o.now ? { now: o.now } : {},
  );
  const dir = mkdtempSync(join(tmpdir(), 'sms-test-'));
  const controller = new AbortController();
  const logger = createMemoryLogger();
  const received: InboundMessage[] = [];
  const rig: SmsRig = {
    fake,
    adapter,
    webhookUrl,
    received,
    logger,
    ctx: {
      logger,
      signal: controller.signal,
      mediaCache: new MediaCache({ dir }),
      status: () => {},
      receive: (msg) => {
        received.push(msg);
        o.onReceive?.(msg, rig);
      },
    },
  };
  await adapter.start(rig.ctx);
  cleanups.push(async () => {
    await adapter.stop();
    controller.abort();
    rmSync(dir, { recursive: true, force: true });
  });
  return rig;
}
