import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample, runReadmeExample, waitFor } from '@hermes/adapter-testkit';
import { afterEach, expect, it } from 'vitest';
import { startSlackFakeServer } from './testing/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = join(packageDir, 'README.md');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('the README bot runs verbatim against the fake: an allowed user gets answers in a thread and for a file, nobody else', async () => {
  const fake = await startSlackFakeServer();
  cleanups.push(() => fake.close());
  const dir = mkdtempSync(join(tmpdir(), 'hermes-slack-readme-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const bot = runReadmeExample({
    packageDir,
    code: readmeExample(readme, /nothing but this package/),
    env: {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      SLACK_ALLOWED_USERS: 'U0ALICE',
      // The fake serves url_private from 127.0.0.1, which downloads refuse unless allowed.
      HERMES_MEDIA_ALLOW_PRIVATE: 'true',
      TMPDIR: dir,
    },
  });
  cleanups.push(() => bot.stop());
  await waitFor(() => fake.openSockets > 0, { timeoutMs: 15_000, what: 'the Socket Mode connection' });

  fake.mention({ channel: 'C0GENERAL', user: 'U0BOB', text: 'me too' });
  const [mention] = fake.mention({ channel: 'C0GENERAL', user: 'U0ALICE', text: 'hello' });
  const post = await fake.waitForPost((p) => p.text.startsWith('You said'), 10_000);
  expect(post.text).toBe('You said: *hello*');
  expect(post.threadTs).toBeDefined();
  await mention?.done;

  const bytes = Buffer.from('a file for the README bot');
  fake.message({
    channel: 'D0DM',
    user: 'U0ALICE',
    text: 'here',
    files: [fake.shareFile({ bytes, name: 'notes.txt', mimetype: 'text/plain' })],
  });
  const saved = await fake.waitForPost((p) => p.channel === 'D0DM', 10_000);
  const path = /^Got your (\w+), saved to `(.+)`$/.exec(saved.text);
  expect(path, saved.text).not.toBeNull();
  expect(path?.[2]?.startsWith(dir)).toBe(true);
  expect(readFileSync(path?.[2] ?? '')).toEqual(bytes);
  // Bob's mention came first and was handled before Alice's two messages: the allowlist kept it unanswered.
  expect(fake.posts.map((p) => p.text)).toEqual(['You said: *hello*', saved.text]);
});

it('the README offline run works verbatim: a mention meets a 429 and is still answered, in its thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-slack-readme-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const example = runReadmeExample({
    packageDir,
    code: readmeExample(readme, /Test your bot offline/),
    env: { TMPDIR: dir },
  });
  cleanups.push(() => example.stop());
  await example.waitForOutput(
    /answered "You said: hello" in the thread \d+\.\d+ \(2 chat\.postMessage calls\)/,
    15_000,
  );
});
