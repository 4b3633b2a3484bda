import { AdapterError, type Logger, toAdapterError } from '@hermes/adapter-core';
import { createTransport } from 'nodemailer';
import { type EmailConfig, resolvedSecurity } from './config.js';

/** One mail, ready to go. */
export interface EmailOutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  inReplyTo?: string;
  references?: string[];
  attachments: Array<{ filename: string; path: string; contentType?: string }>;
}

/**
 * SMTP servers have no Retry-After; some say how long to wait in the reply text ("try again in 30
 * seconds"). Without a hint a temporary failure waits this long: quick enough for a busy server, slow
 * enough not to hammer one that is rate limiting us.
 */
export const SMTP_TEMPORARY_FAILURE_WAIT_MS = 5_000;
const MAX_HINTED_WAIT_MS = 10 * 60_000;
/** Commands after which the server may already have accepted the mail: a timeout there is ambiguous. */
const AFTER_DATA = new Set(['DATA', 'BDAT', '.']);

function retryHintMs(response: string): number | undefined {
  const match = /\b(?:in|after)\s+(\d{1,5})\s*(s|sec|secs|seconds?|m|min|mins|minutes?)\b/i.exec(response);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  const ms = unit.startsWith('m') ? amount * 60_000 : amount * 1000;
  return Math.min(ms, MAX_HINTED_WAIT_MS);
}

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** Maps a nodemailer failure to the shared codes; 4xx replies are temporary (retried), 5xx permanent. */
export function smtpError(error: unknown): AdapterError {
  if (!(error instanceof Error)) return toAdapterError(error, 'email');
  const e = error as NodemailerError;
  const reply = (e.response ?? e.message).slice(0, 300);
  const base = { platform: 'email', cause: error } as const;
  if (e.code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 534) {
    return new AdapterError('auth_failed', `the SMTP server refused the login: ${reply}`, {
      ...base,
      fix: 'Check EMAIL_ADDRESS and EMAIL_PASSWORD (many providers need an app password for SMTP).',
    });
  }
  if (e.code === 'ETLS' || e.code === 'EREQUIRETLS' || /certificate|self.signed|TLS/i.test(e.message)) {
    return new AdapterError('network', `TLS with the SMTP server failed: ${e.message}`, {
      ...base,
      retryable: false,
      fix: 'Check EMAIL_SMTP_SECURITY and EMAIL_SMTP_PORT; a private CA goes in NODE_EXTRA_CA_CERTS.',
    });
  }
  if (e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500) {
    return new AdapterError('rate_limited', `the SMTP server deferred the mail: ${reply}`, {
      ...base,
      retryAfterMs: retryHintMs(reply) ?? SMTP_TEMPORARY_FAILURE_WAIT_MS,
    });
  }
  if (e.responseCode === 552 || e.responseCode === 523) {
    return new AdapterError('too_large', `the SMTP server refused the mail as too large: ${reply}`, base);
  }
  if (e.responseCode !== undefined && e.responseCode >= 500) {
    return new AdapterError('bad_request', `the SMTP server refused the mail: ${reply}`, base);
  }
  if (e.code === 'ETIMEDOUT') {
    return AFTER_DATA.has(e.command ?? '')
      ? new AdapterError('timeout_ambiguous', `the SMTP server did not confirm the mail: ${e.message}`, base)
      : new AdapterError('network', `the SMTP server did not answer: ${e.message}`, base);
  }
  if (e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'EDNS' || e.code === 'EPROTOCOL') {
    return AFTER_DATA.has(e.command ?? '')
      ? new AdapterError(
          'timeout_ambiguous',
          `the SMTP connection broke after the mail was sent: ${e.message}`,
          base,
        )
      : new AdapterError('network', `the SMTP connection failed: ${e.message}`, base);
  }
  return toAdapterError(error, 'email');
}

/** Sends mail through the configured SMTP server, one connection per mail. */
export class EmailSmtpSender {
  readonly #config: EmailConfig;
  readonly #transport: ReturnType<typeof createTransport>;

  constructor(config: EmailConfig, logger: Logger) {
    this.#config = config;
    const security = resolvedSecurity(config, 'smtp');
    if (security === 'none') {
      logger.warn(
        'email: SMTP without TLS (EMAIL_SMTP_SECURITY=none): the password crosses the network in clear',
        {
          host: config.smtpHost,
        },
      );
    }
    this.#transport = createTransport({
      host: config.smtpHost,
      port: config.smtpPort,
      secure: security === 'tls',
      requireTLS: security === 'starttls',
      ignoreTLS: security === 'none',
      auth: { user: config.address, pass: config.password },
      // Certificates are always checked; a private CA is trusted through NODE_EXTRA_CA_CERTS.
      tls: { rejectUnauthorized: true, servername: config.smtpHost },
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
      disableUrlAccess: true,
    });
  }

  /** Sends one mail; resolves with its Message-ID. Throws AdapterError. */
  async send(mail: EmailOutgoingMail): Promise<{ messageId: string }> {
    try {
      const info = await this.#transport.sendMail({
        from: this.#config.address,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html !== undefined ? { html: mail.html } : {}),
        ...(mail.inReplyTo !== undefined ? { inReplyTo: mail.inReplyTo } : {}),
        ...(mail.references !== undefined && mail.references.length > 0
          ? { references: mail.references }
          : {}),
        attachments: mail.attachments,
        headers: {
          // RFC 3834: this is an automatic answer, so vacation responders and other bots leave it alone.
          'Auto-Submitted': 'auto-replied',
          'X-Auto-Response-Suppress': 'All',
        },
      });
      return { messageId: info.messageId };
    } catch (error) {
      throw smtpError(error);
    }
  }

  /** Connects and logs in without sending anything (probe). */
  async verify(): Promise<void> {
    try {
      await this.#transport.verify();
    } catch (error) {
      throw smtpError(error);
    }
  }

  close(): void {
    this.#transport.close();
  }
}
