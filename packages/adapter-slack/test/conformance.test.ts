import { runConformanceSuite } from '@hermes/adapter-testkit';
import { slackCapabilities } from '../src/adapter.js';
import { SLACK_DEFAULT_CHUNK_LENGTH, SLACK_PLATFORM } from '../src/constants.js';
import { CHANNEL, createRig, DM, USER } from './harness.js';

const THREAD_TS = '1700000000.000100';

runConformanceSuite({
  name: SLACK_PLATFORM,
  capabilities: slackCapabilities({ maxMessageLength: SLACK_DEFAULT_CHUNK_LENGTH }),
  groupRequiresMention: true,
  async setup() {
    const rig = await createRig();
    const { fake, adapter, context } = rig;
    return {
      adapter,
      context,
      senderId: USER,
      secrets: [fake.botToken, fake.appToken],
      chats: {
        dm: { platform: SLACK_PLATFORM, chatId: DM, chatType: 'dm' },
        group: { platform: SLACK_PLATFORM, chatId: CHANNEL, chatType: 'channel' },
        thread: { platform: SLACK_PLATFORM, chatId: CHANNEL, chatType: 'channel', threadId: THREAD_TS },
      },
      async deliverDm(text) {
        fake.message({ channel: DM, text });
      },
      async deliverGroup(text, { mention }) {
        if (mention) fake.mention({ channel: CHANNEL, text });
        else fake.message({ channel: CHANNEL, text });
      },
      async deliverThread(text) {
        fake.mention({ channel: CHANNEL, text, threadTs: THREAD_TS });
      },
      async deliverMedia(media) {
        const file = fake.shareFile({ bytes: media.bytes, name: media.name, mimetype: media.mime });
        fake.message({ channel: DM, text: '', files: [file] });
      },
      async deliverMalformed() {
        fake.sendRaw('{this is not json');
        fake.sendRaw({ envelope_id: 'env-no-event', type: 'events_api', payload: {} });
        fake.event({ type: 'message', channel: DM, user: USER, text: 'no ts on this one' });
      },
      async dropConnection() {
        fake.dropSockets();
      },
      rateLimitNextSend(retryAfterSeconds) {
        fake.failNext('chat.postMessage', { kind: 'rate-limit', retryAfterSeconds });
      },
      async rateLimitObservation() {
        const posts = fake.requests.filter((r) => r.method === 'chat.postMessage');
        const limited = posts.findIndex((r) => r.fault === 'rate-limit');
        const retry = posts.slice(limited + 1).find((r) => r.fault === undefined);
        if (limited < 0 || !retry) return undefined;
        return { limitedAt: posts[limited]!.receivedAt, retriedAt: retry.receivedAt };
      },
      async sentMessages() {
        return [
          ...fake.posts.map((p) => ({
            chatId: p.channel,
            text: p.text,
            ...(p.threadTs ? { threadId: p.threadTs } : {}),
            raw: p,
          })),
          ...fake.uploads.map((u) => ({
            chatId: u.channel,
            mediaName: u.filename,
            mediaBytes: u.bytes,
            ...(u.threadTs ? { threadId: u.threadTs } : {}),
            raw: u,
          })),
        ];
      },
      async observedEdits() {
        return fake.updates.map((u) => ({ chatId: u.channel, messageId: u.ts, text: u.text }));
      },
      async observedReactions() {
        return fake.reactions.map((r) => ({ chatId: r.channel, messageId: r.ts, emoji: r.name }));
      },
      async observedDeletes() {
        return fake.deletes.map((d) => ({ chatId: d.channel, messageId: d.ts }));
      },
      openConnections: () => fake.openSockets,
      totalConnections: () => fake.connectionCount,
      async teardown() {
        await rig.close();
      },
    };
  },
});
