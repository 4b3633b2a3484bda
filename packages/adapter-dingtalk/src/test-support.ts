// Shared by this package's tests only (not exported, not built).
import { type AdapterRig, startAdapterRig } from '@hermes/adapter-testkit';
import { DingtalkAdapter } from './adapter.js';
import { type DingtalkConfig, type DingtalkConfigInput, parseDingtalkConfig } from './config.js';
import {
  type FakeDingtalkOptions,
  type FakeDingtalkServer,
  startFakeDingtalkServer,
} from './testing/index.js';

/** A config pointed at the fake, with short timers so tests stay quick. */
export function fakeConfig(
  fake: FakeDingtalkServer,
  overrides: Partial<DingtalkConfigInput> = {},
): DingtalkConfig {
  return parseDingtalkConfig({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    apiBase: fake.url,
    reconnectDelaysMs: [50, 100, 200],
    heartbeatIntervalMs: 60_000,
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 3_000,
    allowPrivateMedia: true,
    reactions: false,
    ...overrides,
  });
}

export type Rig = AdapterRig<FakeDingtalkServer, DingtalkAdapter>;

/** A started adapter on a fresh fake; close() stops both and removes the media folder. */
export function startRig(
  overrides: Partial<DingtalkConfigInput> = {},
  fakeOptions: FakeDingtalkOptions = {},
): Promise<Rig> {
  return startAdapterRig({
    startFake: () => startFakeDingtalkServer(fakeOptions),
    createAdapter: (fake) => new DingtalkAdapter(fakeConfig(fake, overrides)),
  });
}

export { sleep } from '@hermes/adapter-testkit';
