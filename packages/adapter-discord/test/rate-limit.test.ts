import type { ChatRef, SendResult } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { MESSAGE_CREATE_ROUTE } from '../src/testing/index.js';
import { type DiscordTestRig, startRig } from './support.js';

const chat = (chatId: string): ChatRef => ({ platform: 'discord', chatId, chatType: 'group' });

describe('rate limits', () => {
  let rig: DiscordTestRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('a 429 storm: every message lands once, in order per channel', async () => {
    rig = await startRig(
      { globalRequestsPerSecond: 1000 },
      // Discord-like bucket (5 per second per channel) plus 30 % extra random 429s.
      {
        rateLimits: {
          perChannel: { limit: 5, windowMs: 1000 },
          storm: { probability: 0.3, retryAfterMs: 80, seed: 7 },
        },
      },
    );
    const { fake, adapter } = rig;
    const channels = [fake.ids.channels.general, fake.ids.channels.random, fake.ids.channels.help];
    const perChannel = 15;
    const sends: Array<Promise<SendResult>> = [];
    for (let i = 0; i < perChannel; i += 1) {
      for (const channelId of channels)
        sends.push(adapter.send(chat(channelId), { text: `${channelId}#${i}` }));
    }
    const results = await Promise.all(sends);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(fake.rateLimited).toBeGreaterThan(10);
    for (const channelId of channels) {
      const landed = fake
        .botMessages()
        .filter((m) => m.channelId === channelId)
        .map((m) => m.content);
      expect(landed).toEqual(Array.from({ length: perChannel }, (_, i) => `${channelId}#${i}`));
    }
    expect(adapter.stats.rateLimited).toBeGreaterThan(0);
    expect(rig.context.logger.find('warn', 'rate limit').length).toBeGreaterThan(0);
  }, 60_000);

  it('a long reply under 429s arrives as ordered chunks, none doubled', async () => {
    rig = await startRig({}, { rateLimits: { storm: { probability: 0.5, retryAfterMs: 50, seed: 11 } } });
    const { fake, adapter } = rig;
    const paragraphs = Array.from(
      { length: 60 },
      (_, i) => `Paragraph ${String(i).padStart(3, '0')} ${'lorem ipsum '.repeat(10)}`,
    );
    const result = await adapter.send(chat(fake.ids.channels.general), { text: paragraphs.join('\n\n') });
    expect(result.ok).toBe(true);
    const landed = fake.botMessages().map((m) => m.content);
    expect(landed.length).toBeGreaterThan(3);
    for (const text of landed) expect([...text].length).toBeLessThanOrEqual(2000);
    const joined = landed.join('\n');
    let at = -1;
    for (const p of paragraphs) {
      const next = joined.indexOf(p.trim());
      expect(next).toBeGreaterThan(at);
      at = next;
    }
    if (result.ok) expect(result.messageIds).toHaveLength(landed.length);
  }, 30_000);

  it('a global 429 pauses everything and then every message lands', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    fake.faults.next(
      { kind: 'rate-limit', retryAfterSeconds: 0.3, global: true },
      { match: MESSAGE_CREATE_ROUTE },
    );
    const started = Date.now();
    const results = await Promise.all([
      adapter.send(chat(fake.ids.channels.general), { text: 'one' }),
      adapter.send(chat(fake.ids.channels.random), { text: 'two' }),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(
      fake
        .botMessages()
        .map((m) => m.content)
        .sort(),
    ).toEqual(['one', 'two']);
  });

  it('a 429 asking for longer than maxRateLimitWaitMs fails the send instead of hanging', async () => {
    rig = await startRig({ maxRateLimitWaitMs: 1_000 });
    const { fake, adapter } = rig;
    fake.faults.next({ kind: 'rate-limit', retryAfterSeconds: 30 }, { match: MESSAGE_CREATE_ROUTE });
    const result = await adapter.send(chat(fake.ids.channels.general), { text: 'later' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('rate_limited');
      expect(result.error.retryAfterMs).toBeGreaterThanOrEqual(29_000);
    }
    expect(fake.botMessages()).toHaveLength(0);
  });
});
