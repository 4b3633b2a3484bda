import type { InboundMessage } from '@hermes/adapter-core';
import { type SmsMediaOptions, smsAttachmentFromUrl } from './media.js';
import { normalizeSmsNumber } from './phone.js';
import type { TwilioParams } from './twilio-params.js';

/**
 * What one inbound webhook became. `ignored` is not a message to answer (our own number's echo);
 * `malformed` is answered 400 and logged; this function never throws.
 */
export type SmsInbound =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'ignored'; reason: string }
  | { kind: 'malformed'; problem: string };

export interface SmsInboundContext {
  /** Our Twilio number (E.164): a message from it is an echo. */
  ownNumber: string;
  media: SmsMediaOptions;
  now(): Date;
}

/** Twilio caps an MMS at 10 media items. */
const MAX_MEDIA = 10;

function field(params: TwilioParams, key: string, problems: string[], required: boolean): string | undefined {
  const value = params[key];
  if (Array.isArray(value)) {
    problems.push(`${key} appears ${value.length} times`);
    return undefined;
  }
  if (required && (value === undefined || value.trim() === '')) {
    problems.push(`${key} is missing`);
    return undefined;
  }
  return value;
}

/**
 * Maps one "A message comes in" webhook (MessageSid, From, To, Body, NumMedia, MediaUrlN,
 * MediaContentTypeN) to an InboundMessage. SMS has no groups: every chat is the sender's number.
 */
export function mapSmsInbound(params: TwilioParams, context: SmsInboundContext): SmsInbound {
  const problems: string[] = [];
  const sid = field(params, 'MessageSid', problems, true);
  const from = field(params, 'From', problems, true);
  const to = field(params, 'To', problems, false);
  const body = field(params, 'Body', problems, false) ?? '';
  const numMediaText = field(params, 'NumMedia', problems, false) ?? '0';
  const numMedia = Number(numMediaText);
  if (!(Number.isInteger(numMedia) && numMedia >= 0 && numMedia <= MAX_MEDIA)) {
    problems.push(
      `NumMedia must be a whole number from 0 to ${MAX_MEDIA}, got "${numMediaText.slice(0, 20)}"`,
    );
  }
  if (sid !== undefined && !/^[A-Za-z0-9]{10,64}$/.test(sid)) {
    problems.push('MessageSid is not a Twilio message sid');
  }
  const attachments: InboundMessage['attachments'] = [];
  if (problems.length === 0) {
    for (let i = 0; i < numMedia; i++) {
      const url = field(params, `MediaUrl${i}`, problems, true);
      const mime = field(params, `MediaContentType${i}`, problems, false);
      if (url === undefined) continue;
      if (!/^https?:\/\//i.test(url)) {
        problems.push(`MediaUrl${i} is not an http(s) URL`);
        continue;
      }
      attachments.push(smsAttachmentFromUrl(url, mime, context.media));
    }
  }
  if (problems.length > 0 || sid === undefined || from === undefined) {
    return { kind: 'malformed', problem: `the Twilio message webhook is malformed: ${problems.join('; ')}` };
  }
  const sender = normalizeSmsNumber(from);
  if (sender === context.ownNumber) {
    return { kind: 'ignored', reason: 'a message from our own Twilio number (echo)' };
  }
  return {
    kind: 'message',
    message: {
      id: sid,
      chat: { platform: 'sms', chatId: sender, chatType: 'dm' },
      sender: { id: sender },
      text: body,
      // One person, one number: every SMS is addressed to the bot.
      mentionsBot: true,
      attachments,
      receivedAt: context.now(),
      raw: { ...params, ...(to === undefined ? {} : { To: to }) },
    },
  };
}
