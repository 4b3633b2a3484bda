import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { type ParsedMail, simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import type { EmailConfigInput } from '../config.js';
import { type LoopbackProxy, startLoopbackProxy } from './loopback-proxy.js';
import { MAIL_TEST_DOMAIN, MAIL_TEST_PASSWORD, type MailServers, startMailServers } from './mail-servers.js';

/** A mail a test sends into the servers, as a person's mail client would. */
export interface TestbedMail {
  from: string;
  to: string | string[];
  cc?: string | string[];
  subject?: string;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
  inReplyTo?: string;
  references?: string | string[];
  attachments?: Array<{ filename: string; content: Buffer; contentType?: string }>;
}

/** One mail read back from a mailbox. */
export interface MailboxMail {
  uid: number;
  seen: boolean;
  parsed: ParsedMail;
}

/** The adapter's two connections, each through its own fault-injecting proxy. */
export interface EmailProxies {
  imap: LoopbackProxy;
  smtp: LoopbackProxy;
  close(): Promise<void>;
}

export interface EmailTestbed {
  readonly servers: MailServers;
  /** A fresh address at the test domain (every address is a mailbox). */
  newAddress(prefix: string): string;
  /** Proxies in front of IMAP and SMTP, for one adapter (`hideImapCapability`: e.g. a server without IDLE). */
  proxies(o?: { hideImapCapability?: string }): Promise<EmailProxies>;
  /** The config of an adapter for `address`, plain text on loopback (security `none`, set explicitly). */
  adapterConfig(address: string, via?: EmailProxies, overrides?: Partial<EmailConfigInput>): EmailConfigInput;
  /** Sends a mail through postfix (not through any proxy); resolves with its Message-ID. */
  send(mail: TestbedMail): Promise<string>;
  /** Puts raw bytes into a mailbox with IMAP APPEND, bypassing SMTP (for mail postfix would repair). */
  append(address: string, raw: string | Buffer): Promise<void>;
  /** Runs IMAP commands logged in as `address` (create folders, append with flags...). */
  withMailbox<T>(address: string, work: (client: ImapFlow) => Promise<T>): Promise<T>;
  /** Every mail in the mailbox, in UID order, once postfix has delivered what it accepted. */
  readMailbox(address: string): Promise<MailboxMail[]>;
  close(): Promise<void>;
}

/**
 * Real dovecot + postfix on 127.0.0.1 (see startMailServers) with the helpers a test of an email bot needs:
 * send mail as a person, read a mailbox back, put proxies between the bot and the servers.
 */
export async function startEmailTestbed(): Promise<EmailTestbed> {
  const servers = await startMailServers();
  const transport = createTransport({
    // Pooled: tests send hundreds of mails, a connection each would dominate their run time.
    pool: true,
    maxConnections: 4,
    host: '127.0.0.1',
    port: servers.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  const open = new Set<EmailProxies>();

  const withMailbox = async <T>(address: string, work: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: servers.imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user: address, pass: MAIL_TEST_PASSWORD },
      logger: false,
    });
    client.on('error', () => {});
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  return {
    servers,
    newAddress(prefix) {
      return `${prefix}-${randomBytes(4).toString('hex')}@${MAIL_TEST_DOMAIN}`;
    },
    async proxies(o = {}) {
      const imap = await startLoopbackProxy(
        servers.imapPort,
        o.hideImapCapability === undefined ? {} : { hideCapability: o.hideImapCapability },
      );
      const smtp = await startLoopbackProxy(servers.smtpPort);
      const pair: EmailProxies = {
        imap,
        smtp,
        async close() {
          open.delete(pair);
          await Promise.all([imap.close(), smtp.close()]);
        },
      };
      open.add(pair);
      return pair;
    },
    adapterConfig(address, via, overrides = {}) {
      return {
        address,
        password: MAIL_TEST_PASSWORD,
        imapHost: '127.0.0.1',
        imapPort: via?.imap.port ?? servers.imapPort,
        imapSecurity: 'none',
        smtpHost: '127.0.0.1',
        smtpPort: via?.smtp.port ?? servers.smtpPort,
        smtpSecurity: 'none',
        pollIntervalMs: 1_000,
        timeoutMs: 10_000,
        ...overrides,
      };
    },
    async send(mail) {
      const info = await transport.sendMail({ ...mail });
      return info.messageId;
    },
    withMailbox,
    async append(address, raw) {
      await withMailbox(address, async (client) => {
        await client.append('INBOX', typeof raw === 'string' ? Buffer.from(raw) : raw);
      });
    },
    async readMailbox(address) {
      await servers.waitForQueueEmpty();
      return withMailbox(address, async (client) => {
        const box = await client.mailboxOpen('INBOX');
        if (box.exists === 0) return [];
        const fetched = await client.fetchAll('1:*', { uid: true, flags: true, source: true });
        const mails: MailboxMail[] = [];
        for (const m of fetched) {
          if (!m.source) continue;
          mails.push({
            uid: m.uid,
            seen: m.flags?.has('\\Seen') ?? false,
            parsed: await simpleParser(m.source),
          });
        }
        return mails.sort((a, b) => a.uid - b.uid);
      });
    },
    async close() {
      transport.close();
      await Promise.all([...open].map((p) => p.close()));
      await servers.stop();
    },
  };
}
