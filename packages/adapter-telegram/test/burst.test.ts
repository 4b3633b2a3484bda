import { seededRandom } from '@hermes/adapter-core';
import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeChat, FakeUser } from '../src/testing/index.js';
import { createHarness, type TelegramHarness } from './harness.js';

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('500-message burst while the connection keeps dropping', () => {
  it('delivers every message exactly once and in order per chat (offset persistence + dedupe)', async () => {
    h = await createHarness({
      config: { pollLimit: 17, pollTimeoutSeconds: 1, reconnect: { initialMs: 20, maxMs: 200 } },
    });
    const { fake, adapter, context } = h;
    await adapter.start(context.ctx);
    const random = seededRandom(0x5eed);
    const people: Array<{ user: FakeUser; chat: FakeChat }> = Array.from({ length: 10 }, (_, i) => {
      const user: FakeUser = { id: 3000 + i, is_bot: false, first_name: `User${i}` };
      return { user, chat: fake.world.chat({ id: user.id, type: 'private', first_name: user.first_name }) };
    });
    let cuts = 0;
    for (let i = 0; i < 500; i++) {
      const who = people[Math.floor(random() * people.length)]!;
      fake.sendText({ chat: who.chat, from: who.user, text: `burst ${i} for ${who.user.id}` });
      const roll = random();
      if (roll < 0.04) cuts += fake.dropPolls();
      else if (roll < 0.07) fake.faults.next({ kind: 'drop' }, 1, { method: 'getUpdates' });
      else if (roll < 0.08) fake.faults.next({ kind: 'garbage' }, 1, { method: 'getUpdates' });
      // Telegram serving already-confirmed updates again: must be recognised, not handed over twice.
      else if (roll < 0.09) fake.faults.next({ kind: 'replay', count: 25 }, 1, { method: 'getUpdates' });
      if (i % 25 === 0) await sleep(5);
    }
    await waitFor(() => context.received.length >= 500, {
      timeoutMs: 60_000,
      what: '500 messages in ctx.receive',
    });
    await sleep(500);

    const texts = context.received.map((m) => m.text);
    expect(new Set(texts).size, 'no message may arrive twice').toBe(texts.length);
    expect(texts, 'no message may be lost').toHaveLength(500);
    for (const { user } of people) {
      const mine = texts.filter((t) => t.endsWith(`for ${user.id}`)).map((t) => Number(t.split(' ')[1]));
      expect(mine, `messages of ${user.id} in order`).toEqual([...mine].sort((a, b) => a - b));
    }
    const applied = fake.faults.applied.map((a) => a.fault.kind);
    expect(
      applied.filter((k) => k === 'drop').length + cuts,
      'the run must really have cut connections',
    ).toBeGreaterThan(5);
    expect(applied, 'replays must really have happened').toContain('replay');
    expect(
      context.logger.find('debug', 'below the committed offset').length,
      'replayed updates were recognised',
    ).toBeGreaterThan(0);
    await waitFor(() => fake.pendingUpdates === 0, {
      timeoutMs: 5_000,
      what: 'every update confirmed to the fake',
    });
  }, 90_000);
});
