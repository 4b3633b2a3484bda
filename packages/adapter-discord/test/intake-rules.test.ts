import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiscordConfigInput } from '../src/config.js';
import { type DiscordTestRig, startRig } from './support.js';

describe('which messages reach the host', () => {
  let rig: DiscordTestRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  async function withRig(overrides: Partial<DiscordConfigInput> = {}): Promise<DiscordTestRig> {
    rig = await startRig(overrides);
    return rig;
  }

  /** Posts a DM marker and waits for it: everything posted before has been through the gate by then. */
  async function settle(r: DiscordTestRig): Promise<void> {
    const marker = `marker ${Math.random().toString(36).slice(2)}`;
    r.fake.postMessage({ channelId: r.fake.ids.dms.bob, authorId: r.fake.ids.users.bob, content: marker });
    await r.context.waitForReceived((m) => m.text === marker, 5_000);
    await r.adapter.idle();
  }

  /** Received texts without markers, sorted: order is kept per channel, not across channels. */
  const texts = (r: DiscordTestRig) =>
    r.context.received
      .map((m) => m.text)
      .filter((t) => !t.startsWith('marker '))
      .sort();

  it('servers need a mention by default; DMs never do; the mention is stripped and mentionsBot set', async () => {
    const r = await withRig();
    const { fake } = r;
    fake.postMessage({ channelId: fake.ids.channels.general, content: 'just chatting' });
    fake.postMessage({ channelId: fake.ids.channels.general, content: 'what is 2+2?', mentionBot: true });
    fake.postMessage({
      channelId: fake.ids.channels.general,
      content: `hey <@!${fake.ids.bot}> legacy form`,
    });
    fake.postMessage({
      channelId: fake.ids.channels.general,
      content: `<@&${fake.ids.roles.botRole}> via the bot role`,
    });
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'a DM' });
    await settle(r);
    expect(texts(r)).toEqual(['what is 2+2?', 'hey legacy form', 'via the bot role', 'a DM'].sort());
    const mentioned = r.context.received.find((m) => m.text === 'what is 2+2?');
    expect(mentioned?.mentionsBot).toBe(true);
    expect(mentioned?.chat).toMatchObject({
      chatType: 'group',
      chatId: fake.ids.channels.general,
      chatName: '#general',
    });
    expect(mentioned?.sender).toMatchObject({ id: fake.ids.users.alice, name: 'Alice' });
  });

  it('other mentions are rendered as @name and #channel', async () => {
    const r = await withRig();
    const { fake } = r;
    fake.postMessage({
      channelId: fake.ids.channels.general,
      content: `ask <@${fake.ids.users.bob}> about <#${fake.ids.channels.random}> and <@&${fake.ids.roles.admin}>`,
      mentionBot: true,
    });
    const msg = await r.context.waitForReceived(() => true, 5_000);
    expect(msg.text).toBe('ask @Bob about #random and @admin');
  });

  it('a reply to one of the bot messages counts as addressed to the bot', async () => {
    const r = await withRig();
    const { fake, adapter } = r;
    const sent = await adapter.send(
      { platform: 'discord', chatId: fake.ids.channels.general, chatType: 'group' },
      { text: 'I am the bot' },
    );
    if (!sent.ok) throw sent.error;
    fake.postMessage({
      channelId: fake.ids.channels.general,
      content: 'replying without a ping',
      replyTo: sent.messageIds[0]!,
    });
    const msg = await r.context.waitForReceived((m) => m.text === 'replying without a ping', 5_000);
    expect(msg.mentionsBot).toBe(true);
    expect(msg.replyTo).toEqual({ id: sent.messageIds[0], text: 'I am the bot' });
  });

  it('DISCORD_REQUIRE_MENTION=false answers everything, but not messages addressed to someone else', async () => {
    const r = await withRig({ requireMention: false });
    const { fake } = r;
    fake.postMessage({ channelId: fake.ids.channels.general, content: 'open question' });
    fake.postMessage({
      channelId: fake.ids.channels.general,
      content: `<@${fake.ids.users.bob}> this is for bob`,
    });
    await settle(r);
    expect(texts(r)).toEqual(['open question'].sort());
    expect(r.context.received.find((m) => m.text === 'open question')?.mentionsBot).toBe(false);
  });

  it('DISCORD_IGNORE_NO_MENTION=false answers a message that mentions someone else too', async () => {
    const r = await withRig({ requireMention: false, ignoreNoMention: false });
    const { fake } = r;
    fake.postMessage({ channelId: fake.ids.channels.general, content: `<@${fake.ids.users.bob}> look` });
    await settle(r);
    expect(texts(r)).toEqual(['@Bob look'].sort());
  });

  it('free-response channels (and their threads) need no mention', async () => {
    const r = await withRig({ freeResponseChannels: [(await peekIds()).channels.help] });
    const { fake } = r;
    fake.postMessage({ channelId: fake.ids.channels.help, content: 'help please' });
    fake.postMessage({ channelId: fake.ids.channels.random, content: 'not here' });
    await settle(r);
    expect(texts(r)).toEqual(['help please'].sort());
  });

  it("inside the bot's own thread no mention is needed; in someone else's thread it is", async () => {
    const r = await withRig();
    const { fake } = r;
    fake.postMessage({ channelId: fake.ids.threads.botThread, content: 'follow-up in the bot thread' });
    fake.postMessage({ channelId: fake.ids.threads.userThread, content: 'chat in alice thread' });
    fake.postMessage({ channelId: fake.ids.threads.userThread, content: 'now asking', mentionBot: true });
    await settle(r);
    expect(texts(r)).toEqual(['follow-up in the bot thread', 'now asking'].sort());
    const inThread = r.context.received.find((m) => m.text === 'follow-up in the bot thread')!;
    expect(inThread.chat).toMatchObject({
      chatType: 'thread',
      chatId: fake.ids.channels.general,
      threadId: fake.ids.threads.botThread,
    });
  });

  it('after the bot spoke in a thread, follow-ups there need no mention', async () => {
    const r = await withRig();
    const { fake, adapter } = r;
    const thread = {
      platform: 'discord',
      chatId: fake.ids.channels.general,
      chatType: 'thread' as const,
      threadId: fake.ids.threads.userThread,
    };
    await adapter.send(thread, { text: 'joining in' });
    fake.postMessage({ channelId: fake.ids.threads.userThread, content: 'thanks bot' });
    await settle(r);
    expect(texts(r)).toEqual(['thanks bot'].sort());
  });

  it('DISCORD_AUTO_THREAD opens a thread per mention; the answer and follow-ups live there', async () => {
    const r = await withRig({ autoThread: true });
    const { fake, adapter } = r;
    fake.postMessage({
      channelId: fake.ids.channels.general,
      content: 'summarise the release notes\nsecond line',
      mentionBot: true,
    });
    const msg = await r.context.waitForReceived(() => true, 5_000);
    expect(fake.threads).toHaveLength(1);
    const opened = fake.threads[0]!;
    expect(opened).toMatchObject({
      parentId: fake.ids.channels.general,
      messageId: msg.id,
      name: 'summarise the release notes',
      autoArchiveMinutes: 1440,
    });
    expect(msg.chat).toEqual({
      platform: 'discord',
      chatId: fake.ids.channels.general,
      chatType: 'thread',
      threadId: opened.threadId,
      chatName: 'summarise the release notes',
    });
    // The 👀 goes on the question, which stays in the parent channel.
    await adapter.react(msg.chat, msg.id, '👀');
    expect(fake.reactions.at(-1)).toMatchObject({
      channelId: fake.ids.channels.general,
      messageId: msg.id,
      emoji: '👀',
    });
    const reply = await adapter.send(msg.chat, { text: 'here is the summary', replyTo: msg.id });
    expect(reply.ok).toBe(true);
    const answer = await fake.waitForBotMessage((m) => m.content === 'here is the summary');
    expect(answer.channelId).toBe(opened.threadId);
    // A reply reference across channels is refused by Discord, so none is sent.
    expect(answer.replyTo).toBeUndefined();
    fake.postMessage({ channelId: opened.threadId, content: 'and the breaking changes?' });
    const follow = await r.context.waitForReceived((m) => m.text === 'and the breaking changes?', 5_000);
    expect(follow.chat.threadId).toBe(opened.threadId);
    expect(fake.threads).toHaveLength(1);
  });

  it('auto-thread is skipped in free-response and no-thread channels and in DMs', async () => {
    const ids = await peekIds();
    const r = await withRig({
      autoThread: true,
      freeResponseChannels: [ids.channels.help],
      noThreadChannels: [ids.channels.random],
    });
    const { fake } = r;
    fake.postMessage({ channelId: fake.ids.channels.help, content: 'in help', mentionBot: true });
    fake.postMessage({ channelId: fake.ids.channels.random, content: 'in random', mentionBot: true });
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'in a DM' });
    await settle(r);
    expect(texts(r)).toEqual(['in help', 'in random', 'in a DM'].sort());
    expect(fake.threads).toHaveLength(0);
    expect(r.context.received.every((m) => m.chat.chatType !== 'thread')).toBe(true);
  });

  it('when the thread cannot be opened the question is still answered, in the channel, with a warning', async () => {
    const r = await withRig({ autoThread: true });
    const { fake } = r;
    fake.faults.next(
      { kind: 'status', status: 403, body: { message: 'Missing Permissions', code: 50013 } },
      { match: { method: 'POST', route: /\/threads$/ } },
    );
    fake.postMessage({ channelId: fake.ids.channels.general, content: 'no thread rights', mentionBot: true });
    const msg = await r.context.waitForReceived(() => true, 5_000);
    expect(msg.chat.chatType).toBe('group');
    expect(r.context.logger.find('warn', 'auto-thread could not be opened')).toHaveLength(1);
  });

  it('DISCORD_ALLOWED_CHANNELS and DISCORD_IGNORED_CHANNELS (threads follow their parent)', async () => {
    const ids = await peekIds();
    const r = await withRig({
      allowedChannels: [ids.channels.general, ids.channels.random],
      ignoredChannels: [ids.channels.random],
    });
    const { fake } = r;
    fake.postMessage({ channelId: fake.ids.channels.general, content: 'allowed', mentionBot: true });
    fake.postMessage({ channelId: fake.ids.threads.botThread, content: 'thread under allowed' });
    fake.postMessage({ channelId: fake.ids.channels.random, content: 'ignored wins', mentionBot: true });
    fake.postMessage({ channelId: fake.ids.channels.help, content: 'not allowed', mentionBot: true });
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'DMs are not channel-gated' });
    await settle(r);
    expect(texts(r)).toEqual(['allowed', 'thread under allowed', 'DMs are not channel-gated'].sort());
  });

  it('DISCORD_ALLOWED_ROLES by id or name; users in DISCORD_ALLOWED_USERS pass too', async () => {
    const ids = await peekIds();
    const r = await withRig({ allowedRoles: ['Admin'], allowedUsers: [ids.users.bob] });
    const { fake } = r;
    fake.postMessage({
      channelId: fake.ids.channels.general,
      content: 'alice without admin',
      mentionBot: true,
    });
    fake.world.setMemberRoles(fake.ids.users.alice, [fake.ids.roles.member, fake.ids.roles.admin]);
    fake.postMessage({ channelId: fake.ids.channels.general, content: 'alice as admin', mentionBot: true });
    fake.postMessage({
      channelId: fake.ids.channels.general,
      authorId: fake.ids.users.bob,
      content: 'bob is listed',
      mentionBot: true,
    });
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'roles do not gate DMs' });
    await settle(r);
    expect(texts(r)).toEqual(['alice as admin', 'bob is listed', 'roles do not gate DMs'].sort());
  });

  it("the bot's own echoes and other bots are filtered; DISCORD_ALLOW_BOTS=mentions lets bots that mention it in", async () => {
    const r = await withRig({ allowBots: 'mentions' });
    const { fake, adapter } = r;
    await adapter.send(
      { platform: 'discord', chatId: fake.ids.dms.alice, chatType: 'dm' },
      { text: 'my own words' },
    );
    fake.postMessage({
      channelId: fake.ids.channels.general,
      authorId: fake.ids.users.otherBot,
      content: 'bot chatter',
    });
    fake.postMessage({
      channelId: fake.ids.channels.general,
      authorId: fake.ids.users.otherBot,
      content: 'bot asks',
      mentionBot: true,
    });
    await settle(r);
    expect(texts(r)).toEqual(['bot asks'].sort());
    expect(r.context.received.find((m) => m.text === 'bot asks')?.sender.isBot).toBe(true);
  });

  it('system messages (pins, joins) are not questions', async () => {
    const r = await withRig({ requireMention: false });
    const { fake } = r;
    fake.dispatch('MESSAGE_CREATE', {
      id: '1300000000000000077',
      channel_id: fake.ids.channels.general,
      guild_id: fake.ids.guild,
      author: { id: fake.ids.users.alice, username: 'alice', discriminator: '0', avatar: null },
      content: '',
      timestamp: new Date().toISOString(),
      type: 6,
      channel_type: 0,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
    });
    await settle(r);
    expect(texts(r)).toEqual([]);
  });

  it('attachments arrive lazily and download from the CDN path through the safe downloader', async () => {
    const r = await withRig();
    const { fake } = r;
    const bytes = Buffer.from('OggS-voice-note-bytes');
    fake.postMessage({
      channelId: fake.ids.dms.alice,
      content: 'listen',
      flags: 1 << 13,
      attachments: [{ filename: 'voice-message.ogg', bytes, contentType: 'audio/ogg' }],
    });
    const msg = await r.context.waitForReceived(() => true, 5_000);
    expect(msg.attachments).toHaveLength(1);
    const attachment = msg.attachments[0]!;
    expect(attachment).toMatchObject({
      kind: 'voice',
      name: 'voice-message.ogg',
      mime: 'audio/ogg',
      size: bytes.length,
    });
    const cdnBefore = fake.requests.filter((q) => q.path.startsWith('/attachments/')).length;
    expect(cdnBefore).toBe(0);
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(await attachment.fetch())).equals(bytes)).toBe(true);
    const cdn = fake.requests.filter((q) => q.path.startsWith('/attachments/'));
    expect(cdn).toHaveLength(1);
    // The bot token never goes to the CDN.
    expect(cdn[0]?.headers.authorization).toBeUndefined();
  });

  it('attachment URLs outside Discord CDN hosts are refused', async () => {
    const r = await withRig();
    const { fake } = r;
    fake.dispatch(
      'MESSAGE_CREATE',
      {
        id: '1300000000000000088',
        channel_id: fake.ids.dms.alice,
        author: { id: fake.ids.users.alice, username: 'alice', discriminator: '0', avatar: null },
        content: 'look at this',
        timestamp: new Date().toISOString(),
        type: 0,
        channel_type: 1,
        mentions: [],
        mention_roles: [],
        embeds: [],
        attachments: [
          {
            id: '1300000000000000089',
            filename: 'x.png',
            size: 10,
            url: 'http://169.254.169.254/latest/meta-data',
            proxy_url: 'x',
            content_type: 'image/png',
          },
        ],
      },
      1 << 12,
    );
    const msg = await r.context.waitForReceived((m) => m.text === 'look at this', 5_000);
    await expect(msg.attachments[0]!.fetch()).rejects.toMatchObject({ code: 'media_refused' });
  });
});

async function peekIds() {
  const { FAKE_DISCORD_IDS } = await import('../src/testing/index.js');
  return FAKE_DISCORD_IDS;
}

describe('dedupe across the gateway', () => {
  it('the same MESSAGE_CREATE dispatched twice reaches the host once', async () => {
    const r = await startRig();
    try {
      const { fake, context } = r;
      const message = fake.postMessage({ channelId: fake.ids.dms.alice, content: 'only once' });
      await context.waitForReceived((m) => m.text === 'only once', 5_000);
      // Push the message out of discord.js's own small cache, then send it again.
      for (let i = 0; i < 40; i += 1)
        fake.postMessage({ channelId: fake.ids.dms.alice, content: `filler ${i}` });
      await waitFor(() => context.received.length >= 41, { timeoutMs: 5_000, what: 'fillers' });
      fake.dispatch(
        'MESSAGE_CREATE',
        {
          id: message.id,
          channel_id: fake.ids.dms.alice,
          author: { id: fake.ids.users.alice, username: 'alice', discriminator: '0', avatar: null },
          content: 'only once',
          timestamp: new Date(message.createdAt).toISOString(),
          type: 0,
          channel_type: 1,
          mentions: [],
          mention_roles: [],
          attachments: [],
          embeds: [],
        },
        1 << 12,
      );
      await sleep(300);
      expect(context.received.filter((m) => m.text === 'only once')).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});
