import type { InboundMessage } from '@hermes/adapter-core';
import { convert as htmlToText } from 'html-to-text';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { loopSafetyReason } from './loop-safety.js';
import type { EmailThreadInfo } from './mailbox-state.js';
import { type EmailMediaOptions, emailAttachment } from './media.js';
import { trimQuotedHistory } from './quote-trim.js';

/** One mail as the transport read it from the mailbox. */
export interface EmailRawMail {
  uid: number;
  uidValidity: string;
  /** The whole RFC 5322 message, or only its header when it was over maxMessageBytes. */
  source: Buffer;
  /** Set when only the header was downloaded. */
  oversizeBytes?: number;
  internalDate?: Date;
}

/** What one mail became. `thread` is what a reply to it needs. */
export type EmailInbound =
  | { kind: 'message'; message: InboundMessage; thread: EmailThreadInfo }
  | { kind: 'ignored'; reason: string }
  | { kind: 'malformed'; problem: string };

export interface EmailInboundContext {
  /** The bot's own address, lower case. */
  ownAddress: string;
  media: EmailMediaOptions;
  now(): Date;
}

/** "Re:", "RE:", "Fwd:", "AW:", "SV:" and the like, possibly repeated: a subject of an ongoing thread. */
const REPLY_PREFIX = /^\s*((re|fwd?|aw|sv|vs|antw)(\[\d+\])?\s*:\s*)+/i;

export function isReplySubject(subject: string): boolean {
  return REPLY_PREFIX.test(subject);
}

function firstAddress(
  field: AddressObject | AddressObject[] | undefined,
): { address: string; name?: string } | undefined {
  const objects = Array.isArray(field) ? field : field ? [field] : [];
  for (const object of objects) {
    for (const entry of object.value) {
      if (entry.address?.includes('@')) {
        return entry.name
          ? { address: entry.address.toLowerCase(), name: entry.name }
          : { address: entry.address.toLowerCase() };
      }
    }
  }
  return undefined;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = Array.isArray(field) ? field : field ? [field] : [];
  return objects.flatMap((o) => o.value.flatMap((e) => (e.address ? [e.address.toLowerCase()] : [])));
}

function headerText(parsed: ParsedMail, name: string): string | undefined {
  const line = parsed.headerLines.find((h) => h.key === name);
  if (line === undefined) return undefined;
  const colon = line.line.indexOf(':');
  return colon < 0
    ? ''
    : line.line
        .slice(colon + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim();
}

function bodyText(parsed: ParsedMail): string {
  const plain = typeof parsed.text === 'string' ? parsed.text.trim() : '';
  if (plain !== '') return plain;
  if (typeof parsed.html === 'string' && parsed.html.trim() !== '') {
    // HTML-only mail (many phone clients and newsletters): readable text, links kept, images dropped.
    return htmlToText(parsed.html, {
      wordwrap: false,
      selectors: [
        { selector: 'img', format: 'skip' },
        { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      ],
    }).trim();
  }
  return '';
}

function referencesOf(parsed: ParsedMail): string[] {
  const refs = parsed.references;
  const list = Array.isArray(refs) ? refs : typeof refs === 'string' ? refs.split(/\s+/) : [];
  return list.map((r) => r.trim()).filter((r) => r !== '');
}

/** Reads one mail. Never throws: a mail that does not parse is `malformed`. */
export async function parseEmail(raw: EmailRawMail): Promise<ParsedMail | { problem: string }> {
  try {
    return await simpleParser(raw.source, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
    });
  } catch (error) {
    return { problem: `the mail does not parse: ${(error as Error).message}` };
  }
}

/**
 * Maps one parsed mail to an InboundMessage. chat id = sender address; the text is the new part of the
 * mail (quoted history trimmed), prefixed with "[Subject: …]" when the mail starts a conversation.
 * `mentionsBot` is true when the bot is a direct recipient (To), false when it is only copied (Cc/Bcc).
 */
export function mapEmailInbound(
  raw: EmailRawMail,
  parsed: ParsedMail,
  context: EmailInboundContext,
): EmailInbound {
  const from = firstAddress(parsed.from);
  if (from === undefined) {
    return { kind: 'malformed', problem: `mail UID ${raw.uid} has no usable From address` };
  }
  const reason = loopSafetyReason({
    header: (name) => headerText(parsed, name),
    headerNames: () => parsed.headerLines.map((h) => h.key),
    from: from.address,
    ownAddress: context.ownAddress,
    contentType: headerText(parsed, 'content-type'),
  });
  if (reason !== undefined) return { kind: 'ignored', reason };

  const subject = (parsed.subject ?? '').trim();
  const body = trimQuotedHistory(bodyText(parsed));
  const note =
    raw.oversizeBytes === undefined
      ? ''
      : `(This email is ${Math.ceil(raw.oversizeBytes / 1024)} KB, over the size limit: only its header was read.)`;
  const parts = [body, note].filter((p) => p !== '');
  let text = parts.join('\n\n');
  if (subject !== '' && !isReplySubject(subject)) text = `[Subject: ${subject}]\n\n${text}`;

  const messageId = parsed.messageId?.trim() || `<uid-${raw.uid}.${raw.uidValidity}@hermes.invalid>`;
  const directRecipients = addresses(parsed.to);
  const attachments = parsed.attachments
    .filter((a) => a.contentDisposition !== 'inline' || a.filename !== undefined)
    .map((a) => emailAttachment(a, context.media));
  const inReplyTo = parsed.inReplyTo?.trim();
  const message: InboundMessage = {
    id: messageId,
    chat: {
      platform: 'email',
      chatId: from.address,
      chatType: 'dm',
      ...(from.name ? { chatName: from.name } : {}),
    },
    sender: from.name ? { id: from.address, name: from.name } : { id: from.address },
    text,
    mentionsBot: directRecipients.includes(context.ownAddress),
    attachments,
    receivedAt: context.now(),
    raw: {
      uid: raw.uid,
      uidValidity: raw.uidValidity,
      messageId,
      subject,
      from: from.address,
      to: directRecipients,
      cc: addresses(parsed.cc),
      date: parsed.date?.toISOString(),
    },
    ...(inReplyTo ? { replyTo: { id: inReplyTo } } : {}),
  };
  return {
    kind: 'message',
    message,
    thread: { messageId, chatId: from.address, subject, references: referencesOf(parsed) },
  };
}
