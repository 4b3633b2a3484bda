import type { ChatRef } from '@hermes/adapter-core';
import { createTestContext, runConformanceSuite } from '@hermes/adapter-testkit';
import { FeishuAdapter } from './adapter.js';
import { FEISHU_CAPABILITIES } from './format.js';
import { fakeConfig, removeStateDirs } from './test-support.js';
import {
  FAKE_FEISHU_SEND_MATCH,
  type FakeMention,
  messageReceiveEvent,
  startFakeFeishuServer,
} from './testing/index.js';
import { encryptFeishuEvent, feishuSignature } from './webhook-crypto.js';

const dm: ChatRef = { platform: 'feishu', chatId: 'oc_dm_hook', chatType: 'dm' };
const group: ChatRef = { platform: 'feishu', chatId: 'oc_group_hook', chatType: 'group' };
const thread: ChatRef = {
  platform: 'feishu',
  chatId: 'oc_group_hook',
  chatType: 'group',
  threadId: 'om_root_hook',
};
const senderId = 'ou_hook_sender0000';
const KEY = 'conformance-encrypt-key';
const TOKEN = 'conformance-verification-token';

/** The same contract, with events arriving as Feishu's encrypted, signed webhook calls. */
runConformanceSuite({
  name: 'feishu (webhook mode)',
  capabilities: FEISHU_CAPABILITIES,
  serverConnection: false,
  async setup() {
    const fake = await startFakeFeishuServer();
    const context = createTestContext();
    const adapter = new FeishuAdapter(
      fakeConfig(fake, {
        connectionMode: 'webhook',
        webhookPort: 0,
        encryptKey: KEY,
        verificationToken: TOKEN,
        textBatchDelayMs: 20,
      }),
    );
    fake.seedMessage('om_root_hook', group.chatId, 'thread root');
    let n = 0;
    const post = async (body: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const res = await fetch(adapter.webhookUrl!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-lark-request-timestamp': timestamp,
          'x-lark-request-nonce': 'nonce',
          'x-lark-signature': feishuSignature(timestamp, 'nonce', KEY, body),
        },
        body,
      });
      await res.arrayBuffer();
    };
    const deliver = async (
      text: string,
      o: {
        chatId: string;
        chatType: 'p2p' | 'group';
        mentions?: FakeMention[];
        rootId?: string;
        type?: string;
        content?: unknown;
      },
    ) => {
      const messageId = `om_hook_${++n}_${Date.now()}`;
      fake.seedMessage(messageId, o.chatId, text);
      const event = messageReceiveEvent({
        appId: fake.appId,
        eventId: `ev_hook_${n}`,
        messageId,
        chatId: o.chatId,
        chatType: o.chatType,
        senderOpenId: senderId,
        messageType: o.type ?? 'text',
        content: o.content ?? { text },
        ...(o.mentions ? { mentions: o.mentions } : {}),
        ...(o.rootId ? { rootId: o.rootId, parentId: o.rootId } : {}),
      });
      (event['header'] as Record<string, unknown>)['token'] = TOKEN;
      await post(JSON.stringify({ encrypt: encryptFeishuEvent(JSON.stringify(event), KEY) }));
      return messageId;
    };
    return {
      adapter,
      context,
      chats: { dm, group, thread },
      senderId,
      secrets: [fake.appSecret, KEY, TOKEN],
      fake: fake.server,
      deliverDm: async (text) => {
        await deliver(text, { chatId: dm.chatId, chatType: 'p2p' });
      },
      deliverGroup: async (text, o) => {
        const mentions: FakeMention[] = o.mention
          ? [{ key: '@_user_1', id: { open_id: fake.botOpenId }, name: fake.botName }]
          : [];
        await deliver(o.mention ? `@_user_1 ${text}` : text, {
          chatId: group.chatId,
          chatType: 'group',
          mentions,
        });
      },
      deliverThread: async (text) => {
        await deliver(text, { chatId: group.chatId, chatType: 'group', rootId: 'om_root_hook' });
      },
      deliverMedia: async ({ bytes }) => {
        const key = `img_hook_${Date.now()}`;
        const id = await deliver('', {
          chatId: dm.chatId,
          chatType: 'p2p',
          type: 'image',
          content: { image_key: key },
        });
        fake.hostResource(id, key, bytes);
      },
      deliverMalformed: async () => {
        await post('{"encrypt": "not base64 ciphertext!!"}');
        await post('{"schema":');
      },
      rateLimitNextSend: (retryAfterSeconds) =>
        fake.server.faults.next({ kind: 'rate-limit', retryAfterSeconds }, 1, FAKE_FEISHU_SEND_MATCH),
      sentMessages: async () => fake.sentMessages(),
      observedEdits: async () => fake.edits,
      observedReactions: async () => fake.reactions,
      teardown: async () => {
        await fake.close();
        await removeStateDirs();
      },
    };
  },
});
