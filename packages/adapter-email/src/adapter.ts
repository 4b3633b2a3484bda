import { dirname, join } from 'node:path';
import {
  type AdapterContext,
  AdapterError,
  type AdapterLiveness,
  type Capabilities,
  type ChatRef,
  ConnectionSupervisor,
  createSendPacer,
  isAdapterError,
  isFatalConnectionError,
  LivenessTracker,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  type SendPacer,
  type SendResult,
  silentLogger,
  toAdapterError,
} from '@hermes/adapter-core';
import { type EmailConfig, type EmailConfigInput, parseEmailConfig } from './config.js';
import { EMAIL_CAPABILITIES } from './format.js';
import { type EmailRawMail, mapEmailInbound, parseEmail } from './inbound.js';
import { MailboxStateFile, mailboxStatePath } from './mailbox-state.js';
import { sendEmailMessage } from './outbound.js';
import { EmailSmtpSender } from './smtp-sender.js';
import { EmailThreadBook } from './thread-book.js';
import { type EmailMailOutcome, EmailTransport, verifyImapLogin } from './transport.js';

const PLATFORM = 'email';

/** Everything that exists only between start() and stop(). */
interface Running {
  ctx: AdapterContext;
  transport: EmailTransport;
  supervisor: ConnectionSupervisor;
  smtp: EmailSmtpSender;
  pacer: SendPacer;
  threads: EmailThreadBook;
}

/** No reconnect repairs these: wrong credentials, bad config, a TLS setup that cannot work. */
function isFatal(error: unknown): boolean {
  return (
    isFatalConnectionError(error) ||
    (isAdapterError(error) &&
      (error.code === 'unsupported' || (error.code === 'network' && !error.retryable)))
  );
}

/**
 * The Email adapter: mail in over IMAP (IDLE push, polling otherwise), replies out over SMTP in the
 * sender's thread. One chat per sender address.
 */
export class EmailAdapter implements PlatformAdapter {
  readonly platform = PLATFORM;
  readonly capabilities: Capabilities = EMAIL_CAPABILITIES;
  // Private: the config holds the password, and nothing public may expose it (the conformance suite checks).
  readonly #config: EmailConfig;
  #running: Running | undefined;
  readonly #liveness: LivenessTracker;

  constructor(config: EmailConfigInput) {
    this.#config = parseEmailConfig(config);
    // A check runs every poll interval, IDLE or not: that is the sign of life the watchdog waits for.
    this.#liveness = new LivenessTracker(this.#config.pollIntervalMs);
  }

  /** What the adapter saw last: the host's watchdog reconnects it when its heartbeat goes quiet. */
  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) {
      throw new AdapterError('already_started', 'EmailAdapter.start() was called twice', {
        platform: PLATFORM,
        fix: 'Call stop() before starting the adapter again.',
      });
    }
    const config = this.#config;
    const stateDir = config.stateDir ?? join(dirname(ctx.mediaCache.dir), 'email');
    const state = new MailboxStateFile(
      mailboxStatePath(stateDir, config.address, config.imapHost, config.mailbox),
      ctx.logger,
    );
    const threads = new EmailThreadBook();
    const transport = new EmailTransport({
      config,
      logger: ctx.logger,
      state,
      threads,
      onMail: (mail) => this.#onMail(mail),
      onActivity: () => this.#running?.supervisor.markActivity(),
    });
    const supervisor = new ConnectionSupervisor({
      name: PLATFORM,
      logger: ctx.logger,
      connect: (signal) => transport.connect(signal),
      onStatus: (status, detail) => ctx.status(status, detail),
      onActivity: () => this.#liveness.heartbeat(),
      backoff: { kind: 'schedule', delaysMs: [1_000, 2_000, 5_000, 10_000, 30_000, 60_000], jitter: 0.2 },
      isFatal,
      // Every check marks activity; a socket that died without a FIN shows up as checks that never answer.
      staleAfterMs: Math.max(60_000, config.pollIntervalMs * 4),
      signal: ctx.signal,
      connectTimeoutMs: config.timeoutMs * 2,
    });
    const smtp = new EmailSmtpSender(config, ctx.logger);
    const pacer = createSendPacer({ logger: ctx.logger });
    this.#running = { ctx, transport, supervisor, smtp, pacer, threads };
    this.#liveness.resetHeartbeat();
    try {
      await supervisor.start();
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, PLATFORM);
    }
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await running.supervisor.stop();
    await running.transport.drain();
    running.pacer.close();
    running.smtp.close();
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) {
      const error = new AdapterError('not_connected', 'EmailAdapter.send() before start() or after stop()', {
        platform: PLATFORM,
      });
      return { ok: false, error };
    }
    const result = await sendEmailMessage(
      {
        send: (mail) => running.smtp.send(mail),
        pacer: running.pacer,
        threads: running.threads,
        defaultSubject: this.#config.defaultSubject,
      },
      chat,
      message,
    );
    if (result.ok) this.#liveness.sent();
    return result;
  }

  /** Logs in to IMAP and SMTP without reading or sending anything. */
  async probe(): Promise<ProbeResult> {
    const logger = this.#running?.ctx.logger ?? silentLogger;
    const smtp = new EmailSmtpSender(this.#config, logger);
    try {
      await verifyImapLogin(this.#config);
      await smtp.verify();
      return {
        ok: true,
        identity: this.#config.address,
        detail: `IMAP ${this.#config.imapHost} and SMTP ${this.#config.smtpHost} accepted the login`,
      };
    } catch (error) {
      const adapterError = toAdapterError(error, PLATFORM);
      return adapterError.fix === undefined
        ? { ok: false, error: adapterError }
        : { ok: false, error: adapterError, fix: adapterError.fix };
    } finally {
      smtp.close();
    }
  }

  async #onMail(raw: EmailRawMail): Promise<EmailMailOutcome> {
    const running = this.#running;
    if (!running) return 'refused';
    const { ctx } = running;
    const parsed = await parseEmail(raw);
    if ('problem' in parsed) {
      ctx.logger.warn('email: dropped a mail that does not parse', {
        platform: PLATFORM,
        uid: raw.uid,
        problem: parsed.problem,
      });
      return 'dropped';
    }
    const result = mapEmailInbound(raw, parsed, {
      ownAddress: this.#config.address.toLowerCase(),
      media: { cache: ctx.mediaCache, maxBytes: this.#config.maxMediaBytes },
      now: () => new Date(),
    });
    if (result.kind === 'malformed') {
      ctx.logger.warn('email: dropped a malformed mail', {
        platform: PLATFORM,
        uid: raw.uid,
        problem: result.problem,
      });
      return 'dropped';
    }
    if (result.kind === 'ignored') {
      ctx.logger.info('email: not answering an automatic or own mail', {
        platform: PLATFORM,
        uid: raw.uid,
        reason: result.reason,
      });
      return 'dropped';
    }
    // Before receive(): a host may answer from inside it, and the answer must find its thread.
    running.threads.remember(result.thread);
    try {
      ctx.receive(result.message);
    } catch (error) {
      ctx.logger.error('email: the host refused a mail; it stays unseen and is offered again', {
        platform: PLATFORM,
        uid: raw.uid,
        error: error instanceof Error ? error.message : String(error),
      });
      return 'refused';
    }
    this.#liveness.inbound();
    return 'accepted';
  }
}

/** Validates the config (throws AdapterError 'config_invalid' naming the key) and builds the adapter. */
export function createEmailAdapter(config: EmailConfigInput): EmailAdapter {
  return new EmailAdapter(config);
}
