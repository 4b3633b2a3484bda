import {
  AdapterError,
  type ChatRef,
  type Logger,
  type OutboundMessage,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { formatSmsText } from './format.js';
import type { OutboundMediaStore } from './outbound-media.js';
import { normalizeSmsNumber } from './phone.js';
import type { SmsTransport } from './transport.js';

export interface SmsSendDeps {
  transport: SmsTransport;
  pacer: SendPacer;
  media: OutboundMediaStore;
  logger: Logger;
  /** Where Twilio should post delivery updates; undefined without a public URL. */
  statusCallback: string | undefined;
}

/** A media item that could not go out as MMS, described in a line of text instead. */
function mediaNote(label: string, reason: string): string {
  return `[${label} not sent: ${reason}]`;
}

/**
 * Sends one OutboundMessage: Markdown stripped and split to 1,600 UTF-16 units by core, each chunk one
 * Messages.json call through the pacer (per-number order, 429 Retry-After honoured, never a resend after
 * an ambiguous failure), then each media item as an MMS with its caption. Media that cannot be offered
 * (no public URL, too large) becomes a text note, so the person learns something was meant for them.
 * Never throws.
 */
export async function sendSmsMessage(
  deps: SmsSendDeps,
  chat: ChatRef,
  message: OutboundMessage,
): Promise<SendResult> {
  const to = normalizeSmsNumber(chat.chatId);
  const media = message.media ?? [];
  const texts = message.text ? formatSmsText(message.text, message.format).map((c) => c.rendered) : [];
  if (texts.every((t) => t.trim() === '') && media.length === 0) {
    return {
      ok: false,
      error: new AdapterError('bad_request', 'nothing to send: the message has no text and no media', {
        platform: 'sms',
      }),
    };
  }
  const messageIds: string[] = [];
  const sendOne = async (body: string | undefined, mediaUrl?: string) => {
    const sent = await deps.pacer.run(to, () =>
      deps.transport.send({
        to,
        ...(body === undefined ? {} : { body }),
        ...(mediaUrl === undefined ? {} : { mediaUrl: [mediaUrl] }),
        ...(deps.statusCallback === undefined ? {} : { statusCallback: deps.statusCallback }),
      }),
    );
    messageIds.push(sent.sid);
  };
  try {
    for (const text of texts) if (text.trim() !== '') await sendOne(text);
    for (const item of media) {
      const offer = await deps.media.offer(item);
      const caption = item.caption ? formatSmsText(item.caption).map((c) => c.rendered) : [];
      if (offer.ok) {
        await sendOne(caption[0], offer.url);
        for (const rest of caption.slice(1)) await sendOne(rest);
        continue;
      }
      deps.logger.warn('SMS media sent as a text note instead', { kind: item.kind, reason: offer.reason });
      const label = item.name ? `${item.kind} "${item.name}"` : item.kind;
      const note = formatSmsText([...caption, mediaNote(label, offer.reason)].join('\n\n'), 'plain');
      for (const chunk of note) await sendOne(chunk.rendered);
    }
    return { ok: true, messageIds };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, 'sms') };
  }
}
