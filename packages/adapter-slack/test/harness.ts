import { createTestContext, type TestContext } from '@hermes/adapter-testkit';
import { SlackAdapter } from '../src/adapter.js';
import type { SlackConfigInput } from '../src/config.js';
import {
  type SlackFakeServer,
  type SlackFakeServerOptions,
  startSlackFakeServer,
} from '../src/testing/index.js';

export const DM = 'D0DIRECT';
export const CHANNEL = 'C0GENERAL';
export const OTHER_CHANNEL = 'C0RANDOM';
export const USER = 'U0USER';

export interface SlackTestRig {
  fake: SlackFakeServer;
  adapter: SlackAdapter;
  context: TestContext;
  close(): Promise<void>;
}

/** Test-speed settings: fast reconnects, pacing loose enough for bursts. Everything else is the default. */
export function testConfig(
  fake: SlackFakeServer,
  overrides: Partial<SlackConfigInput> = {},
): SlackConfigInput {
  return {
    botToken: fake.botToken,
    appToken: fake.appToken,
    apiUrl: fake.apiUrl,
    mediaAllowPrivate: true,
    reconnect: { initialMs: 100, maxMs: 1_000 },
    sendRate: {
      perChannel: { capacity: 50, refillPerSecond: 500 },
      global: { capacity: 200, refillPerSecond: 2_000 },
    },
    requestTimeoutMs: 5_000,
    connectTimeoutMs: 5_000,
    ...overrides,
  };
}

/** A fake Slack and an adapter pointed at it, not started. */
export async function createRig(
  o: { config?: Partial<SlackConfigInput>; fake?: SlackFakeServerOptions } = {},
): Promise<SlackTestRig> {
  const fake = await startSlackFakeServer(o.fake);
  const adapter = new SlackAdapter(testConfig(fake, o.config));
  const context = createTestContext();
  let closed = false;
  return {
    fake,
    adapter,
    context,
    async close() {
      if (closed) return;
      closed = true;
      await adapter.stop();
      await fake.close();
      await context.cleanup();
    },
  };
}

/** createRig + start. */
export async function startRig(o: Parameters<typeof createRig>[0] = {}): Promise<SlackTestRig> {
  const rig = await createRig(o);
  try {
    await rig.adapter.start(rig.context.ctx);
  } catch (error) {
    await rig.close();
    throw error;
  }
  return rig;
}
