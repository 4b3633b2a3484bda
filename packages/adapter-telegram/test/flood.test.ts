import type { ChatRef } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type TelegramHarness } from './harness.js';

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const dm = (id: number): ChatRef => ({ platform: 'telegram', chatId: String(id), chatType: 'dm' });

describe('flood control: a 429 storm', () => {
  it('delivers every message once, in order per chat, each retry after retry_after', async () => {
    h = await createHarness({ config: { pacing: { perChat: { capacity: 5, refillPerSecond: 10 } } } });
    const { fake, adapter, context } = h;
    await adapter.start(context.ctx);
    const chats = [4001, 4002, 4003, 4004];
    // Roughly every third sendMessage is refused with retry_after 1, from the first one on.
    for (let i = 0; i < 12; i++) {
      fake.faults.next({ kind: 'rate-limit', retryAfterSeconds: 1 }, 1, { method: 'sendMessage' });
      fake.faults.next({ kind: 'delay', ms: 1 }, 2, { method: 'sendMessage' });
    }
    const sends = chats.flatMap((chat) =>
      Array.from({ length: 8 }, (_, i) => adapter.send(dm(chat), { text: `chat ${chat} message ${i}` })),
    );
    const results = await Promise.all(sends);
    expect(
      results.every((r) => r.ok),
      JSON.stringify(results.filter((r) => !r.ok)),
    ).toBe(true);

    const limited = fake.faults.applied.filter((a) => a.fault.kind === 'rate-limit');
    expect(limited.length, 'the storm really happened').toBe(12);
    for (const chat of chats) {
      const texts = fake.sent.filter((s) => s.chatId === chat).map((s) => s.text);
      expect(texts, `chat ${chat}: once each, in order`).toEqual(
        Array.from({ length: 8 }, (_, i) => `chat ${chat} message ${i}`),
      );
    }
    for (const { call } of limited) {
      const chatId = call.params['chat_id'];
      const retry = fake.calls.find(
        (c) =>
          c.method === 'sendMessage' &&
          c.params['chat_id'] === chatId &&
          c.receivedAt > call.receivedAt &&
          c.fault?.kind !== 'rate-limit',
      );
      expect(retry, 'every refused send was retried').toBeDefined();
      expect(retry!.receivedAt - call.receivedAt, 'the chat waited retry_after').toBeGreaterThanOrEqual(950);
    }
    expect(context.logger.find('warn', 'rate limited on chat').length).toBeGreaterThanOrEqual(12);
  }, 30_000);

  it('a long multi-chunk reply under 429s arrives complete, in order, without a repeated chunk', async () => {
    h = await createHarness();
    const { fake, adapter, context } = h;
    await adapter.start(context.ctx);
    const paragraphs = Array.from(
      { length: 60 },
      (_, i) => `Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(12)}`,
    );
    fake.faults.next({ kind: 'rate-limit', retryAfterSeconds: 1 }, 1, { method: 'sendMessage' });
    fake.faults.next({ kind: 'delay', ms: 1 }, 1, { method: 'sendMessage' });
    fake.faults.next({ kind: 'rate-limit', retryAfterSeconds: 1 }, 1, { method: 'sendMessage' });
    const result = await adapter.send(dm(4100), { text: paragraphs.join('\n\n') });
    expect(result.ok).toBe(true);
    const chunks = fake.sent.filter((s) => s.chatId === 4100).map((s) => s.text ?? '');
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(result.ok && result.messageIds).toHaveLength(chunks.length);
    expect(new Set(chunks).size, 'no chunk twice').toBe(chunks.length);
    const joined = chunks.join('\n');
    let at = -1;
    for (let i = 0; i < 60; i++) {
      const next = joined.indexOf(`Paragraph ${i}:`);
      expect(next, `paragraph ${i} present and in order`).toBeGreaterThan(at);
      at = next;
    }
    // The default pacing of one message per second per chat (after a burst of 3) spaced the chunks.
    const times = fake.calls.filter((c) => c.method === 'sendMessage' && !c.fault).map((c) => c.receivedAt);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((chunks.length - 3) * 900);
  }, 30_000);

  it('an ambiguous timeout is never re-sent, and a failure after some chunks is not retryable', async () => {
    h = await createHarness({ config: { requestTimeoutMs: 300 } });
    const { fake, adapter, context } = h;
    await adapter.start(context.ctx);
    // Telegram acts on the message but answers too late: the adapter cannot know, so it must not resend.
    fake.faults.next({ kind: 'delay', ms: 800 }, 1, { method: 'sendMessage' });
    const slow = await adapter.send(dm(4200), { text: 'slow answer' });
    expect(slow.ok).toBe(false);
    expect(!slow.ok && slow.error.code).toBe('timeout_ambiguous');
    expect(!slow.ok && slow.error.retryable).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(fake.callsTo('sendMessage')).toHaveLength(1);
    expect(fake.sent.filter((s) => s.text === 'slow answer')).toHaveLength(1);

    // A connection cut on a send: same rule.
    fake.faults.next({ kind: 'drop' }, 1, { method: 'sendMessage' });
    const cut = await adapter.send(dm(4200), { text: 'cut off' });
    expect(!cut.ok && cut.error.code).toBe('timeout_ambiguous');
    expect(fake.callsTo('sendMessage')).toHaveLength(2);

    // Chunk 2 of 3 refused: the error says so and forbids a retry that would repeat chunk 1.
    fake.faults.next({ kind: 'delay', ms: 1 }, 1, { method: 'sendMessage' });
    fake.faults.next({ kind: 'status', status: 400, description: 'Bad Request: chat not found' }, 1, {
      method: 'sendMessage',
    });
    const long = Array.from({ length: 30 }, (_, i) => `Line ${i} ${'x'.repeat(300)}`).join('\n\n');
    const partial = await adapter.send(dm(4200), { text: long });
    expect(partial.ok).toBe(false);
    expect(!partial.ok && partial.error.retryable).toBe(false);
    expect(!partial.ok && partial.error.message).toMatch(/after 1 part/);
  }, 30_000);
});
