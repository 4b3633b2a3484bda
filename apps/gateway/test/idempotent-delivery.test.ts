import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterError, type ChatRef, type OutboundMessage, type SendResult } from '@hermes/adapter-core';
import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotencyKeyOf } from '../src/state/outbox.js';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { MemoryAdapter } from './support/memory-adapter.js';

/**
 * A platform that dedupes sends on a key, as Discord's enforce_nonce, Matrix transaction ids and Feishu's
 * uuid do: the same key again returns the first message and creates none. `shown` is what the chat shows;
 * it outlives an adapter instance (a gateway restart), as the platform does.
 */
class KeyedPlatform {
  readonly shown: Array<{ key: string | undefined; text: string | undefined; id: string }> = [];
  readonly byKey = new Map<string, string[]>();
  readonly keysSeen: Array<string | undefined> = [];
}

class KeyedMemoryAdapter extends MemoryAdapter {
  /** The next sends land on the platform, but their answer is lost (a timeout after the request left). */
  loseNextAnswers = 0;

  constructor(readonly platformState: KeyedPlatform) {
    super('memory', { idempotentSend: { windowMs: 60_000 } });
  }

  override async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const key = message.idempotencyKey;
    this.platformState.keysSeen.push(key);
    const known = key ? this.platformState.byKey.get(key) : undefined;
    let ids = known;
    if (!ids) {
      const result = await super.send(chat, message);
      if (!result.ok) return result;
      ids = result.messageIds;
      for (const id of ids) this.platformState.shown.push({ key, text: message.text, id });
      if (key) this.platformState.byKey.set(key, ids);
    }
    if (this.loseNextAnswers > 0) {
      this.loseNextAnswers--;
      return { ok: false, error: new AdapterError('timeout_ambiguous', 'sent, no answer') };
    }
    return { ok: true, messageIds: ids };
  }
}

let h: Harness | undefined;
const homes: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

describe('replies on a platform that dedupes sends on a key (capabilities.idempotentSend)', () => {
  it('a send whose answer was lost is repeated under the same key and shows once', async () => {
    const platform = new KeyedPlatform();
    const adapter = new KeyedMemoryAdapter(platform);
    adapter.loseNextAnswers = 1;
    h = await startHarness({ adapter, files: { 'config.yaml': 'display:\n  streaming: off\n' } });
    h.fake.script(step.text('exactly once'));
    h.adapter.inject({ text: 'hi' });
    await waitFor(
      async () => (await h!.host.runtime.outbox.countByState()).sent === 1,
      'the reply marked sent',
    );
    expect(platform.shown.map((m) => m.text)).toEqual(['exactly once']);
    // Two tries, one key: the platform deduped the second.
    expect(platform.keysSeen).toHaveLength(2);
    expect(new Set(platform.keysSeen).size).toBe(1);
    expect(platform.keysSeen[0]).toMatch(/^h-[0-9a-z]+-[0-9a-z]+$/);
    expect((await h.host.runtime.outbox.countByState()).ambiguous).toBe(0);
  });

  it('a reply cut mid-send by a stop goes out again after the restart under its key, and shows once', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hermes-idem-'));
    homes.push(home);
    const platform = new KeyedPlatform();
    const first = await startHarness({ home, adapter: new KeyedMemoryAdapter(platform) });
    const chat: ChatRef = { platform: 'memory', chatId: 'chat-1', chatType: 'dm' };
    const rt = first.host.runtime;
    // What a stop in the middle of a send leaves: the row `sending`, the message on the platform or not.
    const [landed, lost] = (
      await rt.outbox.enqueue(chat, [{ text: 'landed before the stop' }], 'turn-1')
    ).concat(await rt.outbox.enqueue(chat, [{ text: 'never left' }], 'turn-2')) as [number, number];
    for (const id of [landed, lost]) await rt.outbox.markSending(id);
    const landedRow = (await rt.outbox.get(landed))!;
    const sentBefore = await first.adapter.send(chat, {
      text: 'landed before the stop',
      idempotencyKey: idempotencyKeyOf(landedRow),
    });
    expect(sentBefore.ok).toBe(true);
    await first.close();

    h = await startHarness({ home, adapter: new KeyedMemoryAdapter(platform) });
    await waitFor(async () => (await h!.host.runtime.outbox.countByState()).sent === 2, 'both rows sent');
    expect(platform.shown.map((m) => m.text)).toEqual([
      'landed before the stop',
      '♻️ Recovered reply (the gateway restarted before sending it):\nnever left',
    ]);
    const counts = await h.host.runtime.outbox.countByState();
    expect(counts.ambiguous).toBe(0);
    expect(
      h.logger.find('info', 'replies interrupted mid-send go out again under their idempotency keys'),
    ).toHaveLength(1);
  });

  it('without the capability a reply cut mid-send stays ambiguous and is never sent again', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hermes-idem-'));
    homes.push(home);
    const first = await startHarness({ home });
    const chat: ChatRef = { platform: 'memory', chatId: 'chat-1', chatType: 'dm' };
    const [row] = (await first.host.runtime.outbox.enqueue(chat, [{ text: 'maybe landed' }])) as [number];
    await first.host.runtime.outbox.markSending(row);
    await first.close();
    h = await startHarness({ home });
    await waitFor(async () => (await h!.host.runtime.outbox.countByState()).ambiguous === 1, 'ambiguous row');
    expect(h.adapter.sent).toHaveLength(0);
  });
});
