import { createTestContext, type TestContext } from '@hermes/adapter-testkit';
import { DiscordAdapter } from '../src/adapter.js';
import type { DiscordConfigInput } from '../src/config.js';
import { type FakeDiscord, type FakeDiscordOptions, startFakeDiscord } from '../src/testing/index.js';

/** Config for tests: quick heartbeats and backoff so reconnects take milliseconds, not seconds. */
export function testConfig(
  fake: FakeDiscord,
  overrides: Partial<DiscordConfigInput> = {},
): DiscordConfigInput {
  return {
    token: fake.token,
    apiBase: fake.apiBase,
    mediaAllowPrivate: true,
    autoThread: false,
    reconnectBackoff: { kind: 'exponential', initialMs: 50, maxMs: 400, factor: 2, jitter: 0 },
    startTimeoutMs: 10_000,
    closeTimeoutMs: 500,
    restTimeoutMs: 5_000,
    helloTimeoutMs: 5_000,
    ...overrides,
  };
}

export interface DiscordTestRig {
  fake: FakeDiscord;
  adapter: DiscordAdapter;
  context: TestContext;
  close(): Promise<void>;
}

/** A fake Discord and a started adapter on it; close() stops and removes everything. */
export async function startRig(
  overrides: Partial<DiscordConfigInput> = {},
  fakeOptions: FakeDiscordOptions = {},
): Promise<DiscordTestRig> {
  const fake = await startFakeDiscord({ heartbeatIntervalMs: 250, ...fakeOptions });
  const adapter = new DiscordAdapter(testConfig(fake, overrides));
  const context = createTestContext();
  try {
    await adapter.start(context.ctx);
  } catch (error) {
    await context.cleanup();
    await fake.close();
    throw error;
  }
  return {
    fake,
    adapter,
    context,
    async close() {
      await adapter.stop();
      await context.cleanup();
      await fake.close();
    },
  };
}
