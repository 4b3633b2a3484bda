import type { AdapterContext } from '@hermes/adapter-core';
import { createTestContext, type TestContext, type TestContextOptions } from './test-context.js';

/** What a rig needs of an adapter: the lifecycle, nothing platform-specific. */
export interface RigAdapter {
  start(ctx: AdapterContext): Promise<void>;
  stop(): Promise<void>;
}

export interface AdapterRig<Fake, Adapter> {
  fake: Fake;
  adapter: Adapter;
  context: TestContext;
  /** Stops the adapter, closes the fake and removes the context's media folder. */
  close(): Promise<void>;
}

export interface AdapterRigOptions<Fake, Adapter> {
  startFake(): Promise<Fake>;
  /** Builds the adapter against the running fake (not started yet). */
  createAdapter(fake: Fake): Adapter;
  context?: TestContextOptions;
  /** Runs last in close(), for what the package itself created (e.g. its state folders). */
  afterClose?(): Promise<void>;
}

/**
 * A fake platform and an adapter started on it with a recording test context. When start() rejects,
 * the fake and the context are closed before the error is passed on, so a failing test leaks no server.
 */
export async function startAdapterRig<Fake extends { close(): Promise<void> }, Adapter extends RigAdapter>(
  options: AdapterRigOptions<Fake, Adapter>,
): Promise<AdapterRig<Fake, Adapter>> {
  const fake = await options.startFake();
  const context = createTestContext(options.context);
  let adapter: Adapter;
  try {
    adapter = options.createAdapter(fake);
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
      await options.afterClose?.();
    },
  };
}
