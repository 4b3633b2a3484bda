import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, type TestContext } from '@hermes/adapter-testkit';
import { TelegramAdapter, type TelegramConfigInput } from '../src/index.js';
import { type FakeTelegram, type FakeTelegramOptions, startFakeTelegram } from '../src/testing/index.js';

export interface TelegramHarness {
  fake: FakeTelegram;
  adapter: TelegramAdapter;
  context: TestContext;
  stateDir: string;
  /** A second adapter on the same fake and state dir (a restart). */
  newAdapter(config?: Partial<TelegramConfigInput>): TelegramAdapter;
  close(): Promise<void>;
}

/** Settings that keep tests quick without changing behaviour: short polls and reconnect waits. */
export function testConfig(
  fake: FakeTelegram,
  stateDir: string,
  config: Partial<TelegramConfigInput> = {},
): TelegramConfigInput {
  return {
    token: fake.token,
    apiRoot: fake.apiRoot,
    stateDir,
    pollTimeoutSeconds: 2,
    reconnect: { initialMs: 50, maxMs: 400 },
    textBatching: false,
    albumDelayMs: 150,
    ...config,
  };
}

/** A fake Telegram plus an adapter pointed at it (not started) and a test context. */
export async function createHarness(
  o: { config?: Partial<TelegramConfigInput>; fake?: FakeTelegramOptions } = {},
): Promise<TelegramHarness> {
  const fake = await startFakeTelegram(o.fake);
  const stateDir = mkdtempSync(join(tmpdir(), 'hermes-telegram-state-'));
  const adapters: TelegramAdapter[] = [];
  const make = (config: Partial<TelegramConfigInput> = {}) => {
    const adapter = new TelegramAdapter(testConfig(fake, stateDir, { ...o.config, ...config }));
    adapters.push(adapter);
    return adapter;
  };
  const adapter = make();
  const context = createTestContext();
  return {
    fake,
    adapter,
    context,
    stateDir,
    newAdapter: make,
    async close() {
      for (const a of adapters) await a.stop();
      await fake.close();
      await context.cleanup();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
