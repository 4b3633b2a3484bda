import { readFileSync } from 'node:fs';
import { createTestContext, sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type TelegramHarness } from './harness.js';

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('restart in the middle of a backlog', () => {
  it('a new adapter on the same state dir neither loses nor re-processes an update', async () => {
    h = await createHarness({ config: { pollLimit: 10 } });
    const { fake, adapter: first, context: before } = h;
    for (let i = 0; i < 300; i++)
      fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: `backlog ${i}` });
    await first.start(before.ctx);
    await waitFor(() => before.received.length >= 60, { timeoutMs: 10_000, what: 'part of the backlog' });
    // From now on no getUpdates reaches Telegram, so Telegram never hears which updates were handled:
    // only the state file knows. Without it the next adapter would get them again.
    fake.faults.next({ kind: 'drop' }, 10_000, { method: 'getUpdates' });
    await waitFor(() => fake.faults.applied.length >= 2, { timeoutMs: 5_000, what: 'polls cut' });
    await first.stop();
    fake.faults.clear();
    const handled = before.received.length;
    expect(handled, 'the first adapter stopped mid-backlog').toBeLessThan(300);
    expect(fake.pendingUpdates, 'Telegram still lists updates the first adapter handled').toBeGreaterThan(
      300 - handled,
    );
    const saved = JSON.parse(readFileSync(first.stateFilePath(before.ctx), 'utf8')) as { offset: number };
    expect(saved.offset).toBe(first.committedOffset);

    const after = createTestContext();
    const second = h.newAdapter();
    try {
      await second.start(after.ctx);
      await waitFor(() => handled + after.received.length >= 300, {
        timeoutMs: 15_000,
        what: 'the rest of the backlog',
      });
      await sleep(300);
      const all = [...before.received, ...after.received].map((m) => m.text);
      expect(all, 'nothing lost').toHaveLength(300);
      expect(new Set(all).size, 'nothing handled twice').toBe(300);
      expect(all).toEqual(Array.from({ length: 300 }, (_, i) => `backlog ${i}`));
    } finally {
      await second.stop();
      await after.cleanup();
    }
  });

  it('an update held in a text batch when the adapter stops is offered again after the restart, once', async () => {
    h = await createHarness({
      config: { textBatching: true, textBatchDelayMs: 5_000, textBatchSplitDelayMs: 5_000 },
    });
    const { fake, adapter: first, context: before } = h;
    await first.start(before.ctx);
    fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'waiting in a batch' });
    await waitFor(() => fake.pendingUpdates === 0 && first.committedOffset > 0, {
      what: 'the update fetched and confirmed',
    });
    // Confirmed to Telegram, not yet handed to the host: only the state file has it now.
    await sleep(100);
    expect(before.received).toHaveLength(0);
    await first.stop();
    const state = JSON.parse(readFileSync(first.stateFilePath(before.ctx), 'utf8')) as { held: unknown[] };
    expect(state.held).toHaveLength(1);

    const after = createTestContext();
    const second = h.newAdapter({ textBatchDelayMs: 50, textBatchSplitDelayMs: 50 });
    try {
      await second.start(after.ctx);
      const msg = await after.waitForReceived((m) => m.text === 'waiting in a batch', 5_000);
      expect(msg.chat.chatId).toBe(String(fake.aliceDm.id));
      await sleep(300);
      expect(after.received).toHaveLength(1);
      const next = JSON.parse(readFileSync(second.stateFilePath(after.ctx), 'utf8')) as { held: unknown[] };
      expect(next.held).toHaveLength(0);
    } finally {
      await second.stop();
      await after.cleanup();
    }
  });

  it("an unreadable state file is set aside with an error logged, and polling starts from Telegram's offset", async () => {
    h = await createHarness();
    const { fake, adapter, context } = h;
    const { mkdirSync, writeFileSync, readdirSync } = await import('node:fs');
    const path = adapter.stateFilePath(context.ctx);
    mkdirSync(h.stateDir, { recursive: true });
    writeFileSync(path, '{ not json');
    await adapter.start(context.ctx);
    fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'after a corrupt state file' });
    await context.waitForReceived((m) => m.text === 'after a corrupt state file');
    expect(context.logger.find('error', 'unreadable').length).toBe(1);
    expect(readdirSync(h.stateDir).some((f) => f.includes('.corrupt-'))).toBe(true);
  });
});
