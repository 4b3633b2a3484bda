import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, startFakeServer } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DingtalkAdapter } from './adapter.js';
import { fakeConfig, type Rig, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const GROUP = 'cidOpsRoom';
const sendPaths = (r: Rig) =>
  r.fake.server.requests
    .filter((q) => /sendBySession|batchSend|groupMessages/.test(q.path))
    .map((q) => q.path);

describe('dingtalk replies through the session webhook while it is valid', () => {
  it('a DM reply is markdown titled Hermes on the webhook, and uses no access token', async () => {
    rig = await startRig();
    await rig.fake.deliverDm('ping', { staffId: 'alice' });
    const msg = await rig.context.waitForReceived((m) => m.text === 'ping', 5_000);
    const result = await rig.adapter.send(msg.chat, { text: '**pong**', replyTo: msg.id });
    expect(result.ok).toBe(true);
    const posted = rig.fake.server.requests.find((q) => q.path === '/robot/sendBySession');
    expect(posted?.json()).toEqual({ msgtype: 'markdown', markdown: { title: 'Hermes', text: '**pong**' } });
    expect(rig.fake.server.requests.some((q) => q.path === '/v1.0/oauth2/accessToken')).toBe(false);
    expect(rig.fake.sentMessages()).toMatchObject([{ chatId: 'alice', text: '**pong**' }]);
    expect(rig.adapter.stats().send).toEqual({ webhook: 1, proactive: 0, webhookFallbacks: 0 });
  });

  it('a group reply goes to that group webhook', async () => {
    rig = await startRig();
    await rig.fake.deliverGroup('status?', { mention: true, conversationId: GROUP });
    const msg = await rig.context.waitForReceived((m) => m.text === 'status?', 5_000);
    expect((await rig.adapter.send(msg.chat, { text: 'all green' })).ok).toBe(true);
    expect(rig.fake.sentMessages()).toMatchObject([{ chatId: GROUP, text: 'all green' }]);
    expect(sendPaths(rig)).toEqual(['/robot/sendBySession']);
  });
});

describe('dingtalk sends proactively when no webhook is usable (H#40818: cron failed once it expired)', () => {
  it('a webhook within 5 minutes of expiry is not used: DM through batchSend, group through groupMessages/send', async () => {
    rig = await startRig();
    const soon = Date.now() + 4 * 60_000;
    await rig.fake.deliverDm('dm question', { staffId: 'alice', webhookExpiresAt: soon });
    await rig.fake.deliverGroup('group question', {
      mention: true,
      conversationId: GROUP,
      webhookExpiresAt: soon,
    });
    await rig.context.waitForReceived((m) => m.text === 'group question', 5_000);
    const [dm, group] = rig.context.received;
    expect((await rig.adapter.send(dm!.chat, { text: 'dm answer' })).ok).toBe(true);
    expect((await rig.adapter.send(group!.chat, { text: 'group answer' })).ok).toBe(true);
    expect(sendPaths(rig)).toEqual(['/v1.0/robot/oToMessages/batchSend', '/v1.0/robot/groupMessages/send']);
    const [batch, groupSend] = rig.fake.server.requests.filter((q) => /batchSend|groupMessages/.test(q.path));
    expect(batch!.json()).toEqual({
      robotCode: rig.fake.robotCode,
      userIds: ['alice'],
      msgKey: 'sampleMarkdown',
      msgParam: JSON.stringify({ title: 'Hermes', text: 'dm answer' }),
    });
    expect(batch!.headers['x-acs-dingtalk-access-token']).toMatch(/^fake-at-/);
    expect(groupSend!.json()).toMatchObject({ openConversationId: GROUP, robotCode: rig.fake.robotCode });
    expect(rig.fake.sentMessages().map((m) => [m.chatId, m.text])).toEqual([
      ['alice', 'dm answer'],
      [GROUP, 'group answer'],
    ]);
  });

  it('cron output to a home channel, with no inbound at all and after a restart, goes proactively', async () => {
    rig = await startRig();
    await rig.fake.deliverGroup('earlier', { mention: true, conversationId: GROUP });
    await rig.context.waitForReceived((m) => m.text === 'earlier', 5_000);
    // A fresh process knows no webhook: the group id (cid…) and a staff id still route.
    const context = createTestContext();
    const restarted = new DingtalkAdapter(fakeConfig(rig.fake));
    await restarted.start(context.ctx);
    try {
      const toGroup = await restarted.send(
        { platform: 'dingtalk', chatId: GROUP, chatType: 'group' },
        { text: 'daily report' },
      );
      const toUser = await restarted.send(
        { platform: 'dingtalk', chatId: 'bob', chatType: 'group' },
        { text: 'your digest' },
      );
      expect([toGroup.ok, toUser.ok]).toEqual([true, true]);
    } finally {
      await restarted.stop();
      await context.cleanup();
    }
    expect(rig.fake.sends.map((s) => [s.route, s.chatId, s.accepted])).toEqual([
      ['group', GROUP, true],
      ['user', 'bob', true],
    ]);
  });

  it('a webhook DingTalk refuses is dropped and the chunk goes proactively, once', async () => {
    rig = await startRig();
    await rig.fake.deliverDm('hi', { staffId: 'alice' });
    const msg = await rig.context.waitForReceived((m) => m.text === 'hi', 5_000);
    rig.fake.expireSessions();
    expect((await rig.adapter.send(msg.chat, { text: 'first' })).ok).toBe(true);
    expect((await rig.adapter.send(msg.chat, { text: 'second' })).ok).toBe(true);
    expect(rig.fake.sends.map((s) => [s.route, s.text, s.accepted])).toEqual([
      ['webhook', 'first', false],
      ['user', 'first', true],
      ['user', 'second', true],
    ]);
    expect(rig.adapter.stats().send).toEqual({ webhook: 0, proactive: 2, webhookFallbacks: 1 });
  });

  it('a session webhook on a foreign host is never called', async () => {
    const foreign = await startFakeServer();
    try {
      rig = await startRig();
      await rig.fake.deliverDm('phish', {
        staffId: 'alice',
        sessionWebhook: `${foreign.url}/robot/sendBySession?session=x`,
      });
      const msg = await rig.context.waitForReceived((m) => m.text === 'phish', 5_000);
      expect((await rig.adapter.send(msg.chat, { text: 'safe reply' })).ok).toBe(true);
      expect(foreign.requests).toHaveLength(0);
      expect(sendPaths(rig)).toEqual(['/v1.0/robot/oToMessages/batchSend']);
      expect(rig.context.logger.find('warn').map((e) => e.msg)).toContain(
        'DingTalk session webhook not used; replies to this chat go through the robot API',
      );
    } finally {
      await foreign.close();
    }
  });

  it('a rotated access token is fetched again and the message sent once', async () => {
    rig = await startRig();
    expect(
      (await rig.adapter.send({ platform: 'dingtalk', chatId: 'alice', chatType: 'dm' }, { text: 'one' })).ok,
    ).toBe(true);
    rig.fake.revokeTokens();
    expect(
      (await rig.adapter.send({ platform: 'dingtalk', chatId: 'alice', chatType: 'dm' }, { text: 'two' })).ok,
    ).toBe(true);
    expect(rig.fake.sentMessages().map((m) => m.text)).toEqual(['one', 'two']);
    expect(rig.fake.server.requests.filter((q) => q.path === '/v1.0/oauth2/accessToken')).toHaveLength(2);
  });

  it('an unknown staff id fails with not_found and a fix, not a silent success', async () => {
    rig = await startRig();
    const result = await rig.adapter.send(
      { platform: 'dingtalk', chatId: 'nobody', chatType: 'dm' },
      { text: 'x' },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(!result.ok && result.error.fix).toMatch(/staff id/);
  });
});

describe('dingtalk throttling', () => {
  it('errcode 130101 on the webhook and 403 QpsLimit on the API pause the chat, then each message lands once', async () => {
    rig = await startRig();
    await rig.fake.deliverDm('q', { staffId: 'alice' });
    const msg = await rig.context.waitForReceived((m) => m.text === 'q', 5_000);
    rig.fake.throttleNextSends(1);
    expect((await rig.adapter.send(msg.chat, { text: 'via webhook' })).ok).toBe(true);
    rig.fake.throttleNextSends(1);
    expect(
      (
        await rig.adapter.send(
          { platform: 'dingtalk', chatId: GROUP, chatType: 'group' },
          { text: 'via api' },
        )
      ).ok,
    ).toBe(true);
    const tries = rig.fake.sends.map((s) => [s.route, s.text, s.accepted]);
    expect(tries).toEqual([
      ['webhook', 'via webhook', false],
      ['webhook', 'via webhook', true],
      ['group', 'via api', false],
      ['group', 'via api', true],
    ]);
    const gap = (i: number) => rig!.fake.sends[i + 1]!.at - rig!.fake.sends[i]!.at;
    // DingTalk gives no retry time; the adapter holds the chat for its default 3 s.
    expect(gap(0)).toBeGreaterThanOrEqual(2_950);
    expect(gap(2)).toBeGreaterThanOrEqual(2_950);
  }, 20_000);
});

describe('dingtalk media out', () => {
  it('uploads files and posts them through the robot API: images inline, others as files, captions first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dt-media-'));
    try {
      const png = join(dir, 'chart.png');
      const pdf = join(dir, 'report.pdf');
      await writeFile(png, Buffer.from('89504e470d0a1a0a', 'hex'));
      await writeFile(pdf, '%PDF-1.4');
      rig = await startRig();
      await rig.fake.deliverDm('send me the files', { staffId: 'alice' });
      const msg = await rig.context.waitForReceived((m) => m.text === 'send me the files', 5_000);
      const result = await rig.adapter.send(msg.chat, {
        text: 'here you go',
        media: [
          { kind: 'image', path: png, caption: 'Q3' },
          { kind: 'file', path: pdf },
        ],
      });
      expect(result.ok && result.messageIds).toHaveLength(4);
      const sent = rig.fake.sentMessages();
      expect(sent.map((m) => [m.chatId, m.text, m.mediaName])).toEqual([
        ['alice', 'here you go', undefined],
        ['alice', 'Q3', undefined],
        ['alice', '', 'chart.png'],
        ['alice', '', 'report.pdf'],
      ]);
      expect(sent[3]!.mediaBytes?.toString()).toBe('%PDF-1.4');
      // Text and caption used the session webhook; files can only go through the robot API.
      expect(rig.fake.sends.map((s) => s.route)).toEqual(['webhook', 'webhook', 'user', 'user']);
      const bodies = rig.fake.server.requests
        .filter((q) => q.path === '/v1.0/robot/oToMessages/batchSend')
        .map((q) => q.json<{ msgKey: string }>().msgKey);
      expect(bodies).toEqual(['sampleImageMsg', 'sampleFile']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a file DingTalk refuses becomes a note naming it, and the send still succeeds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dt-media-'));
    try {
      const path = join(dir, 'huge.bin');
      await writeFile(path, 'x');
      rig = await startRig();
      rig.fake.server.faults.next(
        { kind: 'status', status: 200, body: { errcode: 40006, errmsg: 'bad file' } },
        1,
        {
          path: '/media/upload',
        },
      );
      const result = await rig.adapter.send(
        { platform: 'dingtalk', chatId: 'alice', chatType: 'dm' },
        { media: [{ kind: 'file', path }] },
      );
      expect(result.ok).toBe(true);
      expect(rig.fake.sentMessages().map((m) => m.text)).toEqual([
        '📎 huge.bin (file) was not attached: DingTalk refused it',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
