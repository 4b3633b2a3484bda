import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InboundMessage } from '@hermes/adapter-core';
import { createTestContext, type TestContext, tinyPng, waitFor } from '@hermes/adapter-testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter, type EmailAdapter } from './adapter.js';
import type { EmailConfigInput } from './config.js';
import { type EmailTestbed, mailServersUnavailable, startEmailTestbed } from './testing/index.js';

const unavailable = mailServersUnavailable();

/** One bot mailbox with its own state dir, reused across restarts within a test. */
interface Bot {
  address: string;
  stateDir: string;
  start(o?: {
    receive?: (msg: InboundMessage, ctx: TestContext) => void;
    config?: Partial<EmailConfigInput>;
  }): Promise<{
    adapter: EmailAdapter;
    context: TestContext;
  }>;
  stopAll(): Promise<void>;
}

describe.skipIf(unavailable !== undefined)(
  `email against real dovecot + postfix${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let bed: EmailTestbed;
    const cleanups: Array<() => Promise<void>> = [];

    beforeAll(async () => {
      bed = await startEmailTestbed();
    }, 30_000);
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      await bed?.close();
    });

    async function newBot(): Promise<Bot> {
      const address = bed.newAddress('bot');
      const stateDir = await mkdtemp(join(tmpdir(), 'hermes-email-state-'));
      const running: Array<{ adapter: EmailAdapter; context: TestContext }> = [];
      const bot: Bot = {
        address,
        stateDir,
        async start(o = {}) {
          const adapter = createEmailAdapter(
            bed.adapterConfig(address, undefined, { stateDir, ...o.config }),
          );
          const context = createTestContext();
          if (o.receive) {
            const record = context.ctx.receive;
            context.ctx.receive = (msg) => {
              o.receive!(msg, context);
              record(msg);
            };
          }
          await adapter.start(context.ctx);
          running.push({ adapter, context });
          return { adapter, context };
        },
        async stopAll() {
          for (const r of running.splice(0)) {
            await r.adapter.stop();
            await r.context.cleanup();
          }
        },
      };
      cleanups.push(async () => {
        await bot.stopAll();
        await rm(stateDir, { recursive: true, force: true });
      });
      return bot;
    }

    it('a mail in: chat id is the lower-case sender, "[Subject: …]" prefix, quoted history trimmed, \\Seen once accepted', async () => {
      const bot = await newBot();
      const { context } = await bot.start();
      const sender = bed.newAddress('Alice');
      const messageId = await bed.send({
        from: `Alice Example <${sender}>`,
        to: bot.address,
        subject: 'Quarterly numbers',
        text: 'Can you summarise them?\n\nOn Mon, 1 Dec 2026 at 10:00, Bob <bob@example.test> wrote:\n> the numbers are in\n> see attached',
      });
      const msg = await context.waitForReceived((m) => m.id === messageId, 10_000);
      expect(msg.chat).toEqual({
        platform: 'email',
        chatId: sender.toLowerCase(),
        chatType: 'dm',
        chatName: 'Alice Example',
      });
      expect(msg.sender).toEqual({ id: sender.toLowerCase(), name: 'Alice Example' });
      expect(msg.text).toBe('[Subject: Quarterly numbers]\n\nCan you summarise them?');
      expect(msg.mentionsBot).toBe(true);
      const [mail] = await waitFor(
        async () => {
          const box = await bed.readMailbox(bot.address);
          return box.length === 1 && box[0]!.seen ? box : undefined;
        },
        { timeoutMs: 5_000, what: 'the accepted mail to be flagged \\Seen' },
      );
      expect(mail!.parsed.messageId).toBe(messageId);
    });

    it('new mail is pushed by IMAP IDLE: it arrives long before the next poll', async () => {
      const bot = await newBot();
      const { context } = await bot.start({ config: { pollIntervalMs: 120_000 } });
      expect(context.logger.find('info', 'with IMAP IDLE')).toHaveLength(1);
      // Past the first check, so only a push (or a poll 2 minutes away) can find the next mail.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const id = await bed.send({
        from: bed.newAddress('push'),
        to: bot.address,
        subject: 'Re: x',
        text: 'pushed',
      });
      const msg = await context.waitForReceived((m) => m.id === id, 10_000);
      expect(msg.text).toBe('pushed');
    });

    it('a server without IDLE is polled every EMAIL_POLL_INTERVAL', async () => {
      const bot = await newBot();
      const proxies = await bed.proxies({ hideImapCapability: 'IDLE' });
      cleanups.push(() => proxies.close());
      const adapter = createEmailAdapter(
        bed.adapterConfig(bot.address, proxies, { stateDir: bot.stateDir, pollIntervalMs: 500 }),
      );
      const context = createTestContext();
      await adapter.start(context.ctx);
      cleanups.push(async () => {
        await adapter.stop();
        await context.cleanup();
      });
      expect(context.logger.find('info', 'by polling')).toHaveLength(1);
      const id = await bed.send({
        from: bed.newAddress('poll'),
        to: bot.address,
        subject: 'Re: x',
        text: 'polled',
      });
      const msg = await context.waitForReceived((m) => m.id === id, 10_000);
      expect(msg.text).toBe('polled');
    });

    it('HTML-only mail reaches the host as text', async () => {
      const bot = await newBot();
      const { context } = await bot.start();
      const id = await bed.send({
        from: bed.newAddress('html'),
        to: bot.address,
        subject: 'Re: layout',
        html: '<html><body><h1>Status</h1><p>All <b>green</b>, see <a href="https://example.test/x">the board</a>.</p><img src="https://example.test/pixel.gif"></body></html>',
      });
      const msg = await context.waitForReceived((m) => m.id === id, 10_000);
      expect(msg.text).toContain('All green, see the board [https://example.test/x].');
      expect(msg.text).not.toContain('<');
      expect(msg.text).not.toContain('pixel.gif');
    });

    it('a threaded reply goes out with In-Reply-To, References, "Re: " subject, an HTML part and a text part', async () => {
      const bot = await newBot();
      const { adapter, context } = await bot.start();
      const sender = bed.newAddress('carol');
      const earlier = '<first.message@example.test>';
      const id = await bed.send({
        from: sender,
        to: bot.address,
        subject: 'Trip plan',
        text: 'Where should we go?',
        inReplyTo: earlier,
        references: [earlier],
      });
      const msg = await context.waitForReceived((m) => m.id === id, 10_000);
      expect(msg.replyTo).toEqual({ id: earlier });
      const result = await adapter.send(msg.chat, {
        text: 'Try **Lisbon**:\n\n- trams\n- pastéis',
        replyTo: msg.id,
      });
      expect(result.ok).toBe(true);
      const [reply] = await bed.readMailbox(sender);
      expect(reply).toBeDefined();
      const parsed = reply!.parsed;
      expect(parsed.subject).toBe('Re: Trip plan');
      expect(parsed.inReplyTo).toBe(id);
      expect(parsed.references).toEqual([earlier, id]);
      expect(parsed.from?.value[0]?.address).toBe(bot.address);
      expect(parsed.text).toContain('Try **Lisbon**');
      expect(parsed.html).toContain('<strong>Lisbon</strong>');
      expect(parsed.html).toContain('<li>pastéis</li>');
      expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
      if (result.ok) expect(result.messageIds).toEqual([parsed.messageId]);
    });

    it('an attachment both ways: inbound as a lazy attachment, outbound attached to the reply', async () => {
      const bot = await newBot();
      const { adapter, context } = await bot.start();
      const sender = bed.newAddress('dave');
      const png = tinyPng();
      const id = await bed.send({
        from: sender,
        to: bot.address,
        subject: 'Re: chart',
        text: 'the chart',
        attachments: [{ filename: 'chart.png', content: png, contentType: 'image/png' }],
      });
      const msg = await context.waitForReceived((m) => m.id === id, 10_000);
      expect(msg.attachments).toHaveLength(1);
      const attachment = msg.attachments[0]!;
      expect(attachment).toMatchObject({
        kind: 'image',
        mime: 'image/png',
        name: 'chart.png',
        size: png.length,
      });
      const path = await attachment.fetch();
      expect(path.startsWith(context.ctx.mediaCache.dir)).toBe(true);
      expect((await readFile(path)).equals(png)).toBe(true);

      const dir = await mkdtemp(join(tmpdir(), 'hermes-email-out-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const report = join(dir, 'report.txt');
      await writeFile(report, 'line one\nline two\n');
      const result = await adapter.send(msg.chat, {
        text: 'Here is the report.',
        replyTo: msg.id,
        media: [{ kind: 'file', path: report, mime: 'text/plain', name: 'report.txt' }],
      });
      expect(result).toMatchObject({ ok: true });
      const box = await bed.readMailbox(sender);
      expect(box).toHaveLength(1);
      const out = box[0]!.parsed;
      expect(out.text).toContain('Here is the report.');
      expect(out.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
        ['report.txt', 'line one\nline two\n'],
      ]);
    });

    it('loop safety: auto-replies, bulk and list mail, bounces and our own mail are not handed over', async () => {
      const bot = await newBot();
      const { context } = await bot.start();
      const sender = bed.newAddress('eve');
      const base = { from: sender, to: bot.address, subject: 'Out of office' };
      await bed.send({ ...base, text: 'auto 1', headers: { 'Auto-Submitted': 'auto-replied' } });
      await bed.send({ ...base, text: 'auto 2', headers: { Precedence: 'bulk' } });
      await bed.send({ ...base, text: 'auto 3', headers: { 'List-Id': '<news.example.test>' } });
      await bed.send({ ...base, from: `mailer-daemon@${sender.split('@')[1]}`, text: 'auto 4' });
      await bed.send({ ...base, from: bot.address, text: 'auto 5' });
      const marker = await bed.send({ ...base, subject: 'Re: a person', text: 'a person wrote this' });
      await context.waitForReceived((m) => m.id === marker, 10_000);
      // postfix delivers in parallel: the person's mail may overtake the automatic ones.
      const skipped = await waitFor(
        () => {
          const found = context.logger.find('info', 'not answering');
          return found.length >= 5 ? found : undefined;
        },
        { timeoutMs: 10_000, what: 'the five automatic mails to be skipped' },
      );
      expect(skipped.map((e) => String(e.fields['reason'])).sort()).toEqual([
        'Auto-Submitted: auto-replied',
        'Precedence: bulk',
        'mailing list (list-id header)',
        'sent by an automatic sender (mailer-daemon@example.test)',
        'sent from our own address',
      ]);
      expect(context.received.map((m) => m.text)).toEqual(['a person wrote this']);
    });

    it('mail that predates the first start is ignored; a restart neither replays nor loses mail', async () => {
      const bot = await newBot();
      const old = await bed.send({
        from: bed.newAddress('old'),
        to: bot.address,
        subject: 'Re: x',
        text: 'from before the bot',
      });
      await bed.servers.waitForQueueEmpty();
      const first = await bot.start();
      const one = await bed.send({
        from: bed.newAddress('frank'),
        to: bot.address,
        subject: 'Re: x',
        text: 'one',
      });
      await first.context.waitForReceived((m) => m.id === one, 10_000);
      await bot.stopAll();

      const whileDown = await bed.send({
        from: bed.newAddress('gina'),
        to: bot.address,
        subject: 'Re: x',
        text: 'two',
      });
      await bed.servers.waitForQueueEmpty();
      const second = await bot.start();
      await second.context.waitForReceived((m) => m.id === whileDown, 10_000);
      const three = await bed.send({
        from: bed.newAddress('hal'),
        to: bot.address,
        subject: 'Re: x',
        text: 'three',
      });
      await second.context.waitForReceived((m) => m.id === three, 10_000);
      expect(first.context.received.map((m) => m.id)).toEqual([one]);
      expect(second.context.received.map((m) => m.id)).toEqual([whileDown, three]);
      expect([...first.context.received, ...second.context.received].some((m) => m.id === old)).toBe(false);
    });

    it('a mail the host refuses stays unseen and is offered again, then flagged \\Seen once accepted', async () => {
      const bot = await newBot();
      let refusals = 1;
      const { context } = await bot.start({
        receive: () => {
          if (refusals > 0) {
            refusals -= 1;
            throw new Error('journal is full');
          }
        },
      });
      const id = await bed.send({
        from: bed.newAddress('ivy'),
        to: bot.address,
        subject: 'Re: x',
        text: 'retry me',
      });
      await waitFor(() => context.logger.find('error', 'refused').length > 0, {
        timeoutMs: 10_000,
        what: 'the refusal to be logged',
      });
      const [unseen] = await bed.readMailbox(bot.address);
      expect(unseen!.seen).toBe(false);
      await context.waitForReceived((m) => m.id === id, 10_000);
      await waitFor(async () => (await bed.readMailbox(bot.address))[0]!.seen, {
        timeoutMs: 5_000,
        what: 'the mail to be flagged \\Seen after the host accepted it',
      });
      expect(context.received.filter((m) => m.id === id)).toHaveLength(1);
    });

    it('TLS is required unless none is set: a server without STARTTLS is refused with the fix, not used in clear', async () => {
      const bot = await newBot();
      const adapter = createEmailAdapter(
        bed.adapterConfig(bot.address, undefined, { stateDir: bot.stateDir, imapSecurity: undefined }),
      );
      const context = createTestContext();
      cleanups.push(() => context.cleanup());
      const failure = await adapter.start(context.ctx).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ code: 'network', retryable: false });
      expect((failure as Error).message).toMatch(/TLS/);
      expect((failure as { fix?: string }).fix).toMatch(/EMAIL_IMAP_SECURITY/);

      const { adapter: sender } = await bot.start({ config: { smtpSecurity: undefined } });
      const result = await sender.send(
        { platform: 'email', chatId: bed.newAddress('tls'), chatType: 'dm' },
        { text: 'must not go out in clear' },
      );
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.fix).toMatch(/EMAIL_SMTP_SECURITY/);
    });

    it('a recreated mailbox (new UIDVALIDITY): its unseen mail since the last save is offered, nothing older', async () => {
      const bot = await newBot();
      const folder = 'Hermes';
      const folderBot = { config: { mailbox: folder } };
      await bed.withMailbox(bot.address, (client) => client.mailboxCreate(folder));
      await bot.start(folderBot);
      await bot.stopAll();
      await bed.withMailbox(bot.address, async (client) => {
        await client.mailboxDelete(folder);
        await client.mailboxCreate(folder);
        await client.append(
          folder,
          Buffer.from(
            'From: kim@example.test\r\nSubject: Re: x\r\nMessage-ID: <seen@x>\r\n\r\nalready read\r\n',
          ),
          ['\\Seen'],
        );
        await client.append(
          folder,
          Buffer.from(
            'From: kim@example.test\r\nSubject: Re: x\r\nMessage-ID: <unseen@x>\r\n\r\nnot yet answered\r\n',
          ),
        );
      });
      const { context } = await bot.start(folderBot);
      await context.waitForReceived((m) => m.id === '<unseen@x>', 10_000);
      expect(context.logger.find('warn', 'UIDVALIDITY changed')).toHaveLength(1);
      const later = await bed.withMailbox(bot.address, (client) =>
        client.append(
          folder,
          Buffer.from(
            'From: kim@example.test\r\nSubject: Re: x\r\nMessage-ID: <later@x>\r\n\r\nafter the restart\r\n',
          ),
        ),
      );
      expect(later).toBeTruthy();
      await context.waitForReceived((m) => m.id === '<later@x>', 10_000);
      expect(context.received.map((m) => m.id)).toEqual(['<unseen@x>', '<later@x>']);
    });

    it('a mail over maxMessageBytes is not downloaded: the host gets its header and a note', async () => {
      const bot = await newBot();
      const { context } = await bot.start({ config: { maxMessageBytes: 4_096 } });
      const id = await bed.send({
        from: bed.newAddress('big'),
        to: bot.address,
        subject: 'Scan',
        text: 'see the scan',
        attachments: [{ filename: 'scan.bin', content: Buffer.alloc(20_000, 7) }],
      });
      const msg = await context.waitForReceived((m) => m.id === id, 10_000);
      expect(msg.text).toMatch(
        /^\[Subject: Scan\]\n\n\(This email is \d+ KB, over the size limit: only its header was read\.\)$/,
      );
      expect(msg.attachments).toEqual([]);
    });

    it('200 mails arriving while the bot is down are all answered once after the restart', async () => {
      const bot = await newBot();
      await bot.start();
      await bot.stopAll();
      const senders = [
        bed.newAddress('p1'),
        bed.newAddress('p2'),
        bed.newAddress('p3'),
        bed.newAddress('p4'),
      ];
      const ids = new Set<string>();
      const sent = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          bed.send({
            from: senders[i % 4]!,
            to: bot.address,
            subject: `Question ${i}`,
            text: `question number ${i}`,
          }),
        ),
      );
      for (const id of sent) ids.add(id);
      await bed.servers.waitForQueueEmpty(20_000);
      const replies: Array<Promise<unknown>> = [];
      const { adapter, context } = await bot.start({
        receive: (msg) => {
          replies.push(adapter.send(msg.chat, { text: `answer to ${msg.id}`, replyTo: msg.id }));
        },
      });
      await waitFor(() => context.received.length >= 200, {
        timeoutMs: 20_000,
        what: '200 mails to reach the host',
      });
      const results = await Promise.all(replies);
      expect(results.every((r) => (r as { ok: boolean }).ok)).toBe(true);
      expect(new Set(context.received.map((m) => m.id))).toEqual(ids);
      expect(context.received).toHaveLength(200);
      const answered: string[] = [];
      const misthreaded: string[] = [];
      for (const sender of senders) {
        for (const mail of await bed.readMailbox(sender)) {
          answered.push(mail.parsed.inReplyTo ?? '');
          // Answered from inside receive(): the thread must already be known (subject included).
          const asked = context.received.find((m) => m.id === mail.parsed.inReplyTo);
          const question = asked?.text.match(/^\[Subject: (Question \d+)\]/)?.[1];
          if (mail.parsed.subject !== `Re: ${question}`)
            misthreaded.push(`${mail.parsed.subject} for ${question}`);
        }
      }
      expect(answered).toHaveLength(200);
      expect(new Set(answered)).toEqual(ids);
      expect(misthreaded).toEqual([]);
    }, 60_000);

    // Last: dovecot delays every login from an address after failed ones, which would slow the tests after it.
    it('probe() logs in to IMAP and SMTP; a wrong password fails probe() and start() with auth_failed and the fix', async () => {
      const bot = await newBot();
      const good = createEmailAdapter(bed.adapterConfig(bot.address, undefined, { stateDir: bot.stateDir }));
      expect(await good.probe()).toMatchObject({ ok: true, identity: bot.address });
      const bad = createEmailAdapter(
        bed.adapterConfig(bot.address, undefined, { stateDir: bot.stateDir, password: 'wrong-password' }),
      );
      const probed = await bad.probe();
      expect(probed).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
      if (!probed.ok) expect(probed.fix).toMatch(/EMAIL_PASSWORD/);
      const context = createTestContext();
      cleanups.push(() => context.cleanup());
      await expect(bad.start(context.ctx)).rejects.toMatchObject({ code: 'auth_failed' });
      expect(context.statuses.at(-1)).toBe('failed');
    });
  },
);
