import { createTestContext, runConformanceSuite } from '@hermes/adapter-testkit';
import { DiscordAdapter, discordCapabilities } from '../src/adapter.js';
import { parseDiscordConfig } from '../src/config.js';
import { MESSAGE_CREATE_ROUTE, startFakeDiscord } from '../src/testing/index.js';
import { testConfig } from './support.js';

runConformanceSuite({
  name: 'discord',
  capabilities: discordCapabilities(parseDiscordConfig({ token: 'x' })),
  groupRequiresMention: true,
  timeouts: { reconnectMs: 10_000 },
  async setup() {
    const fake = await startFakeDiscord({ heartbeatIntervalMs: 250 });
    const ids = fake.ids;
    const config = testConfig(fake);
    const adapter = new DiscordAdapter(config);
    const context = createTestContext();
    const dm = { platform: 'discord', chatId: ids.dms.alice, chatType: 'dm' as const };
    const group = { platform: 'discord', chatId: ids.channels.general, chatType: 'group' as const };
    const thread = {
      platform: 'discord',
      chatId: ids.channels.general,
      chatType: 'thread' as const,
      threadId: ids.threads.botThread,
    };
    return {
      adapter,
      context,
      chats: { dm, group, thread },
      senderId: ids.users.alice,
      secrets: [config.token],
      async deliverDm(text) {
        fake.postMessage({ channelId: ids.dms.alice, content: text });
      },
      async deliverGroup(text, o) {
        fake.postMessage({ channelId: ids.channels.general, content: text, mentionBot: o.mention });
      },
      async deliverThread(text) {
        fake.postMessage({ channelId: ids.threads.botThread, content: text });
      },
      async deliverMedia(o) {
        fake.postMessage({
          channelId: ids.dms.alice,
          content: '',
          attachments: [{ filename: o.name, bytes: o.bytes, contentType: o.mime }],
        });
      },
      async deliverMalformed() {
        // A MESSAGE_CREATE without its author: discord.js would build a Message with holes (or throw).
        fake.dispatch('MESSAGE_CREATE', {
          id: '1300000000000000001',
          channel_id: ids.dms.alice,
          content: 'no author here',
          timestamp: new Date().toISOString(),
          channel_type: 1,
        });
        fake.sendRaw('this is not json {');
      },
      async dropConnection() {
        fake.dropConnection();
      },
      rateLimitNextSend(retryAfterSeconds) {
        fake.faults.next({ kind: 'rate-limit', retryAfterSeconds }, { match: MESSAGE_CREATE_ROUTE });
      },
      async sentMessages() {
        return fake.botMessages().map((m) => ({
          chatId: m.chatId,
          text: m.content,
          ...(m.threadId ? { threadId: m.threadId } : {}),
          ...(m.replyTo ? { replyTo: m.replyTo } : {}),
          ...(m.files[0] ? { mediaName: m.files[0].name, mediaBytes: m.files[0].bytes } : {}),
          raw: m.raw,
        }));
      },
      async observedEdits() {
        return fake.edits.map((e) => ({ chatId: e.channelId, messageId: e.messageId, text: e.content }));
      },
      async observedTyping() {
        return fake.typing.map((t) => ({ chatId: t.channelId }));
      },
      async observedReactions() {
        return fake.reactions.map((r) => ({ chatId: r.channelId, messageId: r.messageId, emoji: r.emoji }));
      },
      async observedDeletes() {
        return fake.deletes.map((d) => ({ chatId: d.channelId, messageId: d.messageId }));
      },
      openConnections: () => fake.gateway.openSockets(),
      totalConnections: () => fake.gateway.attempts.length,
      async rateLimitObservation() {
        const applied = fake.faults.applied.filter((a) => a.fault.kind === 'rate-limit').at(-1);
        if (!applied) return undefined;
        const limited = fake.requests.find((r) => r.fault === applied.fault && r.route === applied.route);
        if (!limited) return undefined;
        const index = fake.requests.indexOf(limited);
        const retry = fake.requests
          .slice(index + 1)
          .find((r) => r.method === limited.method && r.route === limited.route && r.fault === undefined);
        return retry ? { limitedAt: limited.receivedAt, retriedAt: retry.receivedAt } : undefined;
      },
      async teardown() {
        await fake.close();
      },
    };
  },
});
