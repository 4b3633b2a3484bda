// @ts-check
/** src/inbound.ts, src/outbound.ts and src/media.ts: platform payloads to contract types and back. */

/** @typedef {import('../names.mjs').PlatformNames} PlatformNames */

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function inboundTs(n) {
  return `import type { InboundMessage } from '@hermes/adapter-core';
import type { ${n.pascal}MediaOptions } from './media.js';

/**
 * What one raw payload became. \`ignored\` is for what is not a user message to answer: the bot's own
 * echoes, other bots, joins, edits, typing events. \`malformed\` is logged by the adapter and dropped; it
 * must never throw, since one bad frame may not stop the connection.
 */
export type ${n.pascal}Inbound =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'ignored'; reason: string }
  | { kind: 'malformed'; problem: string };

export interface ${n.pascal}InboundContext {
  /** The bot's own user id, once known: messages from it are echoes. */
  botUserId: string | undefined;
  media: ${n.pascal}MediaOptions;
  now(): Date;
}

/**
 * Maps one ${n.label} payload to an InboundMessage.
 * TODO(scaffold): read the platform's fields here:
 * - chat: { platform: '${n.id}', chatId, chatType 'dm' | 'group' | 'channel' | 'thread', threadId, chatName }
 * - sender: { id, name, altId (a second stable id, if the platform has one), isBot }
 * - text with the bot mention stripped, and mentionsBot set from the platform's mention entities
 * - replyTo from the quoted message, attachments from ${n.camel}AttachmentFromUrl (media.ts): lazy, no download here
 * - raw: the payload itself
 * Return 'ignored' for the bot's own messages (compare with context.botUserId) and for other bots.
 */
export function map${n.pascal}Inbound(payload: unknown, _context: ${n.pascal}InboundContext): ${n.pascal}Inbound {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { kind: 'malformed', problem: \`expected a JSON object, got \${describeValue(payload)}\` };
  }
  return { kind: 'malformed', problem: 'TODO(scaffold): map${n.pascal}Inbound does not read ${n.label} payloads yet (src/inbound.ts)' };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
`;
}

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function outboundTs(n) {
  return `import {
  AdapterError,
  type ChatRef,
  type OutboundMessage,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { format${n.pascal}Text } from './format.js';
import type { ${n.pascal}Transport } from './transport.js';

/** The pacer's queue key: per chat, since a thread shares its chat's rate limit on most platforms. */
export function ${n.camel}PacingKey(chat: ChatRef): string {
  return chat.chatId;
}

/**
 * Sends one OutboundMessage: text rendered and split by core, chunks in order through the pacer (which
 * keeps per-chat order, honours retry-after and retries what is retryable), the first chunk quoting
 * \`replyTo\`, then the media. Never throws: failures come back as { ok: false }.
 * TODO(scaffold): nothing to change here unless ${n.label} needs a caption on the media or a different reply rule.
 */
export async function send${n.pascal}Message(
  transport: ${n.pascal}Transport,
  pacer: SendPacer,
  chat: ChatRef,
  message: OutboundMessage,
): Promise<SendResult> {
  const chunks = message.text ? format${n.pascal}Text(message.text, message.format) : [];
  const media = message.media ?? [];
  if (chunks.length === 0 && media.length === 0) {
    return { ok: false, error: new AdapterError('bad_request', 'nothing to send: the message has no text and no media', { platform: '${n.id}' }) };
  }
  const key = ${n.camel}PacingKey(chat);
  const threadId = message.threadId ?? chat.threadId;
  const messageIds: string[] = [];
  try {
    for (const [index, chunk] of chunks.entries()) {
      const replyTo = index === 0 ? message.replyTo : undefined;
      const sent = await pacer.run(key, () =>
        transport.sendText({ chatId: chat.chatId, text: chunk.rendered, replyTo, threadId }),
      );
      messageIds.push(sent.messageId);
    }
    for (const item of media) {
      const sent = await pacer.run(key, () => transport.sendMedia(chat.chatId, item, { threadId }));
      messageIds.push(sent.messageId);
    }
    return { ok: true, messageIds };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, '${n.id}') };
  }
}
`;
}

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function mediaTs(n) {
  return `import { type Attachment, type MediaCacheLike, type MediaKind, safeDownload } from '@hermes/adapter-core';

export interface ${n.pascal}MediaOptions {
  cache: MediaCacheLike;
  maxBytes: number;
  /** Only for self-hosted servers and tests (HERMES_MEDIA_ALLOW_PRIVATE=true); refused by default. */
  allowPrivate: boolean;
  /** Headers the platform wants on file downloads, e.g. the bot token. */
  headers?: Record<string, string>;
}

export interface ${n.pascal}MediaMeta {
  kind: MediaKind;
  mime?: string;
  name?: string;
  size?: number;
}

/**
 * A lazy attachment for a file ${n.label} serves by URL: nothing is downloaded until the host calls fetch(),
 * and then only through core's safe download (scheme check, private-address guard after DNS and redirects,
 * size cap while streaming, sanitised file name).
 * TODO(scaffold): if the platform hands out file ids instead of URLs, resolve the id to a URL inside fetch();
 * if it encrypts media, decrypt the downloaded file there too.
 */
export function ${n.camel}AttachmentFromUrl(url: string, meta: ${n.pascal}MediaMeta, options: ${n.pascal}MediaOptions): Attachment {
  return {
    ...meta,
    async fetch() {
      const downloaded = await safeDownload(url, options.cache, {
        maxBytes: options.maxBytes,
        allowPrivate: options.allowPrivate,
        ...(options.headers ? { headers: options.headers } : {}),
      });
      return downloaded.path;
    },
  };
}
`;
}
