import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { TelegramAdapter } from '../src/index.js';
import { createHarness, type TelegramHarness, testConfig } from './harness.js';

let h: TelegramHarness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Another replica: its own state dir (HERMES_HOME), the same bot. */
function otherReplica(harness: TelegramHarness, delayMs: number): TelegramAdapter {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-telegram-replica-'));
  dirs.push(dir);
  return new TelegramAdapter(
    testConfig(harness.fake, dir, {
      textBatching: true,
      textBatchDelayMs: delayMs,
      textBatchSplitDelayMs: delayMs,
    }),
  );
}

describe('a connection handed over between replicas (ctx.connectionHandoff)', () => {
  it('an update held in a text batch is not confirmed to Telegram: the next owner, on another disk, gets it once', async () => {
    h = await createHarness({
      config: { textBatching: true, textBatchDelayMs: 5_000, textBatchSplitDelayMs: 5_000 },
    });
    const { fake, adapter: first, context: before } = h;
    await first.start({ ...before.ctx, connectionHandoff: true });
    fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'waiting in a batch' });
    await waitFor(() => first.committedOffset > 0, { what: 'the update fetched' });
    await sleep(300);
    expect(before.received).toHaveLength(0);
    expect(fake.pendingUpdates, 'Telegram still lists the held update').toBe(1);
    await first.stop(); // the owner goes away; its state file is not the next owner's

    const after = createTestContext();
    const second = otherReplica(h, 50);
    try {
      await second.start({ ...after.ctx, connectionHandoff: true });
      await after.waitForReceived((m) => m.text === 'waiting in a batch', 5_000);
      await waitFor(() => fake.pendingUpdates === 0, { what: 'the update confirmed by the new owner' });
      await sleep(200);
      expect(after.received.map((m) => m.text)).toEqual(['waiting in a batch']);
    } finally {
      await second.stop();
      await after.cleanup();
    }
  });

  // Alice's text is long enough to be a split paste (the longer delay); Bob's short one is ready first.
  const orderConfig = {
    textBatching: true,
    textBatchDelayMs: 100,
    textBatchSplitDelayMs: 1_200,
    textBatchSplitThreshold: 10,
  };
  const handedOverOrder = async (handoff: boolean): Promise<string[]> => {
    h = await createHarness({ config: orderConfig });
    const { fake, adapter, context } = h;
    await adapter.start(handoff ? { ...context.ctx, connectionHandoff: true } : context.ctx);
    fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'alice first, a long paste' });
    await waitFor(() => adapter.committedOffset > 0, { what: "alice's update fetched" });
    fake.sendText({ chat: fake.bobDm, from: fake.bob, text: 'bob' });
    await waitFor(() => context.received.length === 2, { timeoutMs: 5_000, what: 'both handed over' });
    await waitFor(() => fake.pendingUpdates === 0, { what: 'both confirmed once handed over' });
    return context.received.map((m) => m.text);
  };

  it('a replica taking the connection back gets what the last holder left unconfirmed and what came since, not the offset it saved itself', async () => {
    h = await createHarness({
      config: { textBatching: true, textBatchDelayMs: 50, textBatchSplitDelayMs: 50 },
    });
    const { fake, adapter: a, context } = h;
    // A holds the connection first and handles one update (its state file now says: offset past it).
    await a.start({ ...context.ctx, connectionHandoff: true });
    fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'one' });
    await context.waitForReceived((m) => m.text === 'one', 5_000);
    await waitFor(() => fake.pendingUpdates === 0, { what: 'confirmed' });
    await a.stop();
    // B holds it next: two updates arrive, B handles the first; the second is still unconfirmed when B dies.
    const bContext = createTestContext();
    const b = otherReplica(h, 3_000);
    await b.start({ ...bContext.ctx, connectionHandoff: true });
    fake.sendText({ chat: fake.bobDm, from: fake.bob, text: 'two, held by B' });
    await waitFor(() => b.committedOffset > 0, { what: 'B fetched it' });
    await b.stop();
    await bContext.cleanup();
    // Meanwhile more arrived; A takes the connection back, with its old state file.
    fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'three' });
    await a.start({ ...context.ctx, connectionHandoff: true });
    await context.waitForReceived((m) => m.text === 'three', 5_000);
    await context.waitForReceived((m) => m.text === 'two, held by B', 5_000);
    await waitFor(() => fake.pendingUpdates === 0, { what: 'all confirmed' });
  });

  it('batches are handed over in update order: a later chat waits for an older held batch', async () => {
    expect(await handedOverOrder(true)).toEqual(['alice first, a long paste', 'bob']);
  });

  it('without a handoff a short batch may go before an older long one (what the order above changes)', async () => {
    expect(await handedOverOrder(false)).toEqual(['bob', 'alice first, a long paste']);
  });

  it('a batch is not held back by an older one the host is still journaling', async () => {
    h = await createHarness({
      config: { textBatching: true, textBatchDelayMs: 100, textBatchSplitDelayMs: 100 },
    });
    const { fake, adapter, context } = h;
    // The host takes 400 ms to journal each message.
    const slowReceive = (msg: Parameters<typeof context.ctx.receive>[0]) =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          void context.ctx.receive(msg);
          resolve();
        }, 400),
      );
    await adapter.start({ ...context.ctx, connectionHandoff: true, receive: slowReceive });
    fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'alice, journaled slowly' });
    await sleep(250); // alice's batch was handed over; its journal write is still running
    fake.sendText({ chat: fake.bobDm, from: fake.bob, text: 'bob, nothing after him' });
    await waitFor(() => context.received.length === 2, { timeoutMs: 5_000, what: "bob's message too" });
    expect(context.received.map((m) => m.text)).toEqual([
      'alice, journaled slowly',
      'bob, nothing after him',
    ]);
    await waitFor(() => fake.pendingUpdates === 0, { what: 'both confirmed' });
  });

  it('without a handoff nothing changes: the held update is confirmed and kept in the local state file', async () => {
    h = await createHarness({
      config: { textBatching: true, textBatchDelayMs: 5_000, textBatchSplitDelayMs: 5_000 },
    });
    const { fake, adapter, context } = h;
    await adapter.start(context.ctx);
    fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'held locally' });
    await waitFor(() => fake.pendingUpdates === 0 && adapter.committedOffset > 0, { what: 'confirmed' });
    expect(context.received).toHaveLength(0);
  });
});
