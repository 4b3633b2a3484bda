import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import {
  AdapterError,
  type ChatRef,
  type OutboundMessage,
  prepareOutboundText,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { HOME_ASSISTANT_PLATFORM } from './config.js';
import { HOME_ASSISTANT_CAPABILITIES } from './format.js';
import type { HomeAssistantTransport } from './transport.js';

/**
 * A reply becomes persistent notifications, one per 4,096-char chunk. Each chunk's notification id is
 * chosen before the first try, so the pacer's retry after a lost answer replaces it instead of adding a
 * duplicate. Media has nowhere to go and is named in the text instead.
 */
export async function sendHomeAssistantMessage(
  transport: HomeAssistantTransport,
  pacer: SendPacer,
  chat: ChatRef,
  message: OutboundMessage,
): Promise<SendResult> {
  const names = (message.media ?? []).map((m) => `📎 ${m.name ?? basename(m.path)}`);
  const text = [message.text ?? '', ...names].filter(Boolean).join('\n');
  const chunks = text
    ? prepareOutboundText(text, HOME_ASSISTANT_CAPABILITIES, message.format ?? 'markdown')
    : [];
  if (chunks.length === 0) {
    const error = new AdapterError('bad_request', 'nothing to send: the message has no text', {
      platform: HOME_ASSISTANT_PLATFORM,
    });
    return { ok: false, error };
  }
  const messageIds: string[] = [];
  try {
    for (const chunk of chunks) {
      const id = `hermes-${randomUUID()}`;
      messageIds.push(await pacer.run(chat.chatId, () => transport.notify(chunk.rendered, id)));
    }
    return { ok: true, messageIds };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, HOME_ASSISTANT_PLATFORM) };
  }
}
