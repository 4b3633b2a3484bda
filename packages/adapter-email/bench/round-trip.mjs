// Email round trip through real postfix + dovecot: a person mails the bot, the bot answers, the person's
// IMAP IDLE sees the answer. Once with the adapter as the bot, once with a bare imapflow (IDLE, fetch the
// envelope, flag \Seen) + nodemailer (reply) bot doing the same in the same run, on the same servers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext } from '@hermes/adapter-testkit';
import { ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import { createEmailAdapter } from '../dist/index.js';
import { MAIL_TEST_PASSWORD, mailServersUnavailable, startEmailTestbed } from '../dist/testing/index.js';

const ROUNDS = Number(process.env.EMAIL_BENCH_ROUNDS ?? 40);
const WARMUP = 5;

function imap(servers, user) {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: servers.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: MAIL_TEST_PASSWORD },
    logger: false,
    autoIdleDelay: 100,
  });
  client.on('error', () => {});
  return client;
}

/** The person: sends a mail, resolves when the answer lands in their mailbox (IDLE push). */
async function person(bed, address) {
  const inbox = imap(bed.servers, address);
  await inbox.connect();
  await inbox.mailboxOpen('INBOX');
  let count = 0;
  let waiter;
  inbox.on('exists', (info) => {
    count = info.count;
    waiter?.();
  });
  return {
    async roundTrip(to, i) {
      const before = count;
      const answered = new Promise((resolve) => {
        waiter = () => count > before && resolve();
      });
      const start = process.hrtime.bigint();
      await bed.send({ from: address, to, subject: `Question ${i}`, text: `question number ${i}` });
      await Promise.race([
        answered,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`round trip ${i} timed out`)), 15_000)),
      ]);
      return Number(process.hrtime.bigint() - start) / 1e6;
    },
    close: () => inbox.logout(),
  };
}

async function bareBot(bed, address) {
  const client = imap(bed.servers, address);
  await client.connect();
  const box = await client.mailboxOpen('INBOX');
  let last = box.uidNext - 1;
  const smtp = createTransport({
    host: '127.0.0.1',
    port: bed.servers.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  let busy = Promise.resolve();
  const check = async () => {
    const uids = ((await client.search({ uid: `${last + 1}:*` }, { uid: true })) || []).filter(
      (u) => u > last,
    );
    if (uids.length === 0) return;
    const mails = await client.fetchAll(uids.join(','), { uid: true, envelope: true }, { uid: true });
    for (const mail of mails) {
      last = Math.max(last, mail.uid);
      await smtp.sendMail({
        from: address,
        to: mail.envelope.from[0].address,
        subject: `Re: ${mail.envelope.subject}`,
        inReplyTo: mail.envelope.messageId,
        references: [mail.envelope.messageId],
        text: `answer to ${mail.envelope.messageId}`,
      });
    }
    await client.messageFlagsAdd(uids.join(','), ['\\Seen'], { uid: true });
  };
  client.on('exists', () => {
    busy = busy.then(check);
  });
  return {
    close: async () => {
      await busy;
      await client.logout();
      smtp.close();
    },
  };
}

async function adapterBot(bed, address) {
  const stateDir = await mkdtemp(join(tmpdir(), 'hermes-email-bench-'));
  const context = createTestContext();
  const adapter = createEmailAdapter(
    bed.adapterConfig(address, undefined, { stateDir, pollIntervalMs: 60_000 }),
  );
  context.ctx.receive = (msg) => {
    void adapter.send(msg.chat, { text: `answer to ${msg.id}`, replyTo: msg.id });
  };
  await adapter.start(context.ctx);
  return {
    close: async () => {
      await adapter.stop();
      await context.cleanup();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

async function measure(bed, makeBot, label) {
  const botAddress = bed.newAddress(`bench-${label}`);
  const bot = await makeBot(bed, botAddress);
  const me = await person(bed, bed.newAddress(`person-${label}`));
  const times = [];
  try {
    for (let i = 0; i < WARMUP + ROUNDS; i += 1) {
      const ms = await me.roundTrip(botAddress, i);
      if (i >= WARMUP) times.push(ms);
    }
  } finally {
    await me.close();
    await bot.close();
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { median: at(0.5), p95: at(0.95) };
}

export async function run() {
  const why = mailServersUnavailable();
  if (why) return { name: 'email round trip', lines: [`skipped: ${why}`] };
  const bed = await startEmailTestbed();
  try {
    // Alternate to spread machine noise over both.
    const bare1 = await measure(bed, bareBot, 'bare1');
    const adapter1 = await measure(bed, adapterBot, 'adapter1');
    const bare2 = await measure(bed, bareBot, 'bare2');
    const adapter2 = await measure(bed, adapterBot, 'adapter2');
    const bare = (bare1.median + bare2.median) / 2;
    const adapter = (adapter1.median + adapter2.median) / 2;
    const fmt = (n) => `${n.toFixed(1)} ms`;
    return {
      name: `email round trip, ${ROUNDS} sequential mails x2 (postfix -> dovecot -> bot -> postfix -> dovecot -> IDLE)`,
      lines: [
        `bare imapflow + nodemailer: median ${fmt(bare)} (p95 ${fmt(Math.max(bare1.p95, bare2.p95))})`,
        `adapter:                    median ${fmt(adapter)} (p95 ${fmt(Math.max(adapter1.p95, adapter2.p95))})`,
        `ratio adapter / bare:       ${(adapter / bare).toFixed(2)}`,
      ],
    };
  } finally {
    await bed.close();
  }
}
