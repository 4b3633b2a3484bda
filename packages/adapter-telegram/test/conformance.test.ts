import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, runConformanceSuite } from '@hermes/adapter-testkit';
import { TelegramAdapter, telegramCapabilities } from '../src/index.js';
import { startFakeTelegram } from '../src/testing/index.js';
import { testConfig } from './harness.js';

runConformanceSuite({
  name: 'telegram',
  capabilities: telegramCapabilities,
  groupRequiresMention: true,
  async setup() {
    const fake = await startFakeTelegram();
    const stateDir = mkdtempSync(join(tmpdir(), 'hermes-telegram-conf-'));
    const topic = fake.openTopic('Support');
    const config = testConfig(fake, stateDir, { requireMention: true });
    const adapter = new TelegramAdapter(config);
    const context = createTestContext();
    const send = async (o: Parameters<typeof fake.sendText>[0]) => void fake.sendText(o);
    const chatRef = (id: number, chatType: 'dm' | 'group', threadId?: number) => ({
      platform: 'telegram',
      chatId: String(id),
      chatType,
      ...(threadId === undefined ? {} : { threadId: String(threadId) }),
    });
    return {
      adapter,
      context,
      senderId: String(fake.alice.id),
      secrets: [config.token],
      chats: {
        dm: chatRef(fake.aliceDm.id, 'dm'),
        group: chatRef(fake.group.id, 'group'),
        thread: chatRef(fake.forum.id, 'group', topic),
      },
      deliverDm: (text) => send({ chat: fake.aliceDm, from: fake.alice, text }),
      deliverGroup: (text, o) => send({ chat: fake.group, from: fake.alice, text, mentionBot: o.mention }),
      deliverThread: (text) =>
        send({ chat: fake.forum, from: fake.alice, text, threadId: topic, mentionBot: true }),
      deliverMedia: async (m) => {
        const kind =
          m.kind === 'image'
            ? 'photo'
            : m.kind === 'file'
              ? 'document'
              : m.kind === 'sticker'
                ? 'sticker'
                : m.kind;
        fake.sendMedia({
          chat: fake.aliceDm,
          from: fake.alice,
          kind,
          data: m.bytes,
          name: m.name,
          mime: m.mime,
        });
      },
      deliverMalformed: async () => {
        fake.pushUpdate({ message: { message_id: 'x', chat: 'not a chat', text: 42 } });
      },
      dropConnection: async () => {
        // The adapter may be between two polls for a moment; cut the next one too.
        if (fake.dropPolls() === 0) fake.faults.next({ kind: 'drop' }, 1, { method: 'getUpdates' });
      },
      rateLimitNextSend: (seconds) =>
        fake.faults.next({ kind: 'rate-limit', retryAfterSeconds: seconds }, 1, {
          method: /^send(Message|Photo|Document)$/,
        }),
      rateLimitObservation: async () => {
        const limited = fake.faults.applied.filter((a) => a.fault.kind === 'rate-limit').at(-1)?.call;
        if (!limited) return undefined;
        const retry = fake.calls
          .slice(fake.calls.indexOf(limited) + 1)
          .find((c) => c.method === limited.method && !c.fault);
        return retry ? { limitedAt: limited.receivedAt, retriedAt: retry.receivedAt } : undefined;
      },
      sentMessages: async () =>
        fake.sent.map((s) => ({
          chatId: String(s.chatId),
          ...(s.text === undefined ? {} : { text: s.text }),
          ...(s.threadId === undefined ? {} : { threadId: String(s.threadId) }),
          ...(s.replyTo === undefined ? {} : { replyTo: String(s.replyTo) }),
          ...(s.file ? { mediaName: s.file.filename, mediaBytes: s.file.data } : {}),
          raw: s.message,
        })),
      observedEdits: async () =>
        fake.seen.edits.map((e) => ({
          chatId: String(e.chatId),
          messageId: String(e.messageId),
          text: e.text,
        })),
      observedTyping: async () => fake.seen.chatActions.map((a) => ({ chatId: String(a.chatId) })),
      observedReactions: async () =>
        fake.seen.reactions.map((r) => ({
          chatId: String(r.chatId),
          messageId: String(r.messageId),
          emoji: r.emoji,
        })),
      observedDeletes: async () =>
        fake.seen.deletions.map((d) => ({ chatId: String(d.chatId), messageId: String(d.messageId) })),
      openConnections: () => fake.openConnections,
      totalConnections: () => fake.totalConnections,
      async teardown() {
        await fake.close();
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  },
});
