import { rmSync } from 'node:fs';
import type { ChatRef } from '@hermes/adapter-core';
import { runConformanceSuite } from '@hermes/adapter-testkit';
import { rig } from '../test/harness.js';
import { WHATSAPP_CAPABILITIES } from './format.js';
import { graphErrorBody } from './testing/index.js';

/*
 * The shared conformance suite against the loopback fake Graph API, with webhooks signed and POSTed to the
 * adapter's real server. The DM user wrote an hour ago (seeded in the state file, as after a restart), so
 * free-form sends are inside the 24-hour window.
 */
const user = { waId: '15550001111', name: 'Alice' };
const dm: ChatRef = { platform: 'whatsapp', chatId: user.waId, chatType: 'dm' };
const group: ChatRef = { platform: 'whatsapp', chatId: 'Y2FwaV9ncm91cDpjb25mb3JtYW5jZQ', chatType: 'group' };

runConformanceSuite({
  name: 'whatsapp',
  capabilities: WHATSAPP_CAPABILITIES,
  // Meta delivers by webhook: there is no connection for the server to drop.
  serverConnection: false,
  async setup() {
    const r = await rig({ openWindows: [user.waId] });
    return {
      adapter: r.adapter,
      context: r.context,
      chats: { dm, group },
      senderId: user.waId,
      secrets: [r.config.accessToken, r.config.appSecret ?? '', r.config.verifyToken],
      fake: r.fake.server,
      deliverDm: async (text) => void (await r.fake.deliverDm(text, user)),
      deliverGroup: async (text, o) =>
        void (await r.fake.deliverGroup(text, { ...o, groupId: group.chatId, user })),
      deliverMedia: async (media) => void (await r.fake.deliverMedia(media, user)),
      deliverMalformed: () => r.fake.deliverMalformed(),
      rateLimitNextSend: (retryAfterSeconds) =>
        r.fake.server.faults.next(
          { kind: 'rate-limit', retryAfterSeconds, body: graphErrorBody(130429, 'Rate limit hit') },
          1,
          { method: 'POST', path: /\/messages$/ },
        ),
      sentMessages: async () =>
        r.fake.sentMessages().map((m) => ({
          chatId: m.chatId,
          ...(m.text === undefined ? {} : { text: m.text }),
          ...(m.replyTo === undefined ? {} : { replyTo: m.replyTo }),
          ...(m.mediaName === undefined ? {} : { mediaName: m.mediaName }),
          ...(m.mediaBytes === undefined ? {} : { mediaBytes: m.mediaBytes }),
          raw: m.raw,
        })),
      observedReactions: async () => r.fake.reactions(),
      teardown: async () => {
        await r.fake.close();
        rmSync(r.stateDir, { recursive: true, force: true });
      },
    };
  },
});
