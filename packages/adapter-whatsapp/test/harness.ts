import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, type TestContext } from '@hermes/adapter-testkit';
import { WhatsappAdapter } from '../src/adapter.js';
import type { WhatsappConfigInput } from '../src/config.js';
import { whatsappStatePath, writeWhatsappState } from '../src/state/state-file.js';
import {
  type FakeWhatsappOptions,
  type FakeWhatsappServer,
  startFakeWhatsappServer,
} from '../src/testing/index.js';

export const APP_SECRET = 'test-app-secret-0123456789';
export const VERIFY_TOKEN = 'test-verify-token-abcdef';
export const ACCESS_TOKEN = 'test-access-token-xyz987';

export interface Rig {
  fake: FakeWhatsappServer;
  adapter: WhatsappAdapter;
  context: TestContext;
  stateDir: string;
  config: WhatsappConfigInput;
  /** Starts the adapter (not started by rig()). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The adapter's config pointed at a fake, on 127.0.0.1 with a free port and a private state folder. */
export function configFor(
  fake: FakeWhatsappServer,
  stateDir: string,
  extra: Partial<WhatsappConfigInput> = {},
): WhatsappConfigInput {
  return {
    phoneNumberId: fake.phoneNumberId,
    accessToken: fake.accessToken,
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    webhookHost: '127.0.0.1',
    webhookPort: 0,
    graphApiBase: fake.url,
    allowPrivateMedia: true,
    stateDir,
    ...extra,
  };
}

/**
 * A fake and an adapter wired together. `openWindows` users wrote within the last hour (as if before a
 * restart): the adapter's state file and the fake both know it.
 */
export async function rig(
  o: { fake?: FakeWhatsappOptions; config?: Partial<WhatsappConfigInput>; openWindows?: string[] } = {},
): Promise<Rig> {
  const fake = await startFakeWhatsappServer({ appSecret: APP_SECRET, accessToken: ACCESS_TOKEN, ...o.fake });
  const stateDir = mkdtempSync(join(tmpdir(), 'whatsapp-state-'));
  const wroteAt = Date.now() - 60 * 60 * 1000;
  if (o.openWindows?.length) {
    writeWhatsappState(whatsappStatePath(stateDir), {
      windows: o.openWindows.map((u) => [u, wroteAt]),
      seen: [],
    });
    for (const user of o.openWindows) fake.userWrote(user, wroteAt);
  }
  const config = configFor(fake, stateDir, o.config);
  const adapter = new WhatsappAdapter(config);
  fake.webhookUrl = () => adapter.webhookUrl;
  const context = createTestContext();
  return {
    fake,
    adapter,
    context,
    stateDir,
    config,
    start: () => adapter.start(context.ctx),
    async close() {
      await adapter.stop();
      await context.cleanup();
      await fake.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
