import type { ChatRef } from '@hermes/adapter-core';
import { createTestContext, runConformanceSuite } from '@hermes/adapter-testkit';
import { createWecomAdapter, wecomCapabilities } from './adapter.js';
import { fakeConfig } from './test-support.js';
import { generateWecomAesKey, startWecomFakeServer } from './testing/fake-server.js';

const SENDER = 'conformance-user';
const dm: ChatRef = { platform: 'wecom', chatId: SENDER, chatType: 'dm' };
const group: ChatRef = { platform: 'wecom', chatId: 'wrConformanceGroup', chatType: 'group' };
const MESSAGE_CMDS = ['aibot_respond_msg', 'aibot_send_msg'];

runConformanceSuite({
  name: 'wecom',
  capabilities: wecomCapabilities,
  // WeCom only pushes group messages that @mention the bot; the adapter does not filter, it reports mentionsBot.
  groupRequiresMention: false,
  async setup() {
    const fake = await startWecomFakeServer();
    const context = createTestContext();
    const config = fakeConfig(fake, { textBatchDelayMs: 50, botName: 'HermesBot' });
    const adapter = createWecomAdapter(config);
    return {
      adapter,
      context,
      chats: { dm, group },
      senderId: SENDER,
      secrets: [config.secret],
      async deliverDm(text) {
        fake.deliverText(text, { from: SENDER });
      },
      async deliverGroup(text, { mention }) {
        fake.deliver({
          from: SENDER,
          chatid: group.chatId,
          chattype: 'group',
          text: mention ? `@HermesBot ${text}` : text,
        });
      },
      async deliverMedia({ kind, bytes, name, mime }) {
        const aeskey = generateWecomAesKey();
        const url = fake.hostMedia(bytes, { aeskey, filename: name, contentType: mime });
        const msgtype = kind === 'image' ? 'image' : kind === 'video' ? 'video' : 'file';
        fake.deliver({ from: SENDER, msgtype, [msgtype]: { url, aeskey, filename: name } });
      },
      async deliverMalformed() {
        fake.deliverRaw('{"cmd":"aibot_msg_callback","headers":');
        fake.deliverRaw(
          JSON.stringify({ cmd: 'aibot_msg_callback', headers: { req_id: 'r' }, body: { msgtype: 'text' } }),
        );
      },
      async dropConnection() {
        fake.dropConnections('terminate');
      },
      rateLimitNextSend() {
        // WeCom's frequency limit (45009) carries no retry time; the adapter waits its own 2 s before retrying.
        fake.failNext(MESSAGE_CMDS, 45009, 'api freq out of limit');
      },
      async rateLimitObservation() {
        const limited = fake.injected.find((i) => i.errcode === 45009);
        const retried =
          limited &&
          fake.frames.find(
            (f) => MESSAGE_CMDS.includes(f.cmd) && f.at >= limited.at && f.reqId !== limited.reqId,
          );
        return limited && retried ? { limitedAt: limited.at, retriedAt: retried.at } : undefined;
      },
      async sentMessages() {
        return fake.replies
          .filter((r) => r.errcode === 0)
          .map((r) => ({
            chatId: r.chatId,
            ...(r.content === undefined ? {} : { text: r.content }),
            ...(r.inReplyTo === undefined ? {} : { replyTo: r.inReplyTo }),
            ...(r.mediaName === undefined ? {} : { mediaName: r.mediaName }),
            ...(r.mediaId ? { mediaBytes: fake.mediaById(r.mediaId)?.data ?? Buffer.alloc(0) } : {}),
            raw: r.body,
          }));
      },
      openConnections: () => fake.openSockets,
      totalConnections: () => fake.connectionCount,
      teardown: () => fake.close(),
    };
  },
});
