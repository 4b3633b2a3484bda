// Shared by this package's tests only (not exported, not built).
import { type AdapterRig, startAdapterRig, type TestContextOptions } from '@hermes/adapter-testkit';
import { MattermostAdapter } from './adapter.js';
import type { MattermostConfigInput } from './config.js';
import {
  type FakeMattermostServer,
  type FakeMattermostServerOptions,
  startFakeMattermostServer,
} from './testing/index.js';

/** A config pointed at the fake, with short reconnect delays so tests stay quick. */
export function fakeConfig(
  fake: FakeMattermostServer,
  overrides: Partial<MattermostConfigInput> = {},
): MattermostConfigInput {
  return {
    url: fake.url,
    token: fake.token,
    reconnect: { initialMs: 50, maxMs: 400 },
    requestTimeoutMs: 5_000,
    ...overrides,
  };
}

export type Rig = AdapterRig<FakeMattermostServer, MattermostAdapter>;

/** A started adapter on a fresh fake; close() stops both and removes the media folder. */
export function startRig(
  overrides: Partial<MattermostConfigInput> = {},
  fakeOptions: FakeMattermostServerOptions = {},
  contextOptions: TestContextOptions = {},
): Promise<Rig> {
  return startAdapterRig({
    startFake: () => startFakeMattermostServer(fakeOptions),
    createAdapter: (fake) => new MattermostAdapter(fakeConfig(fake, overrides)),
    context: contextOptions,
  });
}
