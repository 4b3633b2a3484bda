import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { startTelegramBot } from '../src/index.js';
import { startFakeTelegram } from '../src/testing/index.js';

describe('startTelegramBot (the README example)', () => {
  it('runs an echo bot against the fake with nothing but this package', async () => {
    const fake = await startFakeTelegram();
    const dir = mkdtempSync(join(tmpdir(), 'hermes-telegram-standalone-'));
    const bot = await startTelegramBot(
      { token: fake.token, apiRoot: fake.apiRoot, stateDir: join(dir, 'state'), textBatching: false },
      {
        mediaDir: join(dir, 'media'),
        logger: createMemoryLogger(),
        onMessage: async (msg, reply) => {
          await reply(`You said: *${msg.text}*`);
        },
      },
    );
    try {
      fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'hello bot' });
      const answer = await waitFor(() => fake.sent.find((s) => s.chatId === fake.aliceDm.id), {
        what: 'the echo',
      });
      expect(answer.text).toBe('You said: <i>hello bot</i>');
      expect(answer.replyTo).toBeDefined();
    } finally {
      await bot.stop();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
