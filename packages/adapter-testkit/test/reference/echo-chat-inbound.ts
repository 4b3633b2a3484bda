import type { Attachment, InboundMessage, Logger, MediaCacheLike } from '@hermes/adapter-core';
import { safeDownload } from '@hermes/adapter-core';
import type { EchoChatMe, EchoChatMessageEvent } from './protocol.js';

export const ECHO_CHAT_PLATFORM = 'echo-chat';

/** Names what is wrong with a frame that claims to be a message, or undefined when it is usable. */
export function problemWithMessageEvent(frame: unknown): string | undefined {
  if (typeof frame !== 'object' || frame === null) return 'not an object';
  const f = frame as Partial<EchoChatMessageEvent>;
  const missing = [
    typeof f.id === 'string' ? '' : 'id',
    typeof f.chat?.id === 'string' && (f.chat.kind === 'direct' || f.chat.kind === 'group') ? '' : 'chat',
    typeof f.from?.id === 'string' ? '' : 'from',
    typeof f.text === 'string' ? '' : 'text',
    Array.isArray(f.mentions) ? '' : 'mentions',
    typeof f.ts === 'number' ? '' : 'ts',
  ].filter(Boolean);
  return missing.length ? `missing or invalid: ${missing.join(', ')}` : undefined;
}

export interface InboundDeps {
  me: EchoChatMe;
  baseUrl: string;
  token: string;
  mediaCache: MediaCacheLike;
  mediaAllowPrivate: boolean;
  maxDownloadBytes: number;
  logger: Logger;
}

/** Maps a validated event to the contract's InboundMessage; attachments download lazily. */
export function toInboundMessage(event: EchoChatMessageEvent, deps: InboundDeps): InboundMessage {
  const mentionsBot = event.mentions.includes(deps.me.id);
  const mention = `@${deps.me.name}`;
  const text = mentionsBot ? event.text.replace(mention, '').trim() : event.text;
  const chat: InboundMessage['chat'] = {
    platform: ECHO_CHAT_PLATFORM,
    chatId: event.chat.id,
    chatType: event.chat.kind === 'direct' ? 'dm' : 'group',
  };
  if (event.chat.thread !== undefined) chat.threadId = event.chat.thread;
  return {
    id: event.id,
    chat,
    sender: { id: event.from.id, name: event.from.name },
    text,
    mentionsBot,
    attachments: (event.files ?? []).map(
      (file): Attachment => ({
        kind: file.kind,
        mime: file.mime,
        name: file.name,
        size: file.size,
        fetch: async () => {
          const saved = await safeDownload(
            `${deps.baseUrl}/api/files/${encodeURIComponent(file.file_id)}`,
            deps.mediaCache,
            {
              maxBytes: deps.maxDownloadBytes,
              allowPrivate: deps.mediaAllowPrivate,
              headers: { authorization: `Bearer ${deps.token}` },
              filename: file.name,
            },
          );
          return saved.path;
        },
      }),
    ),
    receivedAt: new Date(event.ts * 1000),
    raw: event,
  };
}
