import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, type TestContext } from '@hermes/adapter-testkit';
import { createMatrixAdapter, type MatrixAdapter, type MatrixConfigInput } from '../src/index.js';
import { type FakeMatrixServer, startFakeMatrixServer } from '../src/testing/index.js';

export interface MatrixHarness {
  fake: FakeMatrixServer;
  stateDir: string;
  /** A new adapter on the fake and the shared state dir (a restart when the previous one is stopped). */
  start(config?: Partial<MatrixConfigInput>): Promise<{ adapter: MatrixAdapter; context: TestContext }>;
  stop(entry: { adapter: MatrixAdapter; context: TestContext }): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(): Promise<MatrixHarness> {
  const fake = await startFakeMatrixServer();
  const stateDir = mkdtempSync(join(tmpdir(), 'hermes-matrix-test-'));
  const live = new Set<{ adapter: MatrixAdapter; context: TestContext }>();
  const stop = async (entry: { adapter: MatrixAdapter; context: TestContext }) => {
    await entry.adapter.stop();
    await entry.context.cleanup();
    live.delete(entry);
  };
  return {
    fake,
    stateDir,
    async start(config = {}) {
      const adapter = createMatrixAdapter({
        homeserver: fake.url,
        userId: fake.botUserId,
        password: fake.botPassword,
        allowedUsers: [fake.alice],
        stateDir,
        syncTimeoutMs: 5_000,
        ...config,
      });
      const context = createTestContext();
      await adapter.start(context.ctx);
      const entry = { adapter, context };
      live.add(entry);
      return entry;
    },
    stop,
    async close() {
      for (const entry of [...live]) await stop(entry);
      await fake.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
