import { AdapterError, type ChatRef } from '@hermes/adapter-core';
import { createTestContext } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordAdapter } from '../src/adapter.js';
import { type FakeDiscord, startFakeDiscord } from '../src/testing/index.js';
import { type DiscordTestRig, startRig, testConfig } from './support.js';

describe('lifecycle codes (contract v2)', () => {
  let rig: DiscordTestRig | undefined;
  let fake: FakeDiscord | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
    await fake?.close();
    fake = undefined;
  });

  it('start() while started rejects with already_started and leaves the running adapter working', async () => {
    rig = await startRig();
    const second = createTestContext();
    try {
      const error = await rig.adapter.start(second.ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AdapterError);
      expect((error as AdapterError).code).toBe('already_started');
      expect((error as AdapterError).fix).toMatch(/stop\(\)/);
    } finally {
      await second.cleanup();
    }
    const chat: ChatRef = { platform: 'discord', chatId: rig.fake.ids.channels.general, chatType: 'group' };
    expect((await rig.adapter.send(chat, { text: 'still here' })).ok).toBe(true);
  });

  it('send(), edit() and settleActions() before start and after stop give not_connected', async () => {
    fake = await startFakeDiscord({ heartbeatIntervalMs: 250 });
    const adapter = new DiscordAdapter(testConfig(fake));
    const chat: ChatRef = { platform: 'discord', chatId: fake.ids.channels.general, chatType: 'group' };
    const before = await adapter.send(chat, { text: 'too early' });
    expect(before.ok).toBe(false);
    if (!before.ok) expect(before.error.code).toBe('not_connected');

    const context = createTestContext();
    try {
      await adapter.start(context.ctx);
      const sent = await adapter.send(chat, { text: 'on time' });
      expect(sent.ok).toBe(true);
      await adapter.stop();
    } finally {
      await adapter.stop();
      await context.cleanup();
    }
    for (const result of [
      await adapter.send(chat, { text: 'too late' }),
      await adapter.edit(chat, '1', 'x'),
      await adapter.settleActions(chat, '1', 'x'),
    ]) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('not_connected');
    }
    expect(fake.botMessages().map((m) => m.content)).toEqual(['on time']);
  });

  it('no public field exposes the config or the token', () => {
    const adapter = new DiscordAdapter({ token: 'secret-token-value', apiBase: 'http://127.0.0.1:9/api' });
    expect('config' in adapter).toBe(false);
    expect(JSON.stringify(adapter)).not.toContain('secret-token-value');
    for (const key of Object.keys(adapter)) {
      expect(JSON.stringify((adapter as unknown as Record<string, unknown>)[key]) ?? '').not.toContain(
        'secret-token-value',
      );
    }
  });
});
