import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample, runReadmeExample, waitFor } from '@hermes/adapter-testkit';
import { afterEach, expect, it } from 'vitest';
import { startFakeDingtalkServer } from './testing/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('the README bot runs verbatim against the fake: a DM comes back through its session webhook', async () => {
  const fake = await startFakeDingtalkServer();
  cleanups.push(() => fake.close());
  const bot = runReadmeExample({
    packageDir,
    code: readmeExample(join(packageDir, 'README.md'), /nothing but this package/),
    env: {
      DINGTALK_CLIENT_ID: fake.clientId,
      DINGTALK_CLIENT_SECRET: fake.clientSecret,
      DINGTALK_API_BASE: fake.url,
    },
  });
  cleanups.push(() => bot.stop());
  await bot.waitForOutput(/dingtalk online/, 15_000);
  await fake.deliverDm('hi there', { staffId: 'alice' });
  await bot.waitForOutput(/Alice: hi there/, 5_000);
  await waitFor(() => fake.sentMessages().length === 1, { timeoutMs: 5_000, what: 'the reply' });
  expect(fake.sentMessages()[0]).toMatchObject({ chatId: 'alice', text: 'You said: **hi there**' });
  expect(fake.sends[0]!.route).toBe('webhook');
  expect(bot.output()).not.toContain(fake.clientSecret);
});
