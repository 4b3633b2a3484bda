import type { ChatRef } from '@hermes/adapter-core';
import { createTestContext, runConformanceSuite } from '@hermes/adapter-testkit';
import { createSignalAdapter } from './adapter.js';
import { SIGNAL_CAPABILITIES } from './format.js';
import { startFakeSignalServer } from './testing/index.js';

/** The shared conformance suite, driven through real HTTP against the loopback fake daemon. */
const senderId = '+15550002222';
const groupId = 'Z3JvdXAtb25lLWZha2U=';
const dm: ChatRef = { platform: 'signal', chatId: senderId, chatType: 'dm' };
const group: ChatRef = { platform: 'signal', chatId: `group:${groupId}`, chatType: 'group' };

runConformanceSuite({
  name: 'signal',
  capabilities: SIGNAL_CAPABILITIES,
  async setup() {
    const fake = await startFakeSignalServer();
    const context = createTestContext();
    const adapter = createSignalAdapter({
      httpUrl: fake.url,
      account: fake.account,
      groupAllowedUsers: ['*'],
      reconnectInitialMs: 100,
      reconnectMaxMs: 500,
    });
    return {
      adapter,
      context,
      chats: { dm, group },
      senderId,
      fake: fake.server,
      deliverDm: async (text) => {
        await fake.deliverDm(text, { from: senderId });
      },
      deliverGroup: async (text, o) => {
        await fake.deliverGroup(text, { mention: o.mention, from: senderId, groupId });
      },
      deliverMedia: async (o) => {
        await fake.deliverMedia({ ...o, from: senderId });
      },
      deliverMalformed: () => fake.deliverMalformed(),
      dropConnection: async () => fake.dropStreams(),
      rateLimitNextSend: (retryAfterSeconds) => fake.rateLimitNextSend(retryAfterSeconds),
      rateLimitObservation: async () => fake.rateLimitObservation(),
      sentMessages: async () =>
        fake.sentMessages().map((m) => ({
          chatId: m.chatId,
          ...(m.text === undefined ? {} : { text: m.text }),
          ...(m.replyTo === undefined ? {} : { replyTo: m.replyTo }),
          ...(m.mediaName === undefined ? {} : { mediaName: m.mediaName }),
          ...(m.mediaBytes === undefined ? {} : { mediaBytes: m.mediaBytes }),
          raw: m.raw,
        })),
      observedTyping: async () => fake.typing().map((t) => ({ chatId: t.chatId })),
      observedReactions: async () =>
        fake.reactions().map((r) => ({
          chatId: r.chatId,
          messageId: `${r.targetTimestamp}@${r.targetAuthor}`,
          emoji: r.emoji,
        })),
      openConnections: () => fake.openStreams,
      totalConnections: () => fake.totalStreams,
      teardown: () => fake.close(),
    };
  },
});
