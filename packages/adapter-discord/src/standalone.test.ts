import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { startDiscordBot } from './standalone.js';
import { startFakeDiscord } from './testing/index.js';

describe('startDiscordBot', () => {
  it('runs a bot loop on the adapter alone: a mention in a server gets a threaded answer', async () => {
    const fake = await startFakeDiscord({ heartbeatIntervalMs: 250 });
    const mediaDir = await mkdtemp(join(tmpdir(), 'discord-bot-'));
    const bot = await startDiscordBot(
      { token: fake.token, apiBase: fake.apiBase },
      {
        mediaDir,
        logger: createMemoryLogger(),
        onMessage: async (msg, reply) => {
          await bot.adapter.react(msg.chat, msg.id, '👀');
          await reply(`You said: **${msg.text}**`);
          await bot.adapter.unreact(msg.chat, msg.id, '👀');
          await bot.adapter.react(msg.chat, msg.id, '✅');
        },
      },
    );
    try {
      fake.postMessage({ channelId: fake.ids.channels.general, content: 'ping', mentionBot: true });
      const answer = await fake.waitForBotMessage((m) => m.content === 'You said: **ping**', 5_000);
      expect(fake.threads).toHaveLength(1);
      expect(answer.threadId).toBe(fake.threads[0]!.threadId);
      await waitFor(() => fake.reactions.length === 3, { timeoutMs: 5_000, what: 'three reaction changes' });
      expect(fake.reactions.map((r) => `${r.op} ${r.emoji}`)).toEqual(['add 👀', 'remove 👀', 'add ✅']);
    } finally {
      await bot.stop();
      await fake.close();
      await rm(mediaDir, { recursive: true, force: true });
    }
  });
});
