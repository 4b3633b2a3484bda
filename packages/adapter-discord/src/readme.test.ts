import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample, runReadmeExample, waitFor } from '@hermes/adapter-testkit';
import { afterEach, expect, it } from 'vitest';
import { startFakeDiscord } from './testing/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('the README bot runs verbatim against the fake: a mention with a file gets a threaded answer and reactions', async () => {
  const fake = await startFakeDiscord({ heartbeatIntervalMs: 500 });
  cleanups.push(() => fake.close());
  const dir = mkdtempSync(join(tmpdir(), 'hermes-discord-readme-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const bot = runReadmeExample({
    packageDir,
    code: readmeExample(join(packageDir, 'README.md'), /nothing but this package/),
    env: {
      DISCORD_BOT_TOKEN: fake.token,
      DISCORD_API_BASE: fake.apiBase,
      DISCORD_ALLOWED_USERS: fake.ids.users.alice,
      // The fake serves attachments from 127.0.0.1, which downloads refuse unless allowed.
      HERMES_MEDIA_ALLOW_PRIVATE: 'true',
      TMPDIR: dir,
    },
  });
  cleanups.push(() => bot.stop());
  await fake.waitForSession(15_000);

  const general = fake.ids.channels.general;
  fake.postMessage({ channelId: general, authorId: fake.ids.users.bob, content: 'me too', mentionBot: true });
  const ping = fake.postMessage({
    channelId: general,
    content: 'ping',
    mentionBot: true,
    attachments: [{ filename: 'notes.txt', bytes: Buffer.from('some notes'), contentType: 'text/plain' }],
  });
  const answer = await fake.waitForBotMessage((m) => m.content.startsWith('You said'), 10_000);
  expect(answer.content).toBe('You said **ping** and sent 1 file(s)');
  // The adapter opens a thread on every mention (Bob's too) before the bot sees it; the answer is in Alice's.
  expect(answer.threadId).toBeDefined();
  expect(answer.threadId).toBe(fake.threads.find((t) => t.messageId === ping.id)?.threadId);
  await waitFor(() => fake.reactions.length === 3, { timeoutMs: 5_000, what: 'three reaction changes' });
  expect(fake.reactions.map((r) => `${r.op} ${r.emoji}`)).toEqual(['add 👀', 'remove 👀', 'add ✅']);
  // Bob mentioned the bot first: not on DISCORD_ALLOWED_USERS, so no answer and no reaction for him.
  expect(fake.botMessages()).toHaveLength(1);
});
