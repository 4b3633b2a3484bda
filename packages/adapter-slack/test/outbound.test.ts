import type { ChatRef } from '@hermes/adapter-core';
import { measureLength } from '@hermes/adapter-core';
import { sleep } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL, DM, type SlackTestRig, startRig } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const dm: ChatRef = { platform: 'slack', chatId: DM, chatType: 'dm' };
const channel: ChatRef = { platform: 'slack', chatId: CHANNEL, chatType: 'channel' };
const postCalls = (r: SlackTestRig) => r.fake.requests.filter((q) => q.method === 'chat.postMessage');

describe('slack outbound', () => {
  it('renders Markdown to mrkdwn', async () => {
    rig = await startRig();
    const result = await rig.adapter.send(dm, {
      text: '**bold** and _it_ and `code` and [a link](https://example.com) & <x>',
    });
    expect(result.ok).toBe(true);
    expect(rig.fake.posts[0]!.text).toBe(
      '*bold* and _it_ and `code` and <https://example.com|a link> &amp; &lt;x&gt;',
    );
    expect(rig.fake.posts[0]!.params['mrkdwn']).toBe('true');
  });

  it('format "plain" sends the text without mrkdwn', async () => {
    rig = await startRig();
    await rig.adapter.send(dm, { text: '**not bold**', format: 'plain' });
    expect(rig.fake.posts[0]!.text).toBe('not bold');
    expect(rig.fake.posts[0]!.params['mrkdwn']).toBe('false');
  });

  it('a reply cut short by an ambiguous failure (post done, socket reset) is not sent again', async () => {
    rig = await startRig();
    rig.fake.failNext('chat.postMessage', { kind: 'drop-after' });
    const result = await rig.adapter.send(dm, { text: 'only once please' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('timeout_ambiguous');
    await sleep(300);
    expect(postCalls(rig)).toHaveLength(1);
    expect(rig.fake.posts.filter((p) => p.text === 'only once please')).toHaveLength(1);
  });

  it("Slack's internal_error (it may have acted) and a non-JSON answer are not retried either", async () => {
    rig = await startRig();
    rig.fake.failNext('chat.postMessage', { kind: 'error', error: 'internal_error' });
    const first = await rig.adapter.send(dm, { text: 'maybe posted' });
    rig.fake.failNext('chat.postMessage', { kind: 'garbage' });
    const second = await rig.adapter.send(dm, { text: 'garbage answer' });
    expect([first.ok, second.ok]).toEqual([false, false]);
    if (!first.ok) expect(first.error.code).toBe('timeout_ambiguous');
    if (!second.ok) expect(second.error.code).toBe('timeout_ambiguous');
    expect(postCalls(rig)).toHaveLength(2);
  });

  it('transient answers that did nothing (503, service_unavailable, 429) are retried and land once', async () => {
    rig = await startRig();
    rig.fake.failNext('chat.postMessage', { kind: 'http', status: 503 });
    rig.fake.failNext('chat.postMessage', { kind: 'error', error: 'service_unavailable' });
    rig.fake.failNext('chat.postMessage', { kind: 'rate-limit', retryAfterSeconds: 0 });
    const result = await rig.adapter.send(dm, { text: 'third time lucky' });
    expect(result.ok).toBe(true);
    expect(postCalls(rig)).toHaveLength(4);
    expect(rig.fake.posts).toHaveLength(1);
  });

  it('a permanent error comes back as a typed error with a fix, and later parts of the reply are not sent', async () => {
    rig = await startRig({ config: { maxMessageLength: 500 } });
    rig.fake.failNext('chat.postMessage', { kind: 'error', error: 'not_in_channel' });
    const long = Array.from(
      { length: 40 },
      (_, i) => `Sentence number ${i} of a reply that needs splitting.`,
    ).join(' ');
    const result = await rig.adapter.send(channel, { text: long });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('forbidden');
      expect(result.error.fix).toMatch(/invite/);
    }
    await sleep(200);
    expect(postCalls(rig)).toHaveLength(1);
    expect(rig.fake.posts).toHaveLength(0);
  });

  it('msg_too_long re-splits the chunk smaller instead of losing it', async () => {
    rig = await startRig({ config: { maxMessageLength: 40_000 }, fake: { maxTextLength: 6_000 } });
    const words = Array.from({ length: 3_000 }, (_, i) => `w${i}`);
    const result = await rig.adapter.send(dm, { text: words.join(' ') });
    expect(result.ok).toBe(true);
    const posts = rig.fake.posts;
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const p of posts) expect(measureLength(p.text, 'utf16')).toBeLessThanOrEqual(6_000);
    expect(
      posts
        .map((p) => p.text)
        .join(' ')
        .split(/\s+/),
    ).toEqual(words);
    if (result.ok) expect(result.messageIds).toHaveLength(posts.length);
  });

  it('the parts of two long replies to one channel do not interleave', async () => {
    rig = await startRig({ config: { maxMessageLength: 300 } });
    const reply = (tag: string) => Array.from({ length: 200 }, (_, i) => `${tag}${i}`).join(' ');
    const [a, b] = await Promise.all([
      rig.adapter.send(dm, { text: reply('a') }),
      rig.adapter.send(dm, { text: reply('b') }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    const tags = rig.fake.posts.map((p) => p.text[0]);
    expect(tags.length).toBeGreaterThanOrEqual(6);
    const firstB = tags.indexOf('b');
    expect(tags.slice(0, firstB).every((t) => t === 'a')).toBe(true);
    expect(tags.slice(firstB).every((t) => t === 'b')).toBe(true);
  });

  it('edit uses chat.update; text that outgrew one message continues in new messages', async () => {
    rig = await startRig({ config: { maxMessageLength: 300 } });
    const sent = await rig.adapter.send(channel, { text: 'short', threadId: '1700000700.000100' });
    if (!sent.ok) throw sent.error;
    const longer = Array.from({ length: 60 }, (_, i) => `part${i}`).join(' ');
    const edited = await rig.adapter.edit(
      { ...channel, threadId: '1700000700.000100' },
      sent.messageIds[0]!,
      longer,
    );
    expect(edited.ok).toBe(true);
    if (edited.ok) expect(edited.messageIds.length).toBeGreaterThan(1);
    expect(rig.fake.updates).toHaveLength(1);
    const joined = [rig.fake.updates[0]!.text, ...rig.fake.posts.slice(1).map((p) => p.text)].join(' ');
    expect(joined.split(/\s+/)).toEqual(longer.split(' '));
    expect(rig.fake.posts.slice(1).every((p) => p.threadTs === '1700000700.000100')).toBe(true);
  });

  it('delete returns false for a message that is not there; reactions take names and characters', async () => {
    rig = await startRig();
    expect(await rig.adapter.delete(dm, '1700000000.999999')).toBe(false);
    const sent = await rig.adapter.send(dm, { text: 'react to me' });
    if (!sent.ok) throw sent.error;
    const ts = sent.messageIds[0]!;
    await rig.adapter.react(dm, ts, '👀');
    await rig.adapter.react(dm, ts, '✅');
    await rig.adapter.react(dm, ts, ':tada:');
    await rig.adapter.react(dm, ts, '👀');
    expect(rig.fake.reactions.map((r) => r.name)).toEqual(['eyes', 'white_check_mark', 'tada']);
    await expect(rig.adapter.react(dm, ts, '🦜')).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('a file goes through getUploadURLExternal, the upload URL and completeUploadExternal, into the thread', async () => {
    rig = await startRig();
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'slack-upload-'));
    try {
      const path = join(dir, 'report.txt');
      await writeFile(path, 'file body');
      rig.fake.failNext('files.completeUploadExternal', { kind: 'rate-limit', retryAfterSeconds: 0 });
      const result = await rig.adapter.send(
        { ...channel, threadId: '1700000800.000100' },
        {
          text: 'here it is',
          media: [{ kind: 'file', path, name: 'report.txt', caption: 'the **report**' }],
        },
      );
      expect(result.ok).toBe(true);
      const methods = rig.fake.requests.map((r) => r.method).filter((m) => !m.startsWith('/files-pri'));
      expect(methods.slice(-5)).toEqual([
        'chat.postMessage',
        'files.getUploadURLExternal',
        expect.stringMatching(/^\/upload\/v1\//),
        'files.completeUploadExternal',
        'files.completeUploadExternal',
      ]);
      expect(rig.fake.uploads).toHaveLength(1);
      expect(rig.fake.uploads[0]).toMatchObject({
        filename: 'report.txt',
        channel: CHANNEL,
        threadTs: '1700000800.000100',
        initialComment: 'the *report*',
      });
      expect(rig.fake.uploads[0]!.bytes.toString()).toBe('file body');
      if (result.ok) expect(result.messageIds).toEqual([rig.fake.posts[0]!.ts, rig.fake.uploads[0]!.ts]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('send before start() is a typed error, not a throw', async () => {
    rig = await startRig();
    await rig.adapter.stop();
    const result = await rig.adapter.send(dm, { text: 'too late' });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_connected' } });
  });
});
