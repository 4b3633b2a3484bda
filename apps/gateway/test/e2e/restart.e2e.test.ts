import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeTelegram, startFakeTelegram } from '@hermes/adapter-telegram/testing';
import { type FakeOpenAI, startFakeOpenAI } from '@hermes/agent/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { gatewayEnv, startGatewayProcess, until } from './gateway-process.js';

let home: string;
let fake: FakeOpenAI;
let telegram: FakeTelegram;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'hermes-e2e-restart-'));
  fake = await startFakeOpenAI();
  telegram = await startFakeTelegram();
});
afterAll(async () => {
  await Promise.all([fake?.close(), telegram?.close()]);
  rmSync(home, { recursive: true, force: true });
});

const texts = () =>
  telegram.sent.filter((m) => m.chatId === telegram.aliceDm.id && m.text).map((m) => m.text!);

function env(extra: Record<string, string> = {}) {
  return gatewayEnv(home, {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_ALLOWED_USERS: `${telegram.alice.id},${telegram.bob.id}`,
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'sk-test-e2e-restart',
    HERMES_MODEL: 'fake-model',
    ...extra,
  });
}

it('/restart: refused to non-admins and in the foreground; under a service it exits 75 and says when it is back', async () => {
  writeFileSync(
    join(home, 'config.yaml'),
    `gateway:\n  allow_admin_from: ["telegram:${telegram.alice.id}"]\n`,
  );
  const foreground = startGatewayProcess(env());
  await foreground.waitForLog(/gateway running/, 30_000);
  telegram.sendText({ chat: telegram.bobDm, from: telegram.bob, text: '/restart' });
  await until(
    foreground,
    () =>
      telegram.sent.some(
        (m) => m.chatId === telegram.bobDm.id && m.text?.includes('Only admins may restart'),
      ),
    'the refusal to a non-admin',
  );
  telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: '/restart' });
  await until(
    foreground,
    () => texts().some((t) => t.includes('runs in the foreground')),
    'the foreground answer',
  );
  expect(await foreground.stop()).toBe(0);

  const service = startGatewayProcess(env({ HERMES_SERVICE: 'test' }));
  await service.waitForLog(/gateway running/, 30_000);
  telegram.sendText({ chat: telegram.aliceDm, from: telegram.alice, text: '/restart' });
  await until(service, () => texts().some((t) => t.includes('Restarting')), 'the restart reply');
  const deadline = Date.now() + 20_000;
  while (service.child.exitCode === null && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  expect(service.child.exitCode, service.output().slice(-2000)).toBe(75);

  const again = startGatewayProcess(env({ HERMES_SERVICE: 'test' }));
  await again.waitForLog(/gateway running/, 30_000);
  await until(
    again,
    () => texts().some((t) => t.includes('Back online after the restart')),
    'the back-online notice',
  );
  expect(await again.stop()).toBe(0);
}, 120_000);
