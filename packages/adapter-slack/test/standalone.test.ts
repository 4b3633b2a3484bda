import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startSlackBot } from '../src/index.js';
import { type SlackFakeServer, startSlackFakeServer } from '../src/testing/index.js';
import { CHANNEL, testConfig } from './harness.js';

let fake: SlackFakeServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  fake = undefined;
  dir = undefined;
});

describe('startSlackBot (the README example)', () => {
  it('answers a channel mention in a thread under it', async () => {
    fake = await startSlackFakeServer();
    dir = await mkdtemp(join(tmpdir(), 'slack-bot-'));
    const bot = await startSlackBot(testConfig(fake), {
      logger: createMemoryLogger(),
      mediaDir: dir,
      onMessage: async (msg, reply) => {
        await reply(`You said: **${msg.text}**`);
      },
    });
    try {
      const [event] = fake.mention({ channel: CHANNEL, text: 'ping' });
      const post = await fake.waitForPost((p) => p.text === 'You said: *ping*');
      expect(post.threadTs).toBe((event!.payload['event'] as { ts: string }).ts);
    } finally {
      await bot.stop();
    }
  });
});
