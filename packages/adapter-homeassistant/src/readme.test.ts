import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeExample, runReadmeExample, waitFor } from '@hermes/adapter-testkit';
import { afterEach, expect, it } from 'vitest';
import { startFakeHomeAssistant } from './testing/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('the README bot runs verbatim: a light turning on comes back as a notification', async () => {
  const fake = await startFakeHomeAssistant({ entities: { 'light.porch': { state: 'off' } } });
  cleanups.push(() => fake.close());
  const bot = runReadmeExample({
    packageDir,
    code: readmeExample(join(packageDir, 'README.md'), /nothing but this package/),
    env: { HASS_URL: fake.url, HASS_TOKEN: fake.token },
  });
  cleanups.push(() => bot.stop());
  await bot.waitForOutput(/status online/, 15_000);
  await waitFor(() => fake.subscribers() === 1, { timeoutMs: 5000, what: 'the subscription' });
  fake.setState('light.porch', 'on');
  await bot.waitForOutput(/event: \[Home Assistant\] light\.porch changed from off to on/, 5000);
  await waitFor(() => fake.notifications().length === 1, { timeoutMs: 5000, what: 'the notification' });
  expect(fake.notifications()[0]).toMatchObject({
    title: 'Hermes Agent',
    message: 'Noted: light.porch changed from off to on',
  });
});
