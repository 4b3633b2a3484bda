// Shared by this package's tests only (not exported, not built).
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AdapterRig, startAdapterRig } from '@hermes/adapter-testkit';
import { FeishuAdapter } from './adapter.js';
import { type FeishuConfig, type FeishuConfigInput, parseFeishuConfig } from './config.js';
import {
  type FakeFeishuServer,
  type FakeFeishuServerOptions,
  startFakeFeishuServer,
} from './testing/index.js';

const stateDirs: string[] = [];

/** A fresh state folder per adapter: the default (beside the media cache) is shared by every test context. */
export function tempStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'feishu-state-'));
  stateDirs.push(dir);
  return dir;
}

export async function removeStateDirs(): Promise<void> {
  for (const dir of stateDirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** A config pointed at the fake, with short timers so tests stay quick. */
export function fakeConfig(fake: FakeFeishuServer, overrides: Partial<FeishuConfigInput> = {}): FeishuConfig {
  return parseFeishuConfig({
    appId: fake.appId,
    appSecret: fake.appSecret,
    domain: fake.url,
    allowPrivateMedia: true,
    reconnectDelaysMs: [50, 100, 200],
    connectTimeoutMs: 3_000,
    requestTimeoutMs: 3_000,
    textBatchDelayMs: 30,
    textBatchSplitDelayMs: 300,
    stateDir: tempStateDir(),
    ...overrides,
  });
}

export type Rig = AdapterRig<FakeFeishuServer, FeishuAdapter>;

export function startRig(
  overrides: Partial<FeishuConfigInput> = {},
  fakeOptions: FakeFeishuServerOptions = {},
): Promise<Rig> {
  return startAdapterRig({
    startFake: () => startFakeFeishuServer(fakeOptions),
    createAdapter: (fake) => new FeishuAdapter(fakeConfig(fake, overrides)),
    afterClose: removeStateDirs,
  });
}

export { sleep } from '@hermes/adapter-testkit';
