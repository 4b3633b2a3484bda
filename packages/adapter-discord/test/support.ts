import { type AdapterRig, startAdapterRig } from '@hermes/adapter-testkit';
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

export type DiscordTestRig = AdapterRig<FakeDiscord, DiscordAdapter>;

/** A fake Discord and a started adapter on it; close() stops and removes everything. */
export function startRig(
  overrides: Partial<DiscordConfigInput> = {},
  fakeOptions: FakeDiscordOptions = {},
): Promise<DiscordTestRig> {
  return startAdapterRig({
    startFake: () => startFakeDiscord({ heartbeatIntervalMs: 250, ...fakeOptions }),
    createAdapter: (fake) => new DiscordAdapter(testConfig(fake, overrides)),
  });
}
