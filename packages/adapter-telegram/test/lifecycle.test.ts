import type { ChatRef } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeTelegramUserId, telegramDescriptor } from '../src/index.js';
import { createHarness, type TelegramHarness } from './harness.js';

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const alice: ChatRef = { platform: 'telegram', chatId: '1001', chatType: 'dm' };

describe('lifecycle', () => {
  it('start() while started rejects with already_started and leaves the running adapter alone', async () => {
    h = await createHarness();
    await h.adapter.start(h.context.ctx);
    await expect(h.adapter.start(h.context.ctx)).rejects.toMatchObject({ code: 'already_started' });
    expect((await h.adapter.send(alice, { text: 'still here' })).ok).toBe(true);
  });

  it('send() before start and after stop is not_connected, and nothing is posted', async () => {
    h = await createHarness();
    const before = await h.adapter.send(alice, { text: 'early' });
    expect(before).toMatchObject({ ok: false, error: { code: 'not_connected' } });
    await h.adapter.start(h.context.ctx);
    await h.adapter.stop();
    const after = await h.adapter.send(alice, { text: 'late' });
    expect(after).toMatchObject({ ok: false, error: { code: 'not_connected' } });
    expect((await h.adapter.settleActions(alice, '1', 'done')).ok).toBe(false);
    expect((await h.adapter.startStream(alice, {})).ok).toBe(false);
    expect(h.fake.callsTo('sendMessage')).toHaveLength(0);
  });

  it('no public field exposes the config or the token', async () => {
    h = await createHarness();
    const adapter = h.adapter as unknown as Record<string, unknown>;
    expect(adapter['config']).toBeUndefined();
    expect(JSON.stringify(Object.entries(adapter))).not.toContain(h.fake.token);
  });
});

describe('allowlist ids', () => {
  it('usernames compare without @ and in any case; numeric ids stay as they are', () => {
    expect(normalizeTelegramUserId('@Alice')).toBe('alice');
    expect(normalizeTelegramUserId('alice')).toBe('alice');
    expect(normalizeTelegramUserId(' 123456789 ')).toBe('123456789');
    expect(normalizeTelegramUserId('-1001234')).toBe('-1001234');
    expect(telegramDescriptor.normalizeUserId).toBe(normalizeTelegramUserId);
  });
});
