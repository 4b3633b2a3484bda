import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef } from '@hermes/adapter-core';
import { createTestContext, runConformanceSuite, type SentMessage } from '@hermes/adapter-testkit';
import { afterAll, it } from 'vitest';
import { createEmailAdapter } from './adapter.js';
import { EMAIL_CAPABILITIES } from './format.js';
import {
  type EmailTestbed,
  MAIL_TEST_PASSWORD,
  mailServersUnavailable,
  startEmailTestbed,
} from './testing/index.js';

/*
 * The shared conformance suite against real dovecot (IMAP) and postfix (SMTP) on 127.0.0.1. Email has no
 * groups: the "group" chat is a second correspondent, and a "mention" is the bot being a direct recipient
 * (To) rather than only copied (Cc). Drops and SMTP rate limits come from proxies in front of the servers.
 * Mail in the scenarios carries a "Re:" subject, as in an ongoing conversation, so no "[Subject: …]" line
 * is added (that prefix has its own tests).
 */
const unavailable = mailServersUnavailable();

let testbed: Promise<EmailTestbed> | undefined;
afterAll(async () => {
  if (testbed) await (await testbed).close();
});

if (unavailable !== undefined) {
  // Reported as skipped with the reason; there is nothing to run without the servers.
  it.skip(`email: adapter conformance against real dovecot + postfix (skipped: ${unavailable})`);
} else {
  runConformanceSuite({
    name: 'email (real dovecot + postfix)',
    capabilities: EMAIL_CAPABILITIES,
    async setup() {
      testbed ??= startEmailTestbed();
      const bed = await testbed;
      const proxies = await bed.proxies();
      const stateDir = await mkdtemp(join(tmpdir(), 'hermes-email-state-'));
      const bot = bed.newAddress('bot');
      const alice = bed.newAddress('alice');
      const bob = bed.newAddress('bob');
      const carol = bed.newAddress('carol');
      const dm: ChatRef = { platform: 'email', chatId: alice, chatType: 'dm' };
      const group: ChatRef = { platform: 'email', chatId: bob, chatType: 'dm' };
      const subject = 'Re: conformance';
      const sentMessages = async (): Promise<SentMessage[]> => {
        const order = proxies.smtp.connections.flatMap((c) => (c.messageId ? [c.messageId] : []));
        const rank = (id: string | undefined) => {
          const at = id === undefined ? -1 : order.indexOf(id);
          return at < 0 ? Number.MAX_SAFE_INTEGER : at;
        };
        const all: Array<SentMessage & { rank: number }> = [];
        for (const chatId of [alice, bob]) {
          for (const mail of await bed.readMailbox(chatId)) {
            const file = mail.parsed.attachments[0];
            all.push({
              chatId,
              text: typeof mail.parsed.text === 'string' ? mail.parsed.text : '',
              ...(mail.parsed.inReplyTo ? { replyTo: mail.parsed.inReplyTo } : {}),
              ...(file ? { mediaName: file.filename ?? '', mediaBytes: file.content } : {}),
              raw: mail.parsed,
              rank: rank(mail.parsed.messageId),
            });
          }
        }
        return all.sort((a, b) => a.rank - b.rank).map(({ rank: _rank, ...m }) => m);
      };
      return {
        adapter: createEmailAdapter(bed.adapterConfig(bot, proxies, { stateDir })),
        context: createTestContext(),
        chats: { dm, group },
        senderId: alice,
        secrets: [MAIL_TEST_PASSWORD],
        deliverDm: async (text) => {
          await bed.send({ from: alice, to: bot, subject, text });
        },
        deliverGroup: async (text, o) => {
          await bed.send(
            o.mention
              ? { from: bob, to: [bot, carol], subject, text }
              : { from: bob, to: carol, cc: bot, subject, text },
          );
        },
        deliverMedia: async (m) => {
          await bed.send({
            from: alice,
            to: bot,
            subject,
            text: 'the file is attached',
            attachments: [{ filename: m.name, content: m.bytes, contentType: m.mime }],
          });
        },
        // Straight into the mailbox: postfix would add the missing From header itself.
        deliverMalformed: () =>
          bed.append(bot, 'this line is no header\r\n\r\nand no From names a sender\r\n'),
        dropConnection: async () => proxies.imap.dropAll(),
        rateLimitNextSend: (seconds) =>
          proxies.smtp.refuseNext(`421 4.7.0 Too many messages, try again in ${seconds} seconds`),
        rateLimitObservation: async () => {
          const connections = proxies.smtp.connections;
          const refused = connections.findIndex((c) => c.refusedWith !== undefined);
          const retry = refused < 0 ? undefined : connections[refused + 1];
          return retry ? { limitedAt: connections[refused]!.at, retriedAt: retry.at } : undefined;
        },
        openConnections: () => proxies.imap.openConnections + proxies.smtp.openConnections,
        totalConnections: () => proxies.imap.connections.length + proxies.smtp.connections.length,
        sentMessages,
        teardown: async () => {
          await proxies.close();
          await rm(stateDir, { recursive: true, force: true });
        },
      };
    },
  });
}
