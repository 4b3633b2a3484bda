// Shared by this package's tests only (not exported, not built).
import { createTestContext, type TestContext } from '@hermes/adapter-testkit';
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

export interface Rig {
  fake: FakeMattermostServer;
  adapter: MattermostAdapter;
  context: TestContext;
  close(): Promise<void>;
}

/** A started adapter on a fresh fake; close() stops both and removes the media folder. */
export async function startRig(
  overrides: Partial<MattermostConfigInput> = {},
  fakeOptions: FakeMattermostServerOptions = {},
  contextOptions: Parameters<typeof createTestContext>[0] = {},
): Promise<Rig> {
  const fake = await startFakeMattermostServer(fakeOptions);
  const context = createTestContext(contextOptions);
  const adapter = new MattermostAdapter(fakeConfig(fake, overrides));
  try {
    await adapter.start(context.ctx);
  } catch (error) {
    await fake.close();
    await context.cleanup();
    throw error;
  }
  return {
    fake,
    adapter,
    context,
    async close() {
      await adapter.stop();
      await fake.close();
      await context.cleanup();
    },
  };
}
