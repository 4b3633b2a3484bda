import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample, runReadmeExample } from '@hermes/adapter-testkit';
import { afterEach, expect, it } from 'vitest';
import { startWecomFakeServer } from './testing/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = join(packageDir, 'README.md');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-wecom-readme-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

it('the README bot runs verbatim against the fake: a DM gets a passive markdown reply, "source" a file', async () => {
  const fake = await startWecomFakeServer();
  cleanups.push(() => fake.close());
  const code = readmeExample(readme, /nothing but this package/);
  const bot = runReadmeExample({
    packageDir,
    code,
    env: {
      WECOM_BOT_ID: fake.botId,
      WECOM_SECRET: fake.secret,
      WECOM_WEBSOCKET_URL: fake.url,
      TMPDIR: scratchDir(),
    },
  });
  cleanups.push(() => bot.stop());
  await fake.waitForSubscribe(1, 15_000);
  const { msgid } = fake.deliverText('hello', { from: 'alice' });
  const reply = await fake.waitForReply((r) => r.chatId === 'alice', 10_000);
  expect(reply).toMatchObject({ via: 'respond', inReplyTo: msgid, msgtype: 'markdown', errcode: 0 });
  expect(reply.content).toBe('You said **hello**');

  fake.deliverText('source', { from: 'alice' });
  const file = await fake.waitForReply((r) => r.chatId === 'alice' && r.mediaId !== undefined, 10_000);
  const upload = [...fake.uploads.values()].find((u) => u.mediaId === file.mediaId);
  const bytes = Buffer.concat(
    [...(upload?.chunks.entries() ?? [])].sort(([a], [b]) => a - b).map(([, c]) => c),
  );
  expect(bytes.toString()).toBe(code);
  await fake.waitForReply((r) => r.chatId === 'alice' && r.content === 'Here it is:', 5_000);
});

it('the README offline run works verbatim: it starts the bot, and the reply reaches the fake', async () => {
  const example = runReadmeExample({
    packageDir,
    code: readmeExample(readme, /Testing your bot offline/),
    env: { TMPDIR: scratchDir() },
  });
  cleanups.push(() => example.stop());
  await example.waitForOutput(/the bot answered \(respond\): You said \*\*hello\*\*/, 15_000);
});
