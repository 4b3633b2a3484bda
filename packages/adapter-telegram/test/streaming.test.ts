import type { ChatRef } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type TelegramHarness } from './harness.js';

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function started(): Promise<TelegramHarness> {
  h = await createHarness();
  await h.adapter.start(h.context.ctx);
  return h;
}

const alice: ChatRef = { platform: 'telegram', chatId: '1001', chatType: 'dm' };

describe('native streaming with message drafts', () => {
  it('grows a draft, then finish posts exactly one final reply', async () => {
    const t = await started();
    t.fake.sendText({ chat: t.fake.aliceDm, from: t.fake.alice, text: 'tell me' });
    const question = await t.context.waitForReceived();
    const opened = await t.adapter.startStream(alice, { replyTo: question.id });
    if (!opened.ok) throw opened.error;
    const { stream } = opened;
    expect((await stream.update('')).ok).toBe(true); // nothing to show yet: no call
    for (const text of ['Once', 'Once upon', 'Once upon a **time**']) {
      expect(await stream.update(text)).toEqual({ ok: true, messageIds: [] });
    }
    const drafts = t.fake.seen.drafts;
    expect(drafts.map((d) => d.text)).toEqual(['Once', 'Once upon', 'Once upon a <b>time</b>']);
    expect(new Set(drafts.map((d) => d.draftId)).size).toBe(1);
    expect(drafts[0]!.draftId).not.toBe(0);
    expect(drafts.every((d) => d.chatId === 1001 && d.parseMode === 'HTML')).toBe(true);
    expect(t.fake.sent).toHaveLength(0);

    const done = await stream.finish('Once upon a **time**, the end.');
    expect(done.ok).toBe(true);
    expect(t.fake.sent).toHaveLength(1);
    expect(t.fake.sent[0]!.message['text']).toBe('Once upon a time, the end.');
    expect(t.fake.sent[0]!.replyTo).toBe(Number(question.id));
    // The stream is over: nothing more is posted.
    expect((await stream.finish('again')).ok).toBe(false);
    expect((await stream.update('more')).ok).toBe(false);
    expect(t.fake.sent).toHaveLength(1);
  });

  it('a draft longer than 4096 shows the part being written, within the limit', async () => {
    const t = await started();
    const opened = await t.adapter.startStream(alice, {});
    if (!opened.ok) throw opened.error;
    const long = `${'alpha '.repeat(800)}\n\n${'omega '.repeat(100)}`;
    expect((await opened.stream.update(long)).ok).toBe(true);
    const shown = t.fake.seen.drafts.at(-1)!.text;
    expect(shown.length).toBeLessThanOrEqual(4096);
    expect(shown).toContain('omega');
    const done = await opened.stream.finish(long);
    if (!done.ok) throw done.error;
    expect(done.messageIds.length).toBe(2);
  });

  it('abort posts the partial text with the note as the final message', async () => {
    const t = await started();
    const opened = await t.adapter.startStream(alice, {});
    if (!opened.ok) throw opened.error;
    await opened.stream.update('Half an ans');
    const aborted = await opened.stream.abort('_(stopped)_');
    expect(aborted.ok).toBe(true);
    expect(t.fake.sent).toHaveLength(1);
    expect(t.fake.sent[0]!.message['text']).toBe('Half an ans\n\n(stopped)');
  });

  it('groups are unsupported, so the host falls back to edit streaming', async () => {
    const t = await started();
    const group: ChatRef = { platform: 'telegram', chatId: String(t.fake.group.id), chatType: 'group' };
    const opened = await t.adapter.startStream(group, {});
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.error.code).toBe('unsupported');
    expect(opened.error.message).toMatch(/private chats/);
    expect(t.fake.callsTo('sendMessageDraft')).toHaveLength(0);
  });

  it('the fake checks drafts as Telegram does', async () => {
    const t = await started();
    const call = (params: Record<string, unknown>) =>
      fetch(`${t.fake.apiRoot}/bot${t.fake.token}/sendMessageDraft`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { description?: string } }));
    expect((await call({ chat_id: 1001, draft_id: 0, text: 'x' })).body.description).toMatch(/non-zero/);
    expect((await call({ chat_id: 1001, draft_id: 7, text: '' })).body.description).toMatch(/empty/);
    expect((await call({ chat_id: 1001, draft_id: 7, text: 'x'.repeat(4097) })).body.description).toMatch(
      /too long/,
    );
    expect((await call({ chat_id: t.fake.group.id, draft_id: 7, text: 'x' })).status).toBe(400);
    expect((await call({ chat_id: 1001, draft_id: 7, text: 'ok' })).status).toBe(200);
    expect(t.fake.seen.drafts).toEqual([{ chatId: 1001, draftId: 7, text: 'ok' }]);
  });

  it('declares native streaming and a per-chat rate budget', async () => {
    const t = await started();
    expect(t.adapter.capabilities.nativeStreaming).toBe(true);
    expect(typeof t.adapter.startStream).toBe('function');
    expect(t.adapter.capabilities.chatRateLimit).toEqual({ messages: 20, perMs: 60_000 });
  });
});
