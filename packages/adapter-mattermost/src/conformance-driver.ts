// The conformance driver, shared by this package's tests only (not exported, not built).
import type { ChatRef } from '@hermes/adapter-core';
import { type ConformanceDriver, createTestContext } from '@hermes/adapter-testkit';
import { createMattermostAdapter } from './adapter.js';
import type { MattermostConfigInput } from './config.js';
import { mattermostCapabilities } from './format.js';
import { fakeConfig } from './test-support.js';
import { startFakeMattermostServer } from './testing/index.js';

const dm: ChatRef = { platform: 'mattermost', chatId: 'dm-alice', chatType: 'dm' };
const group: ChatRef = { platform: 'mattermost', chatId: 'group-1', chatType: 'channel' };
const senderId = 'user-alice';

/** Drives the real adapter (real @mattermost/client) against the loopback fake. */
export function mattermostConformanceDriver(
  name: string,
  overrides: () => Promise<Partial<MattermostConfigInput>> = async () => ({}),
  buttons = false,
): ConformanceDriver {
  return {
    name,
    capabilities: mattermostCapabilities(buttons),
    groupRequiresMention: true,
    async setup() {
      const fake = await startFakeMattermostServer();
      const context = createTestContext();
      const adapter = createMattermostAdapter(fakeConfig(fake, await overrides()));
      // The thread the suite talks in: a root post in the channel, made before the adapter starts.
      const root = fake.store.createPost({
        userId: senderId,
        channelId: group.chatId,
        message: 'thread root',
      });
      const thread: ChatRef = { ...group, threadId: root.id };
      return {
        adapter,
        context,
        chats: { dm, group, thread },
        senderId,
        secrets: [fake.token],
        fake: fake.server,
        deliverDm: async (text) => {
          await fake.deliverDm(text, { chatId: dm.chatId, fromUserId: senderId });
        },
        deliverGroup: async (text, o) => {
          await fake.deliverGroup(text, { ...o, chatId: group.chatId, fromUserId: senderId });
        },
        deliverThread: async (text) => {
          await fake.deliverGroup(text, {
            mention: true,
            chatId: group.chatId,
            fromUserId: senderId,
            rootId: root.id,
          });
        },
        deliverMedia: async (media) => {
          await fake.deliverDm('', {
            chatId: dm.chatId,
            fromUserId: senderId,
            files: [{ name: media.name, mime: media.mime, bytes: media.bytes }],
          });
        },
        deliverMalformed: () => fake.deliverMalformed(),
        dropConnection: () => fake.dropConnection(),
        rateLimitNextSend: (retryAfterSeconds) =>
          fake.server.faults.next({ kind: 'rate-limit', retryAfterSeconds }, 1, {
            method: 'POST',
            path: '/api/v4/posts',
          }),
        sentMessages: async () => fake.sentMessages(),
        observedEdits: async () =>
          fake.edits.map((e) => ({ chatId: e.channelId, messageId: e.postId, text: e.message })),
        observedTyping: async () => fake.typing.map((t) => ({ chatId: t.channelId })),
        observedReactions: async () =>
          fake.reactions.map((r) => ({ chatId: r.channelId, messageId: r.postId, emoji: r.emojiName })),
        observedDeletes: async () => fake.deletes.map((d) => ({ chatId: d.channelId, messageId: d.postId })),
        teardown: () => fake.close(),
      };
    },
  };
}
