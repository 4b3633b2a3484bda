import {
  AdapterError,
  type ChatRef,
  type Logger,
  type OutboundMessage,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import type { SignalConfig } from './config.js';
import { SIGNAL_PLATFORM } from './constants.js';
import { formatSignalText } from './format.js';
import { signalAttachmentParam } from './media.js';
import { formatSignalMessageId, parseSignalMessageId } from './message-id.js';
import type { SignalTransport } from './transport.js';

export interface SignalOutboundDeps {
  transport: SignalTransport;
  pacer: SendPacer;
  config: SignalConfig;
  logger: Logger;
  /** The author of a message we saw, by timestamp, for a `replyTo` that is a bare timestamp. */
  authorOf(timestamp: number): string | undefined;
}

/** The quote for `replyTo`: Signal needs the quoted message's timestamp and its author. */
function quoteOf(
  replyTo: string | undefined,
  deps: SignalOutboundDeps,
): { timestamp: number; author: string } | undefined {
  if (replyTo === undefined) return undefined;
  const ref = parseSignalMessageId(replyTo);
  const author = ref ? (ref.author ?? deps.authorOf(ref.timestamp)) : undefined;
  if (!ref || author === undefined) {
    deps.logger.debug('signal: replyTo is not a Signal message id, sending without a quote', { replyTo });
    return undefined;
  }
  return { timestamp: ref.timestamp, author };
}

/**
 * Sends one OutboundMessage: text split by core to 8000 UTF-16 units and sent chunk by chunk through the
 * pacer (the first quoting `replyTo`), then each file as its own message with its caption. Never throws.
 */
export async function sendSignalMessage(
  deps: SignalOutboundDeps,
  chat: ChatRef,
  message: OutboundMessage,
): Promise<SendResult> {
  const chunks = message.text ? formatSignalText(message.text, message.format, deps.config.textStyles) : [];
  const media = message.media ?? [];
  if (chunks.length === 0 && media.length === 0) {
    return {
      ok: false,
      error: new AdapterError('bad_request', 'nothing to send: the message has no text and no media', {
        platform: SIGNAL_PLATFORM,
      }),
    };
  }
  const quote = quoteOf(message.replyTo, deps);
  const account = deps.config.account;
  const messageIds: string[] = [];
  try {
    for (const [index, chunk] of chunks.entries()) {
      const sent = await deps.pacer.run(chat.chatId, () =>
        deps.transport.send({
          chatId: chat.chatId,
          message: chunk.text,
          textStyles: chunk.styles,
          ...(index === 0 && quote ? { quote } : {}),
        }),
      );
      messageIds.push(formatSignalMessageId(sent.timestamp, account));
    }
    for (const item of media) {
      // Read once, outside the pacer's retries: a retry resends the same bytes.
      const attachment = await signalAttachmentParam(
        item,
        deps.config.outboundAttachments,
        deps.config.maxMediaBytes,
      );
      const sent = await deps.pacer.run(chat.chatId, () =>
        deps.transport.send({
          chatId: chat.chatId,
          message: item.caption ?? '',
          attachments: [attachment],
          voiceNote: item.kind === 'voice',
          ...(chunks.length === 0 && quote ? { quote } : {}),
        }),
      );
      messageIds.push(formatSignalMessageId(sent.timestamp, account));
    }
    return { ok: true, messageIds };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, SIGNAL_PLATFORM) };
  }
}
