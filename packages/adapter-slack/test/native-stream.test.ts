import type { ChatRef } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL, DM, type SlackTestRig, startRig, USER } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const dm: ChatRef = { platform: 'slack', chatId: DM, chatType: 'dm' };
const calls = (r: SlackTestRig, method: string) => r.fake.requests.filter((q) => q.method === method);

describe('slack native streaming', () => {
  it('appends only the new text and finish leaves exactly one message, the reply', async () => {
    rig = await startRig();
    const opened = await rig.adapter.startStream(dm, { replyTo: '1700000000.000100' });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const { stream } = opened;
    expect((await stream.update('Hello')).ok).toBe(true);
    expect((await stream.update('Hello')).ok).toBe(true);
    expect((await stream.update('Hello, wor')).ok).toBe(true);
    const done = await stream.finish('Hello, world. **Done.**');
    expect(done.ok).toBe(true);
    const s = rig.fake.streams[0]!;
    expect(s.threadTs).toBe('1700000000.000100');
    expect(s.appends).toEqual(['Hello', ', wor', 'ld. **Done.**']);
    expect(s.text).toBe('Hello, world. **Done.**');
    expect(s.stopped).toBe(true);
    expect(rig.fake.posts).toHaveLength(1);
    expect(calls(rig, 'chat.postMessage')).toHaveLength(0);
    if (done.ok) expect(done.messageIds).toEqual([s.ts]);
    const second = await stream.update('more');
    expect(second.ok).toBe(false);
  });

  it('a rewritten text stops the stream and edits the message instead of appending it twice', async () => {
    rig = await startRig();
    const opened = await rig.adapter.startStream(dm, { threadId: '1700000000.000100' });
    if (!opened.ok) throw opened.error;
    await opened.stream.update('Draft one');
    expect((await opened.stream.update('Final answer')).ok).toBe(true);
    expect((await opened.stream.finish('Final answer, complete')).ok).toBe(true);
    const s = rig.fake.streams[0]!;
    expect(s.appends).toEqual(['Draft one']);
    expect(s.stopped).toBe(true);
    expect(rig.fake.posts).toHaveLength(1);
    expect(rig.fake.posts[0]!.text).toBe('Final answer, complete');
  });

  it('abort stops the stream with the note appended', async () => {
    rig = await startRig();
    const opened = await rig.adapter.startStream(dm, { replyTo: '1700000000.000100' });
    if (!opened.ok) throw opened.error;
    await opened.stream.update('Partial');
    expect((await opened.stream.abort('_(stopped)_')).ok).toBe(true);
    expect(rig.fake.streams[0]!.text).toBe('Partial\n\n_(stopped)_');
    expect(rig.fake.streams[0]!.stopped).toBe(true);
  });

  it('names the recipient outside DMs (the author of the message answered)', async () => {
    rig = await startRig();
    rig.fake.mention({ channel: CHANNEL, text: 'stream to me', ts: '1700000000.000300', user: USER });
    const msg = await rig.context.waitForReceived((m) => m.text === 'stream to me', 5_000);
    const opened = await rig.adapter.startStream(msg.chat, { replyTo: msg.id });
    if (!opened.ok) throw opened.error;
    await opened.stream.finish('hi');
    expect(rig.fake.streams[0]).toMatchObject({
      channel: CHANNEL,
      threadTs: '1700000000.000300',
      recipientUserId: USER,
      recipientTeamId: rig.fake.identity.teamId,
    });
  });

  it('answers unsupported when Slack refuses (no AI features) or there is no thread, so the host edits instead', async () => {
    rig = await startRig({ fake: { nativeStreaming: false } });
    const refused = await rig.adapter.startStream(dm, { replyTo: '1700000000.000100' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('unsupported');
      expect(refused.error.message).toContain('feature_not_enabled');
    }
    const noThread = await rig.adapter.startStream(dm, {});
    expect(noThread.ok).toBe(false);
    if (!noThread.ok) expect(noThread.error.code).toBe('unsupported');
    const channel: ChatRef = { platform: 'slack', chatId: CHANNEL, chatType: 'channel' };
    const unknownAsker = await rig.adapter.startStream(channel, { replyTo: '1700000000.000999' });
    if (!unknownAsker.ok) expect(unknownAsker.error.code).toBe('unsupported');
    expect(unknownAsker.ok).toBe(false);
    expect(rig.fake.posts).toHaveLength(0);
  });

  it('the fake refuses bad stream parameters the way Slack does', async () => {
    rig = await startRig();
    rig.fake.failNext('chat.startStream', { kind: 'error', error: 'method_not_supported' });
    const refused = await rig.adapter.startStream(dm, { replyTo: '1700000000.000100' });
    if (!refused.ok) expect(refused.error.code).toBe('unsupported');
    expect(refused.ok).toBe(false);
    const res = await fetch(`${rig.fake.apiUrl}chat.appendStream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rig.fake.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: DM, ts: '1700000000.000555', markdown_text: 'x' }),
    });
    expect(await res.json()).toEqual({ ok: false, error: 'message_not_found' });
  });

  it('says it streams natively exactly when startStream exists', async () => {
    rig = await startRig();
    expect(rig.adapter.capabilities.nativeStreaming).toBe(true);
    expect(typeof rig.adapter.startStream).toBe('function');
    expect(rig.adapter.capabilities.chatRateLimit).toEqual({ messages: 50, perMs: 60_000 });
  });
});
