import {
  AdapterError,
  type ConnectionDrop,
  type Logger,
  type SupervisedConnection,
  toAdapterError,
} from '@hermes/adapter-core';
import { ImapFlow } from 'imapflow';
import { type EmailConfig, resolvedSecurity } from './config.js';
import type { EmailRawMail } from './inbound.js';
import type { EmailMailboxState, MailboxStateFile } from './mailbox-state.js';
import type { EmailThreadBook } from './thread-book.js';

/**
 * What happened to one mail. `accepted`: the host has it (it is flagged \Seen). `dropped`: not for the
 * host (loop safety, malformed); never offered again. `refused`: the host could not take it now; it stays
 * unseen and is offered again on the next check.
 */
export type EmailMailOutcome = 'accepted' | 'dropped' | 'refused';

export interface EmailTransportOptions {
  config: EmailConfig;
  logger: Logger;
  state: MailboxStateFile;
  threads: EmailThreadBook;
  onMail(mail: EmailRawMail): Promise<EmailMailOutcome>;
  /** Every answer from the server: feeds the supervisor's watchdog and the liveness tracker. */
  onActivity(): void;
}

/** Mails fetched per round trip: small enough to keep memory flat when hundreds wait. */
const FETCH_BATCH = 25;

function imapClient(config: EmailConfig): ImapFlow {
  const security = resolvedSecurity(config, 'imap');
  return new ImapFlow({
    host: config.imapHost,
    port: config.imapPort,
    secure: security === 'tls',
    // true: the upgrade is required (a server that does not offer it fails the connection); false: never.
    ...(security === 'tls' ? {} : { doSTARTTLS: security === 'starttls' }),
    auth: { user: config.address, pass: config.password },
    // Certificates are always checked; a private CA is trusted through NODE_EXTRA_CA_CERTS.
    tls: { rejectUnauthorized: true, servername: config.imapHost },
    logger: false,
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    missingIdleCommand: 'NOOP',
    disableAutoIdle: false,
    // imapflow waits 15 s of quiet before it IDLEs; until then new mail would wait for the poll timer.
    autoIdleDelay: 100,
  });
}

/** Maps an imapflow failure on connect or login to the shared codes. */
export function imapError(error: unknown): AdapterError {
  if (error instanceof AdapterError) return error;
  const e = error as { authenticationFailed?: boolean; message?: string; code?: string };
  if (e?.authenticationFailed) {
    return new AdapterError('auth_failed', 'the IMAP server refused the login', {
      platform: 'email',
      cause: error,
      fix: 'Check EMAIL_ADDRESS and EMAIL_PASSWORD (many providers need an app password for IMAP).',
    });
  }
  if (typeof e?.message === 'string' && /certificate|self.signed|STARTTLS|TLS/i.test(e.message)) {
    // A TLS setup that fails once fails every time: retrying would only hide the misconfiguration.
    return new AdapterError('network', `TLS with the IMAP server failed: ${e.message}`, {
      platform: 'email',
      retryable: false,
      cause: error,
      fix: 'Check EMAIL_IMAP_SECURITY and EMAIL_IMAP_PORT; a private CA goes in NODE_EXTRA_CA_CERTS.',
    });
  }
  return toAdapterError(error, 'email');
}

/**
 * The IMAP side: one connection with the mailbox selected, new mail found by IDLE (the server pushes
 * EXISTS) and by a check every poll interval (the only way on servers without IDLE). Mail is handed over
 * in UID order; the last UID is persisted before the next one is looked at.
 */
export class EmailTransport {
  readonly #o: EmailTransportOptions;
  readonly #closing = new Set<Promise<void>>();

  constructor(options: EmailTransportOptions) {
    this.#o = options;
  }

  /** Resolves when every connection this transport opened has finished closing. */
  async drain(): Promise<void> {
    await Promise.all([...this.#closing]);
  }

  async connect(signal: AbortSignal): Promise<SupervisedConnection> {
    const { config, logger } = this.#o;
    const client = imapClient(config);
    let lastError: unknown;
    let resolveClosed!: (drop: ConnectionDrop) => void;
    const closed = new Promise<ConnectionDrop>((resolve) => {
      resolveClosed = resolve;
    });
    client.on('error', (error: unknown) => {
      lastError = error;
    });
    client.on('close', () => {
      resolveClosed(
        lastError === undefined
          ? { reason: 'the IMAP connection closed' }
          : {
              reason: `the IMAP connection failed: ${(lastError as Error).message}`,
              error: imapError(lastError),
            },
      );
    });
    const abort = () => client.close();
    signal.addEventListener('abort', abort, { once: true });
    try {
      await client.connect();
      const mailbox = await client.mailboxOpen(config.mailbox);
      this.#o.onActivity();
      const session = new MailboxSession(client, this.#o, String(mailbox.uidValidity), mailbox.uidNext);
      await session.reconcile();
      await session.check();
      const idle = client.capabilities.has('IDLE');
      logger.info(`email: watching ${config.mailbox} ${idle ? 'with IMAP IDLE' : 'by polling'}`, {
        pollIntervalMs: config.pollIntervalMs,
      });
      const onExists = () => session.trigger();
      client.on('exists', onExists);
      const timer = setInterval(() => session.trigger(), config.pollIntervalMs);
      timer.unref();
      session.onFailure = (error) => {
        lastError = error;
        client.close();
      };
      let closing: Promise<void> | undefined;
      return {
        closed,
        close: () => {
          clearInterval(timer);
          client.off('exists', onExists);
          session.stop();
          if (closing !== undefined || !client.usable) {
            client.close();
            return;
          }
          closing = Promise.race([
            client.logout().catch(() => undefined),
            new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref()),
          ]).finally(() => {
            client.close();
            if (closing) this.#closing.delete(closing);
          });
          this.#closing.add(closing);
        },
      };
    } catch (error) {
      client.close();
      // The rejected command carries the reason (a failed login); the 'error' event only a socket's.
      throw imapError(
        (error as { authenticationFailed?: boolean })?.authenticationFailed ? error : (lastError ?? error),
      );
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }
}

/** Logs in and out again: checks the IMAP credentials without touching any mail. */
export async function verifyImapLogin(config: EmailConfig): Promise<void> {
  const client = imapClient(config);
  client.on('error', () => {});
  try {
    await client.connect();
    await client.logout();
  } catch (error) {
    client.close();
    throw imapError(error);
  }
}

/** One selected mailbox: reconciles the saved state with the server and runs the checks one at a time. */
class MailboxSession {
  onFailure: (error: unknown) => void = () => {};
  readonly #client: ImapFlow;
  readonly #o: EmailTransportOptions;
  readonly #uidValidity: string;
  readonly #uidNext: number;
  #state!: EmailMailboxState;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  /** Found unseen after the mailbox was recreated: offered before anything else. */
  #recovered: number[] = [];

  constructor(client: ImapFlow, options: EmailTransportOptions, uidValidity: string, uidNext: number) {
    this.#client = client;
    this.#o = options;
    this.#uidValidity = uidValidity;
    this.#uidNext = uidNext;
  }

  async reconcile(): Promise<void> {
    const saved = this.#o.state.load();
    const baseline = Math.max(0, this.#uidNext - 1);
    if (saved === undefined) {
      // First start: mail already in the mailbox predates the bot and is left alone.
      this.#state = { uidValidity: this.#uidValidity, lastUid: baseline, savedAt: Date.now(), threads: [] };
      this.#o.logger.info('email: first start; mail already in the mailbox is not answered', {
        lastUid: baseline,
      });
      this.#save();
      return;
    }
    for (const thread of saved.threads) this.#o.threads.remember(thread);
    if (saved.uidValidity === this.#uidValidity) {
      this.#state = saved;
      return;
    }
    // The mailbox was recreated: old UIDs mean nothing. Unseen mail that arrived after the last save has
    // not been handed over (it is flagged \Seen only once the host has it), so that is what is offered.
    const since = new Date(saved.savedAt - 60_000);
    const found = await this.#client.search({ seen: false, since }, { uid: true });
    const candidates = Array.isArray(found) ? found : [];
    const dated = candidates.length
      ? await this.#client.fetchAll(candidates.join(','), { uid: true, internalDate: true }, { uid: true })
      : [];
    this.#recovered = dated
      .filter(
        (m) => m.internalDate !== undefined && new Date(m.internalDate).getTime() >= saved.savedAt - 60_000,
      )
      .map((m) => m.uid)
      .sort((a, b) => a - b);
    this.#o.logger.warn(
      'email: the mailbox UIDVALIDITY changed (mailbox recreated); offering its recent unseen mail',
      {
        before: saved.uidValidity,
        now: this.#uidValidity,
        unseen: this.#recovered.length,
      },
    );
    this.#state = { ...saved, uidValidity: this.#uidValidity, lastUid: baseline, savedAt: Date.now() };
    this.#save();
  }

  /** A check now, or right after the running one (two triggers during a check make one more). */
  trigger(): void {
    if (this.#stopped) return;
    this.check().catch((error: unknown) => {
      if (this.#stopped) return;
      this.#o.logger.warn('email: mailbox check failed; reconnecting', { error: (error as Error).message });
      this.onFailure(error);
    });
  }

  check(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#checkOnce();
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  stop(): void {
    this.#stopped = true;
  }

  async #checkOnce(): Promise<void> {
    if (this.#recovered.length > 0) {
      const uids = this.#recovered;
      const done = await this.#deliver(uids, false);
      this.#recovered = uids.slice(done);
      if (this.#recovered.length > 0) return;
    }
    const found = await this.#client.search({ uid: `${this.#state.lastUid + 1}:*` }, { uid: true });
    this.#o.onActivity();
    // "n:*" also matches the highest UID when it is below n (RFC 3501), so filter.
    const fresh = (Array.isArray(found) ? found : [])
      .filter((u) => u > this.#state.lastUid)
      .sort((a, b) => a - b);
    if (fresh.length > 0) await this.#deliver(fresh, true);
  }

  /** Hands the mails over in order; returns how many were dealt with before a refusal (or all). */
  async #deliver(uids: number[], advance: boolean): Promise<number> {
    const { config } = this.#o;
    let handled = 0;
    for (let i = 0; i < uids.length && !this.#stopped; i += FETCH_BATCH) {
      const batch = uids.slice(i, i + FETCH_BATCH);
      const sized = await this.#client.fetchAll(batch.join(','), { uid: true, size: true }, { uid: true });
      const small = sized.filter((m) => (m.size ?? 0) <= config.maxMessageBytes).map((m) => m.uid);
      const large = new Map(
        sized.filter((m) => (m.size ?? 0) > config.maxMessageBytes).map((m) => [m.uid, m.size ?? 0]),
      );
      const mails: EmailRawMail[] = [];
      if (small.length > 0) {
        const full = await this.#client.fetchAll(
          small.join(','),
          { uid: true, source: true, internalDate: true },
          { uid: true },
        );
        for (const m of full) {
          if (m.source)
            mails.push({
              uid: m.uid,
              uidValidity: this.#uidValidity,
              source: m.source,
              ...dateOf(m.internalDate),
            });
        }
      }
      if (large.size > 0) {
        const heads = await this.#client.fetchAll(
          [...large.keys()].join(','),
          { uid: true, headers: true, internalDate: true },
          { uid: true },
        );
        for (const m of heads) {
          mails.push({
            uid: m.uid,
            uidValidity: this.#uidValidity,
            source: Buffer.concat([m.headers ?? Buffer.alloc(0), Buffer.from('\r\n')]),
            oversizeBytes: large.get(m.uid) ?? 0,
            ...dateOf(m.internalDate),
          });
        }
      }
      this.#o.onActivity();
      mails.sort((a, b) => a.uid - b.uid);
      const accepted: number[] = [];
      let refused = false;
      for (const mail of mails) {
        if (this.#stopped) break;
        const outcome = await this.#o.onMail(mail);
        if (outcome === 'refused') {
          refused = true;
          break;
        }
        if (advance && mail.uid > this.#state.lastUid) {
          this.#state.lastUid = mail.uid;
          this.#save();
        }
        if (outcome === 'accepted') accepted.push(mail.uid);
        handled = uids.indexOf(mail.uid) + 1;
      }
      if (!refused && !this.#stopped) handled = Math.max(handled, i + batch.length);
      if (accepted.length > 0) {
        // Only now: a mail flagged \Seen is one the host has.
        await this.#client.messageFlagsAdd(accepted.join(','), ['\\Seen'], { uid: true });
      }
      if (refused || this.#stopped) break;
    }
    return handled;
  }

  #save(): void {
    this.#state.savedAt = Date.now();
    this.#state.threads = this.#o.threads.entries();
    this.#o.state.save(this.#state);
  }
}

function dateOf(value: Date | string | undefined): { internalDate?: Date } {
  return value === undefined ? {} : { internalDate: new Date(value) };
}
