import { runConformanceScenario } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { dingtalkConformanceDriver } from './conformance-driver.js';
import { DINGTALK_EMOTION_DONE, DINGTALK_EMOTION_THINKING } from './constants.js';
import { type Rig, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const TEMPLATE = 'tpl-hermes.schema';

describe('dingtalk AI Card streaming (DINGTALK_CARD_TEMPLATE_ID)', () => {
  it('without a template there is no startStream and no nativeStreaming flag', async () => {
    rig = await startRig();
    expect(rig.adapter.startStream).toBeUndefined();
    expect(rig.adapter.capabilities.nativeStreaming).toBeUndefined();
  });

  it('with a template: conformance contract members hold (flag ⇔ startStream)', async () => {
    const outcome = await runConformanceScenario(
      dingtalkConformanceDriver('dingtalk with cards', { cardTemplateId: TEMPLATE }),
      'contract-members',
    );
    expect(outcome.status).toBe('passed');
  });

  it('streams a DM reply into one card: create, whole-text updates, finalize', async () => {
    rig = await startRig({ cardTemplateId: TEMPLATE });
    await rig.fake.deliverDm('explain', { staffId: 'alice' });
    const msg = await rig.context.waitForReceived((m) => m.text === 'explain', 5_000);
    const started = await rig.adapter.startStream!(msg.chat, { replyTo: msg.id });
    if (!started.ok) throw started.error;
    expect((await started.stream.update('Part one')).ok).toBe(true);
    expect((await started.stream.update('Part one, part two')).ok).toBe(true);
    const done = await started.stream.finish('Part one, part two. Done.');
    expect(done.ok).toBe(true);
    const cards = [...rig.fake.cards.values()];
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({
      openSpaceId: 'dtv1.card//IM_ROBOT.alice',
      templateId: TEMPLATE,
      content: 'Part one, part two. Done.',
      updates: 3,
      finalized: true,
      error: false,
    });
    expect(cards[0]!.outTrackId).toMatch(/^hermes_[0-9a-f]{12}$/);
    expect(done.ok && done.messageIds).toEqual([cards[0]!.outTrackId]);
    // The card is the reply: no markdown message was posted.
    expect(rig.fake.sentMessages()).toHaveLength(0);
  });

  it('a group card goes to IM_GROUP, and abort keeps the partial text with the note', async () => {
    rig = await startRig({ cardTemplateId: TEMPLATE });
    const started = await rig.adapter.startStream!(
      { platform: 'dingtalk', chatId: 'cidCards', chatType: 'group' },
      {},
    );
    if (!started.ok) throw started.error;
    await started.stream.update('half an answer');
    await started.stream.abort('(interrupted)');
    const [card] = [...rig.fake.cards.values()];
    expect(card).toMatchObject({
      openSpaceId: 'dtv1.card//IM_GROUP.cidCards',
      content: 'half an answer\n\n(interrupted)',
      finalized: true,
      error: true,
    });
  });
});

describe('dingtalk emotion reactions', () => {
  it('shows Thinking on a received message and swaps it for Done once the reply went out', async () => {
    rig = await startRig({ reactions: true });
    const msgId = await rig.fake.deliverDm('work on this', { staffId: 'alice' });
    const msg = await rig.context.waitForReceived((m) => m.text === 'work on this', 5_000);
    await rig.fake.server.waitForRequest((q) => q.path === '/v1.0/robot/emotion/reply', 5_000);
    expect((await rig.adapter.send(msg.chat, { text: 'done it' })).ok).toBe(true);
    await rig.fake.server.waitForRequest(
      (q) => q.path === '/v1.0/robot/emotion/reply' && q.text().includes(DINGTALK_EMOTION_DONE),
      5_000,
    );
    expect(rig.fake.reactions).toEqual([
      { action: 'reply', chatId: 'alice', msgId, name: DINGTALK_EMOTION_THINKING },
      { action: 'recall', chatId: 'alice', msgId, name: DINGTALK_EMOTION_THINKING },
      { action: 'reply', chatId: 'alice', msgId, name: DINGTALK_EMOTION_DONE },
    ]);
  });

  it('a robot without the emotion permission warns once and stops trying', async () => {
    rig = await startRig({ reactions: true });
    rig.fake.server.faults.next(
      { kind: 'status', status: 403, body: { code: 'Forbidden.AccessDenied' } },
      1,
      {
        path: '/v1.0/robot/emotion/reply',
      },
    );
    await rig.fake.deliverDm('one');
    await rig.fake.server.waitForRequest((q) => q.path === '/v1.0/robot/emotion/reply', 5_000);
    await rig.context.waitForReceived((m) => m.text === 'one', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await rig.fake.deliverDm('two');
    await rig.context.waitForReceived((m) => m.text === 'two', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(rig.fake.server.requests.filter((q) => q.path.startsWith('/v1.0/robot/emotion/'))).toHaveLength(1);
    expect(
      rig.context.logger.find('warn').filter((e) => e.msg.includes('emotion reactions turned off')),
    ).toHaveLength(1);
  });
});
