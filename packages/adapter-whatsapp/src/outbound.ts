import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  AdapterError,
  type ChatRef,
  type Logger,
  mimeForExtension,
  type OutboundMedia,
  type OutboundMessage,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import type { WhatsappConfig } from './config.js';
import type { CustomerWindows } from './customer-window.js';
import { formatWhatsappText } from './format.js';
import type { WhatsappGraphClient } from './graph/graph-client.js';
import { GRAPH_REENGAGEMENT, outsideWindowError, WhatsappGraphError } from './graph/graph-errors.js';
import { isGroupChat } from './inbound-message.js';
import { planInteractive } from './interactive.js';
import { WHATSAPP_UPLOAD_CAPS, whatsappMediaType } from './media.js';
import { digitsOf } from './user-id.js';

const PLATFORM = 'whatsapp';
/** Template body variables are capped by Meta; longer text is clipped with an ellipsis. */
const TEMPLATE_PARAMETER_LIMIT = 1024;
const CAPTION_LIMIT = 1024;

export interface OutboundDeps {
  graph: WhatsappGraphClient;
  pacer: SendPacer;
  windows: CustomerWindows;
  config: Pick<WhatsappConfig, 'templateName' | 'templateLanguage' | 'templateTextParameter'>;
  logger: Logger;
}

/** Who a message goes to, in the Messages API's terms. */
export interface WhatsappRecipient {
  recipient_type: 'individual' | 'group';
  to: string;
}

export function recipientOf(chat: ChatRef): WhatsappRecipient {
  return isGroupChat(chat)
    ? { recipient_type: 'group', to: chat.chatId }
    : { recipient_type: 'individual', to: digitsOf(chat.chatId) };
}

/** The pacer's queue key: per chat, since Meta's pair rate limit is per user. */
export function whatsappPacingKey(chat: ChatRef): string {
  return chat.chatId;
}

const fail = (error: unknown): SendResult => ({ ok: false, error: toAdapterError(error, PLATFORM) });

/** Runs one Graph send through the chat's pacer lane; a re-engagement refusal closes the user's window. */
export async function paced<T>(deps: OutboundDeps, chat: ChatRef, fn: () => Promise<T>): Promise<T> {
  try {
    return await deps.pacer.run(whatsappPacingKey(chat), fn);
  } catch (error) {
    if (error instanceof WhatsappGraphError && error.graphCode === GRAPH_REENGAGEMENT && !isGroupChat(chat)) {
      deps.windows.closed(chat.chatId);
    }
    throw error;
  }
}

/**
 * Sends one OutboundMessage: inside the user's 24-hour window as text chunks (the last one carrying the
 * buttons), then the media; outside it as the configured template, or a clear `outside_customer_window`
 * error. Never throws: failures come back as `{ ok: false }`.
 */
export async function sendWhatsappMessage(
  deps: OutboundDeps,
  chat: ChatRef,
  message: OutboundMessage,
): Promise<SendResult> {
  const media = message.media ?? [];
  const actions = message.actions ?? [];
  if (!message.text?.trim() && media.length === 0 && actions.length === 0) {
    return fail(
      new AdapterError('bad_request', 'nothing to send: the message has no text, media or actions', {
        platform: PLATFORM,
      }),
    );
  }
  const recipient = recipientOf(chat);
  if (recipient.recipient_type === 'individual' && !deps.windows.isOpen(recipient.to)) {
    return sendOutsideWindow(deps, chat, recipient, message);
  }
  const messageIds: string[] = [];
  try {
    let chunks = message.text?.trim() ? formatWhatsappText(message.text, message.format) : [];
    const plan = planInteractive(actions);
    if (plan.kind === 'none' && actions.length > 0) {
      deps.logger.warn('WhatsApp cannot show these buttons; sending the text alone', { reason: plan.reason });
    }
    let interactiveBody: string | undefined;
    if (plan.kind !== 'none') {
      // The buttons ride on the last chunk, whose body has a smaller limit than a text message.
      const last = chunks.pop();
      const tail = last ? formatWhatsappText(last.markdown, message.format, plan.bodyLimit) : [];
      interactiveBody = tail.pop()?.rendered ?? 'Choose an option:';
      chunks = [...chunks, ...tail];
    }
    for (const [index, chunk] of chunks.entries()) {
      const context = index === 0 && message.replyTo ? { context: { message_id: message.replyTo } } : {};
      const id = await paced(deps, chat, () =>
        deps.graph.sendMessage({ ...recipient, ...context, type: 'text', text: { body: chunk.rendered } }),
      );
      messageIds.push(id);
    }
    if (plan.kind !== 'none' && interactiveBody !== undefined) {
      const context =
        chunks.length === 0 && message.replyTo ? { context: { message_id: message.replyTo } } : {};
      const body = interactiveBody;
      const id = await paced(deps, chat, () =>
        deps.graph.sendMessage({
          ...recipient,
          ...context,
          type: 'interactive',
          interactive: plan.build(body),
        }),
      );
      messageIds.push(id);
    }
    for (const item of media) {
      messageIds.push(await sendMedia(deps, chat, recipient, item));
    }
    return { ok: true, messageIds };
  } catch (error) {
    return fail(error);
  }
}

async function sendMedia(
  deps: OutboundDeps,
  chat: ChatRef,
  recipient: WhatsappRecipient,
  item: OutboundMedia,
): Promise<string> {
  const name = item.name ?? basename(item.path);
  const mime = item.mime ?? mimeForExtension(name) ?? 'application/octet-stream';
  const size = (await stat(item.path)).size;
  let type = whatsappMediaType(item.kind);
  // A photo or clip over its kind's cap still goes through as a document (up to 100 MB).
  if (size > WHATSAPP_UPLOAD_CAPS[type]) type = 'document';
  if (size > WHATSAPP_UPLOAD_CAPS.document) {
    throw new AdapterError('too_large', `${name} is ${size} bytes; WhatsApp takes files up to 100 MB`, {
      platform: PLATFORM,
    });
  }
  const mediaId = await deps.graph.uploadMedia(item.path, mime, name);
  const body: Record<string, unknown> = { id: mediaId };
  const caption = item.caption?.trim();
  // Audio and stickers take no caption.
  if (caption && (type === 'image' || type === 'video' || type === 'document')) {
    body['caption'] = [...caption].slice(0, CAPTION_LIMIT).join('');
  }
  if (type === 'document') body['filename'] = name;
  return paced(deps, chat, () => deps.graph.sendMessage({ ...recipient, type, [type]: body }));
}

/** Collapses the text into one template variable: Meta refuses newlines, tabs and runs of spaces there. */
export function templateParameterText(text: string): string {
  const flat = text
    .replace(/[\r\n\t]+/g, ' · ')
    .replace(/ {2,}/g, ' ')
    .trim();
  const chars = [...flat];
  return chars.length <= TEMPLATE_PARAMETER_LIMIT
    ? flat
    : `${chars.slice(0, TEMPLATE_PARAMETER_LIMIT - 1).join('')}…`;
}

async function sendOutsideWindow(
  deps: OutboundDeps,
  chat: ChatRef,
  recipient: WhatsappRecipient,
  message: OutboundMessage,
): Promise<SendResult> {
  const { templateName, templateLanguage, templateTextParameter } = deps.config;
  const detail = `${recipient.to} has not written in the last 24 hours, so WhatsApp only accepts a template message`;
  if (templateName === undefined) return fail(outsideWindowError(detail));
  const text = message.text?.trim() ?? '';
  if (templateTextParameter && text === '') {
    return fail(outsideWindowError(`${detail}, and this message has no text to put into it`));
  }
  if ((message.media?.length ?? 0) > 0 || (message.actions?.length ?? 0) > 0) {
    deps.logger.warn(
      'outside the 24-hour window: sending the template with the text only (media and buttons dropped)',
      {
        chatId: chat.chatId,
      },
    );
  }
  const template: Record<string, unknown> = { name: templateName, language: { code: templateLanguage } };
  if (templateTextParameter) {
    template['components'] = [
      { type: 'body', parameters: [{ type: 'text', text: templateParameterText(text) }] },
    ];
  }
  try {
    const id = await paced(deps, chat, () =>
      deps.graph.sendMessage({ ...recipient, type: 'template', template }),
    );
    return { ok: true, messageIds: [id] };
  } catch (error) {
    return fail(error);
  }
}
