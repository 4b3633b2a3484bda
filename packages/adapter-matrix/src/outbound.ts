import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  AdapterError,
  type ChatRef,
  type OutboundMedia,
  type OutboundMessage,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { formatMatrixText } from './format.js';
import { encryptAttachment } from './media.js';
import { type MatrixContent, type MatrixPlacement, relationFor, textContent } from './message-content.js';
import type { MatrixTransport } from './transport.js';

const MEDIA_MSGTYPE: Record<OutboundMedia['kind'], string> = {
  image: 'm.image',
  sticker: 'm.image',
  file: 'm.file',
  audio: 'm.audio',
  voice: 'm.audio',
  video: 'm.video',
};

/** A key made only of these characters goes into the transaction id as is (readable in server logs). */
const URL_SAFE_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The transaction id of event `index` of a send that carries `OutboundMessage.idempotencyKey`. The same key
 * and index give the same id on every try (even from a restarted process on the same device), so the
 * homeserver answers a repeat with the event it already created instead of creating a second one; each
 * event of a split or media-carrying reply gets its own index, or the homeserver would take parts 2..n
 * for repeats of part 1. Random ids start with `hermes-`, so the two kinds never meet. A key with other
 * characters is base64url-encoded under its own prefix: still URL-safe, still distinct from any raw key.
 */
export function keyedTxnId(key: string, index: number): string {
  if (URL_SAFE_KEY.test(key)) return `hk.${key}.${index}`;
  return `hkb.${Buffer.from(key, 'utf8').toString('base64url')}.${index}`;
}

/**
 * One event through the pacer. The transaction id is chosen once, outside the retry: a retried PUT with
 * the same id is the same event to the homeserver, so a lost answer never doubles a message. Callers pass
 * a key-derived id (see keyedTxnId) to stretch that guarantee across separate send() calls.
 */
export function sendPaced(
  transport: MatrixTransport,
  pacer: SendPacer,
  roomId: string,
  type: string,
  content: MatrixContent,
  txnId: string = transport.newTxnId(),
): Promise<{ eventId: string }> {
  return pacer.run(roomId, () => transport.sendEvent(roomId, type, content, txnId));
}

async function mediaContent(
  transport: MatrixTransport,
  roomId: string,
  item: OutboundMedia,
): Promise<MatrixContent> {
  const name = item.name ?? basename(item.path);
  const mime = item.mime ?? 'application/octet-stream';
  const bytes = await readFile(item.path);
  const info: MatrixContent = { mimetype: mime, size: bytes.length };
  const content: MatrixContent = {
    msgtype: MEDIA_MSGTYPE[item.kind],
    body: item.caption ?? name,
    filename: name,
    info,
    'm.mentions': {},
  };
  if (item.kind === 'voice') content['org.matrix.msc3245.voice'] = {};
  if (await transport.isEncryptedRoom(roomId)) {
    // In an encrypted room the file is encrypted too, or the server would see what the room hides.
    const { cipher, file } = encryptAttachment(bytes);
    const uploaded = await transport.upload(cipher, { name, mime: 'application/octet-stream' });
    content['file'] = { ...file, url: uploaded.mxc };
  } else {
    content['url'] = (await transport.upload(bytes, { name, mime })).mxc;
  }
  return content;
}

/**
 * Sends one OutboundMessage: text rendered to Matrix HTML and split by core, chunks in order through the
 * pacer (per-room order, M_LIMIT_EXCEEDED retry_after_ms honoured), the first chunk replying to `replyTo`,
 * every chunk in `threadId`, then the media. With `idempotencyKey`, event n of the reply goes out under
 * keyedTxnId(key, n), so the host may repeat the whole send after an unknown outcome: parts that landed
 * come back with their first event ids, missing ones are created. Never throws: failures come back as
 * { ok: false }.
 */
export async function sendMatrixMessage(
  transport: MatrixTransport,
  pacer: SendPacer,
  chat: ChatRef,
  message: OutboundMessage,
): Promise<SendResult> {
  const format = message.format ?? 'markdown';
  const chunks = message.text ? formatMatrixText(message.text, format) : [];
  const media = message.media ?? [];
  if (chunks.length === 0 && media.length === 0) {
    return {
      ok: false,
      error: new AdapterError('bad_request', 'nothing to send: the message has no text and no media', {
        platform: 'matrix',
      }),
    };
  }
  const roomId = chat.chatId;
  const threadId = message.threadId ?? chat.threadId;
  const messageIds: string[] = [];
  const key = message.idempotencyKey;
  // Indexes count every event of the reply, text and media alike, in the order they are sent.
  const txnIdFor = (index: number) => (key === undefined ? transport.newTxnId() : keyedTxnId(key, index));
  const placement = (first: boolean): MatrixPlacement => ({
    ...(threadId !== undefined ? { threadId } : {}),
    ...(first && message.replyTo !== undefined ? { replyTo: message.replyTo } : {}),
  });
  try {
    for (const [index, chunk] of chunks.entries()) {
      const content = textContent(chunk, format, placement(index === 0));
      const txnId = txnIdFor(index);
      messageIds.push((await sendPaced(transport, pacer, roomId, 'm.room.message', content, txnId)).eventId);
    }
    for (const [index, item] of media.entries()) {
      // A repeat uploads the file again (uploads have no transaction id): an unused copy in the content
      // repository, never a second message, since the event below reuses its transaction id.
      const content = await mediaContent(transport, roomId, item);
      const relation = relationFor(placement(chunks.length === 0 && messageIds.length === 0));
      if (relation) content['m.relates_to'] = relation;
      const txnId = txnIdFor(chunks.length + index);
      messageIds.push((await sendPaced(transport, pacer, roomId, 'm.room.message', content, txnId)).eventId);
    }
    return { ok: true, messageIds };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, 'matrix') };
  }
}
