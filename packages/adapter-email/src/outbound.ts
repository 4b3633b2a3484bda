import { basename } from 'node:path';
import {
  AdapterError,
  type ChatRef,
  type OutboundMessage,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { formatEmailText, renderEmailHtml } from './format.js';
import type { EmailOutgoingMail } from './smtp-sender.js';
import type { EmailThreadBook } from './thread-book.js';

/** A plain address: what a chat id must be. Display names and lists are refused, not guessed at. */
const PLAIN_ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$|^[^\s@<>",;]+@[a-z0-9-]+$/i;

export interface EmailOutboundDeps {
  send(mail: EmailOutgoingMail): Promise<{ messageId: string }>;
  pacer: SendPacer;
  threads: EmailThreadBook;
  defaultSubject: string;
}

/**
 * Sends one OutboundMessage as mail: normally one mail with a text part (the Markdown), an HTML part and
 * the files attached; a text over 50,000 characters becomes several mails in the same thread, with the
 * files on the last. Never throws: failures come back as { ok: false }.
 */
export async function sendEmailMessage(
  deps: EmailOutboundDeps,
  chat: ChatRef,
  message: OutboundMessage,
): Promise<SendResult> {
  const to = chat.chatId.trim().replace(/^mailto:/i, '');
  if (!PLAIN_ADDRESS.test(to)) {
    return {
      ok: false,
      error: new AdapterError('bad_request', `"${chat.chatId}" is not an email address`, {
        platform: 'email',
        fix: 'Email chat ids are plain addresses, e.g. alice@example.com (EMAIL_HOME_ADDRESS too).',
      }),
    };
  }
  const plain = message.format === 'plain';
  const chunks = message.text ? formatEmailText(message.text, message.format) : [];
  const media = message.media ?? [];
  if (chunks.length === 0 && media.length === 0) {
    return {
      ok: false,
      error: new AdapterError('bad_request', 'nothing to send: the message has no text and no media', {
        platform: 'email',
      }),
    };
  }
  const headers = deps.threads.headersFor(to.toLowerCase(), message.replyTo, deps.defaultSubject);
  const captions = media.flatMap((m) => (m.caption ? [m.caption] : []));
  const bodies = chunks.length > 0 ? chunks.map((c) => c.markdown) : [captions.join('\n\n')];
  const attachments = media.map((m) => ({
    filename: m.name ?? basename(m.path),
    path: m.path,
    ...(m.mime !== undefined ? { contentType: m.mime } : {}),
  }));
  const messageIds: string[] = [];
  try {
    for (const [index, body] of bodies.entries()) {
      const last = index === bodies.length - 1;
      const mail: EmailOutgoingMail = {
        to,
        subject: headers.subject,
        text: body,
        attachments: last ? attachments : [],
        ...(plain || body === '' ? {} : { html: renderEmailHtml(body) }),
        ...(headers.inReplyTo !== undefined ? { inReplyTo: headers.inReplyTo } : {}),
        ...(headers.references !== undefined ? { references: headers.references } : {}),
      };
      const sent = await deps.pacer.run(to.toLowerCase(), () => deps.send(mail));
      messageIds.push(sent.messageId);
    }
    return { ok: true, messageIds };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, 'email') };
  }
}
