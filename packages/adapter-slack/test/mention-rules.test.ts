import type { InboundMessage } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL, DM, OTHER_CHANNEL, type SlackTestRig, startRig } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Delivers, then a marker mention in the same channel; once the marker is in, the first one was handled. */
async function settle(r: SlackTestRig, channel: string): Promise<void> {
  const marker = `marker ${Math.random().toString(36).slice(2)}`;
  r.fake.mention({ channel, text: marker });
  await r.context.waitForReceived((m) => m.text === marker, 5_000);
}

const got = (r: SlackTestRig, text: string): InboundMessage[] =>
  r.context.received.filter((m) => m.text === text);

describe('slack mention rules', () => {
  it('channels need a mention by default; DMs do not; the mention is stripped', async () => {
    rig = await startRig();
    const { fake, context } = rig;
    fake.message({ channel: CHANNEL, text: 'humans talking' });
    fake.message({ channel: DM, text: 'dm without mention' });
    fake.mention({ channel: CHANNEL, text: 'hey bot, question' });
    const dm = await context.waitForReceived((m) => m.text === 'dm without mention', 5_000);
    const mention = await context.waitForReceived((m) => m.text === 'hey bot, question', 5_000);
    expect(dm.chat.chatType).toBe('dm');
    expect(dm.chat.threadId).toBeUndefined();
    expect(mention.mentionsBot).toBe(true);
    expect(mention.chat).toMatchObject({ chatId: CHANNEL, chatType: 'channel' });
    expect(got(rig, 'humans talking')).toHaveLength(0);
  });

  it('SLACK_REQUIRE_MENTION=false lets every channel message in, with mentionsBot false', async () => {
    rig = await startRig({ config: { requireMention: false } });
    rig.fake.message({ channel: CHANNEL, text: 'open channel talk' });
    const msg = await rig.context.waitForReceived((m) => m.text === 'open channel talk', 5_000);
    expect(msg.mentionsBot).toBe(false);
  });

  it('free_response_channels need no mention; other channels still do', async () => {
    rig = await startRig({ config: { freeResponseChannels: [OTHER_CHANNEL] } });
    rig.fake.message({ channel: OTHER_CHANNEL, text: 'free talk' });
    rig.fake.message({ channel: CHANNEL, text: 'gated talk' });
    await rig.context.waitForReceived((m) => m.text === 'free talk', 5_000);
    await settle(rig, CHANNEL);
    expect(got(rig, 'gated talk')).toHaveLength(0);
  });

  it("the bot's own messages and other bots' messages are filtered", async () => {
    rig = await startRig({ fake: { echoBotMessages: true }, config: { requireMention: false } });
    const { fake, adapter } = rig;
    const sent = await adapter.send(
      { platform: 'slack', chatId: CHANNEL, chatType: 'channel' },
      { text: 'bot says hi' },
    );
    expect(sent.ok).toBe(true);
    fake.message({ channel: CHANNEL, text: 'another bot', botId: 'B0OTHER', subtype: 'bot_message' });
    fake.message({ channel: CHANNEL, text: 'edited', subtype: 'message_changed' });
    await settle(rig, CHANNEL);
    await waitFor(() => fake.unacked.length === 0, { timeoutMs: 5_000, what: 'all acked' });
    expect(rig.context.received.map((m) => m.text).filter((t) => !t.startsWith('marker'))).toEqual([]);
    expect(rig.adapter.stats().intake?.skipped).toBeGreaterThanOrEqual(3);
  });

  it("Slack markup in text becomes plain words: entities, links, other users' mentions", async () => {
    rig = await startRig();
    rig.fake.event({
      type: 'message',
      channel: DM,
      channel_type: 'im',
      user: 'U0USER',
      ts: '1700000200.000100',
      text: 'a &lt;b&gt; &amp; <https://example.com|site> <@U0OTHER|ann> <#C0X|general> <!here>',
    });
    const msg = await rig.context.waitForReceived(() => true, 5_000);
    expect(msg.text).toBe('a <b> & site (https://example.com) @ann #general @here');
  });
});
