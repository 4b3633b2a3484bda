/**
 * Mail that must never be answered: answering it is how two robots mail each other forever. RFC 3834
 * (Auto-Submitted), the de-facto Precedence header, RFC 2369/2919 list headers, delivery status reports
 * and the mailer-daemon senders of bounces, and our own mail coming back.
 */
export interface LoopSafetyInput {
  /** Header names in lower case, values as raw strings. */
  header(name: string): string | undefined;
  headerNames(): Iterable<string>;
  /** The sender address, lower case. */
  from: string;
  /** The bot's own address, lower case. */
  ownAddress: string;
  contentType: string | undefined;
}

const BULK_PRECEDENCE = new Set(['bulk', 'list', 'junk', 'auto_reply']);
const DAEMON_SENDER = /^(mailer-daemon|postmaster|mail-daemon|no-?reply|do-?not-?reply)@/i;

/** Why the mail is not to be answered, or undefined when it comes from a person. */
export function loopSafetyReason(mail: LoopSafetyInput): string | undefined {
  if (mail.from === mail.ownAddress) return 'sent from our own address';
  const autoSubmitted = mail.header('auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted !== undefined && autoSubmitted !== '' && !autoSubmitted.startsWith('no')) {
    return `Auto-Submitted: ${autoSubmitted}`;
  }
  const precedence = mail.header('precedence')?.trim().toLowerCase();
  if (precedence !== undefined && BULK_PRECEDENCE.has(precedence)) return `Precedence: ${precedence}`;
  for (const name of mail.headerNames()) {
    if (name.startsWith('list-')) return `mailing list (${name} header)`;
  }
  if (mail.header('x-autoreply') !== undefined || mail.header('x-autorespond') !== undefined) {
    return 'marked as an automatic reply (X-Autoreply/X-Autorespond)';
  }
  const returnPath = mail.header('return-path')?.trim();
  if (returnPath === '<>') return 'a bounce (empty Return-Path)';
  if (mail.contentType?.toLowerCase().startsWith('multipart/report')) return 'a delivery or read report';
  if (DAEMON_SENDER.test(mail.from)) return `sent by an automatic sender (${mail.from})`;
  return undefined;
}
