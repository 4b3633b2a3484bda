// Shared by this package's tests only (not exported, not built).
import { type AdapterRig, startAdapterRig } from '@hermes/adapter-testkit';
import { WecomAdapter } from './adapter.js';
import { parseWecomConfig, type WecomConfig, type WecomConfigInput } from './config.js';
import {
  startWecomFakeServer,
  type WecomFakeServer,
  type WecomFakeServerOptions,
} from './testing/fake-server.js';

/** A config pointed at the fake, with short timers so tests stay quick. */
export function fakeConfig(fake: WecomFakeServer, overrides: Partial<WecomConfigInput> = {}): WecomConfig {
  return parseWecomConfig({
    botId: fake.botId,
    secret: fake.secret,
    websocketUrl: fake.url,
    dmPolicy: 'open',
    groupPolicy: 'open',
    reconnectDelaysMs: [50, 100, 200],
    heartbeatIntervalMs: 60_000,
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 2_000,
    mediaAllowPrivate: true,
    textBatchDelayMs: 30,
    textBatchSplitDelayMs: 300,
    ...overrides,
  });
}

export type Rig = AdapterRig<WecomFakeServer, WecomAdapter>;

/** A started adapter on a fresh fake; close() stops both and removes the media folder. */
export function startRig(
  overrides: Partial<WecomConfigInput> = {},
  fakeOptions: WecomFakeServerOptions = {},
): Promise<Rig> {
  return startAdapterRig({
    startFake: () => startWecomFakeServer(fakeOptions),
    createAdapter: (fake) => new WecomAdapter(fakeConfig(fake, overrides)),
  });
}

export { sleep } from '@hermes/adapter-testkit';
