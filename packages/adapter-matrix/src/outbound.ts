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

/**
 * One event through the pacer. The transaction id is chosen once, outside the retry: a retried PUT with
 * the same id is the same event to the homeserver, so a lost answer never doubles a message.
 */
export function sendPaced(
  transport: MatrixTransport,
  pacer: SendPacer,
  roomId: string,
  type: string,
  content: MatrixContent,
): Promise<{ eventId: string }> {
  const txnId = transport.newTxnId();
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
 * every chunk in `threadId`, then the media. Never throws: failures come back as { ok: false }.
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
  const placement = (first: boolean): MatrixPlacement => ({
    ...(threadId !== undefined ? { threadId } : {}),
    ...(first && message.replyTo !== undefined ? { replyTo: message.replyTo } : {}),
  });
  try {
    for (const [index, chunk] of chunks.entries()) {
      const content = textContent(chunk, format, placement(index === 0));
      messageIds.push((await sendPaced(transport, pacer, roomId, 'm.room.message', content)).eventId);
    }
    for (const item of media) {
      const content = await mediaContent(transport, roomId, item);
      const relation = relationFor(placement(chunks.length === 0 && messageIds.length === 0));
      if (relation) content['m.relates_to'] = relation;
      messageIds.push((await sendPaced(transport, pacer, roomId, 'm.room.message', content)).eventId);
    }
    return { ok: true, messageIds };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, 'matrix') };
  }
}
