import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample, runReadmeExample, waitFor } from '@hermes/adapter-testkit';
import { afterEach, expect, it } from 'vitest';
import { startFakeTelegram } from './testing/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = join(packageDir, 'README.md');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-telegram-readme-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

it('the README bot runs verbatim against the fake: it answers an allowed user (text and photo) and nobody else', async () => {
  const fake = await startFakeTelegram();
  cleanups.push(() => fake.close());
  const dir = scratchDir();
  const bot = runReadmeExample({
    packageDir,
    code: readmeExample(readme, /nothing but this package/),
    env: {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_ALLOWED_USERS: String(fake.alice.id),
      TELEGRAM_STATE_DIR: join(dir, 'state'),
      TMPDIR: dir,
    },
  });
  cleanups.push(() => bot.stop());
  await waitFor(() => fake.callsTo('getUpdates').length > 0, { timeoutMs: 15_000, what: 'the first poll' });

  fake.sendText({ chat: fake.bobDm, from: fake.bob, text: 'let me in' });
  fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'hello bot' });
  const answer = await waitFor(() => fake.sent.find((s) => s.chatId === fake.aliceDm.id), {
    timeoutMs: 10_000,
    what: 'the answer to Alice',
  });
  expect(answer.text).toBe('You said: <b>hello bot</b>');

  const photo = Buffer.from('readme example photo bytes');
  fake.sendMedia({ chat: fake.aliceDm, from: fake.alice, kind: 'photo', data: photo });
  const saved = await waitFor(
    () => fake.sent.find((s) => s.chatId === fake.aliceDm.id && s.text?.startsWith('Got your')),
    { timeoutMs: 10_000, what: 'the answer to the photo' },
  );
  const path = /^Got your image, saved to <code>(.+)<\/code>$/.exec(saved.text ?? '')?.[1];
  expect(path, saved.text).toBeDefined();
  expect(path?.startsWith(dir)).toBe(true);
  expect(readFileSync(path ?? '')).toEqual(photo);
  // Bob's message came first and was handled before Alice's two: the allowlist kept it unanswered.
  expect(fake.sent.filter((s) => s.chatId === fake.bobDm.id)).toEqual([]);
});

it('the README offline run works verbatim, and a second run in a row loses nothing to the saved offset', async () => {
  const dir = scratchDir();
  const code = readmeExample(readme, /Testing your own bot offline/);
  for (const run of [1, 2]) {
    const example = runReadmeExample({ packageDir, code, env: { TMPDIR: dir } });
    cleanups.push(() => example.stop());
    await example.waitForOutput(/the bot answered: You said: hi/, 15_000).catch((error: unknown) => {
      throw new Error(`run ${run}: ${(error as Error).message}`);
    });
  }
});
