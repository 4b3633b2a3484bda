import type { ChatRef } from '@hermes/adapter-core';
import { createTestContext, runConformanceSuite } from '@hermes/adapter-testkit';
import { createFeishuAdapter } from './adapter.js';
import { FEISHU_CAPABILITIES } from './format.js';
import { fakeConfig, removeStateDirs } from './test-support.js';
import { FAKE_FEISHU_SEND_MATCH, startFakeFeishuServer } from './testing/index.js';

const dm: ChatRef = { platform: 'feishu', chatId: 'oc_dm_alice', chatType: 'dm' };
const group: ChatRef = { platform: 'feishu', chatId: 'oc_group_1', chatType: 'group' };
const thread: ChatRef = {
  platform: 'feishu',
  chatId: 'oc_group_1',
  chatType: 'group',
  threadId: 'om_root_1',
};
const senderId = 'ou_alice000000000';

runConformanceSuite({
  name: 'feishu',
  capabilities: FEISHU_CAPABILITIES,
  async setup() {
    const fake = await startFakeFeishuServer();
    const context = createTestContext();
    const config = fakeConfig(fake, { textBatchDelayMs: 20 });
    const adapter = createFeishuAdapter(config);
    // The thread's root message exists in the chat before anyone replies under it.
    fake.seedMessage('om_root_1', group.chatId, 'thread root');
    return {
      adapter,
      context,
      chats: { dm, group, thread },
      senderId,
      secrets: [fake.appSecret],
      fake: fake.server,
      deliverDm: async (text) => {
        await fake.deliverDm(text, { chatId: dm.chatId, fromUserId: senderId });
      },
      deliverGroup: async (text, o) => {
        await fake.deliverGroup(text, { ...o, chatId: group.chatId, fromUserId: senderId });
      },
      deliverThread: async (text) => {
        fake.deliverMessage(
          'text',
          { text },
          {
            chatType: 'group',
            chatId: group.chatId,
            fromUserId: senderId,
            rootId: 'om_root_1',
            parentId: 'om_root_1',
          },
        );
      },
      deliverMedia: async ({ kind, bytes, name }) => {
        const key = `img_v3_${Date.now()}`;
        const type = kind === 'image' ? 'image' : 'file';
        const id = fake.deliverMessage(
          type,
          type === 'image' ? { image_key: key } : { file_key: key, file_name: name },
          {
            chatId: dm.chatId,
            fromUserId: senderId,
            messageId: `om_media_${Date.now()}`,
          },
        );
        fake.hostResource(id, key, bytes);
      },
      deliverMalformed: () => fake.deliverMalformed(),
      dropConnection: async () => {
        fake.dropConnections('terminate');
      },
      rateLimitNextSend: (retryAfterSeconds) =>
        fake.server.faults.next({ kind: 'rate-limit', retryAfterSeconds }, 1, FAKE_FEISHU_SEND_MATCH),
      sentMessages: async () => fake.sentMessages(),
      observedEdits: async () => fake.edits,
      observedReactions: async () => fake.reactions,
      openConnections: () => fake.server.sockets.size,
      totalConnections: () => fake.connections,
      teardown: async () => {
        await fake.close();
        await removeStateDirs();
      },
    };
  },
});
