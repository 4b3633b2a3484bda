import type { AdapterContext } from '@hermes/adapter-core';
import { createTestContext, type TestContext } from '@hermes/adapter-testkit';
import { createSignalAdapter, type SignalAdapter } from './adapter.js';
import type { SignalConfigInput } from './config.js';
import {
  type FakeSignalServer,
  type FakeSignalServerOptions,
  startFakeSignalServer,
} from './testing/index.js';

export interface Rig {
  fake: FakeSignalServer;
  adapter: SignalAdapter;
  context: TestContext;
  /** The context to start the adapter with (receive may be wrapped by the test). */
  ctx: AdapterContext;
  close(): Promise<void>;
}

/** A fake daemon and an adapter pointed at it, with fast reconnects; close() stops and closes both. */
export async function startRig(
  config: Partial<SignalConfigInput> = {},
  fakeOptions: FakeSignalServerOptions = {},
): Promise<Rig> {
  const fake = await startFakeSignalServer(fakeOptions);
  const adapter = createSignalAdapter({
    httpUrl: fake.url,
    account: fake.account,
    reconnectInitialMs: 20,
    reconnectMaxMs: 100,
    ...config,
  });
  const context = createTestContext();
  return {
    fake,
    adapter,
    context,
    ctx: context.ctx,
    async close() {
      await adapter.stop();
      await fake.close();
      await context.cleanup();
    },
  };
}
