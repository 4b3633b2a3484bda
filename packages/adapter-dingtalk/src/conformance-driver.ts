// Test support only (not exported, not built): the conformance driver, reused with other configs.
import type { ChatRef } from '@hermes/adapter-core';
import { type ConformanceDriver, createTestContext } from '@hermes/adapter-testkit';
import { createDingtalkAdapter } from './adapter.js';
import type { DingtalkConfigInput } from './config.js';
import { dingtalkCapabilities } from './format.js';
import { fakeConfig } from './test-support.js';
import { startFakeDingtalkServer } from './testing/index.js';

// A DM is keyed by the sender's staff id, a group by its open conversation id.
const dm: ChatRef = { platform: 'dingtalk', chatId: 'alice', chatType: 'dm' };
const group: ChatRef = { platform: 'dingtalk', chatId: 'cidConformanceGroup', chatType: 'group' };
const SEND_PATHS = /^\/(robot\/sendBySession|v1\.0\/robot\/(oToMessages\/batchSend|groupMessages\/send))$/;

export function dingtalkConformanceDriver(
  name: string,
  overrides: Partial<DingtalkConfigInput> = {},
): ConformanceDriver {
  return {
    name,
    capabilities: dingtalkCapabilities(overrides),
    async setup() {
      const fake = await startFakeDingtalkServer();
      const context = createTestContext();
      const adapter = createDingtalkAdapter(fakeConfig(fake, overrides));
      return {
        adapter,
        context,
        chats: { dm, group },
        senderId: fake.user('alice').senderId,
        secrets: [fake.clientSecret],
        fake: fake.server,
        deliverDm: async (text) => {
          await fake.deliverDm(text, { staffId: 'alice' });
        },
        deliverGroup: async (text, o) => {
          await fake.deliverGroup(text, {
            mention: o.mention,
            conversationId: group.chatId,
            staffId: 'alice',
          });
        },
        deliverMedia: async ({ kind, bytes, mime, name }) => {
          const downloadCode = fake.hostFile(bytes, { mime });
          if (kind === 'file') await fake.deliverContent({ msgtype: 'file', downloadCode, fileName: name });
          else if (kind === 'voice') await fake.deliverContent({ msgtype: 'audio', downloadCode });
          else await fake.deliverContent({ msgtype: 'picture', downloadCode });
        },
        deliverMalformed: () => fake.deliverMalformed(),
        dropConnection: async () => {
          fake.dropConnections('terminate');
        },
        rateLimitNextSend: (retryAfterSeconds) =>
          fake.server.faults.next({ kind: 'rate-limit', retryAfterSeconds }, 1, {
            method: 'POST',
            path: SEND_PATHS,
          }),
        sentMessages: async () => fake.sentMessages(),
        observedReactions: async () =>
          fake.reactions
            .filter((r) => r.action === 'reply')
            .map((r) => ({ chatId: r.chatId, messageId: r.msgId, emoji: r.name })),
        teardown: () => fake.close(),
      };
    },
  };
}
