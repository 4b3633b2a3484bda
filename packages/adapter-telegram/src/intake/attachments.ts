import {
  AdapterError,
  type Attachment,
  type MediaCacheLike,
  type MediaKind,
  safeDownload,
} from '@hermes/adapter-core';
import type { TelegramBotApi } from '../api/bot-api.js';
import { fileInfoOf } from '../api/results.js';
import { TELEGRAM_PLATFORM } from '../constants.js';
import type { TelegramFile, TelegramMessage } from './parse-update.js';

/** One file a message carries, before anything is downloaded. */
export interface TelegramFileRef {
  kind: MediaKind;
  fileId: string;
  mime?: string;
  name?: string;
  size?: number;
}

function ref(kind: MediaKind, f: TelegramFile, fallbackName: string, fallbackMime?: string): TelegramFileRef {
  const out: TelegramFileRef = { kind, fileId: f.file_id, name: f.file_name ?? fallbackName };
  const mime = f.mime_type ?? fallbackMime;
  if (mime !== undefined) out.mime = mime;
  if (f.file_size !== undefined) out.size = f.file_size;
  return out;
}

/** The files of a message, in the kinds of the contract. A photo comes in several sizes: the largest wins. */
export function fileRefsOf(message: TelegramMessage): TelegramFileRef[] {
  const id = (f: TelegramFile) => f.file_unique_id ?? String(message.message_id);
  const refs: TelegramFileRef[] = [];
  if (message.photo && message.photo.length > 0) {
    const largest = message.photo.reduce((a, b) => (b.width * b.height >= a.width * a.height ? b : a));
    refs.push(ref('image', largest, `photo_${id(largest)}.jpg`, 'image/jpeg'));
  }
  if (message.voice) refs.push(ref('voice', message.voice, `voice_${id(message.voice)}.ogg`, 'audio/ogg'));
  if (message.audio) refs.push(ref('audio', message.audio, `audio_${id(message.audio)}.mp3`));
  if (message.video) refs.push(ref('video', message.video, `video_${id(message.video)}.mp4`, 'video/mp4'));
  if (message.video_note) {
    refs.push(ref('video', message.video_note, `video_note_${id(message.video_note)}.mp4`, 'video/mp4'));
  }
  if (message.animation) {
    refs.push(ref('video', message.animation, `animation_${id(message.animation)}.mp4`, 'video/mp4'));
  } else if (message.document) {
    // An animation also arrives as `document`; it was taken above.
    refs.push(ref('file', message.document, `document_${id(message.document)}`));
  }
  if (message.sticker)
    refs.push(ref('sticker', message.sticker, `sticker_${id(message.sticker)}.webp`, 'image/webp'));
  return refs;
}

export interface TelegramDownloadOptions {
  api: TelegramBotApi;
  cache: MediaCacheLike;
  maxBytes: number;
  allowPrivate: boolean;
  signal?: AbortSignal;
}

function tooLarge(size: number, max: number): AdapterError {
  return new AdapterError('too_large', `Telegram file of ${size} bytes is over the ${max} byte limit`, {
    platform: TELEGRAM_PLATFORM,
    retryable: false,
    fix: 'the cloud Bot API serves files up to 20 MB; a self-hosted Bot API server (TELEGRAM_API_ROOT) lifts that',
  });
}

/**
 * getFile, then a download through core's safe downloader. The file URL carries the bot token in its
 * path, so it never appears in an error or a log line (safeDownload names the origin only). The API
 * root's own host is trusted even when it is private: the operator chose it (a self-hosted server).
 */
async function download(file: TelegramFileRef, o: TelegramDownloadOptions): Promise<string> {
  if (file.size !== undefined && file.size > o.maxBytes) throw tooLarge(file.size, o.maxBytes);
  const info = fileInfoOf(
    await o.api.call('getFile', { file_id: file.fileId }, o.signal ? { signal: o.signal } : {}),
  );
  if (info === undefined) {
    throw new AdapterError('protocol', 'Telegram getFile answered without a file_path', {
      platform: TELEGRAM_PLATFORM,
    });
  }
  if (info.size !== undefined && info.size > o.maxBytes) throw tooLarge(info.size, o.maxBytes);
  const apiHost = new URL(o.api.apiRoot).hostname.replace(/^\[|\]$/g, '');
  const saved = await safeDownload(o.api.fileUrl(info.path), o.cache, {
    maxBytes: o.maxBytes,
    allowPrivate: o.allowPrivate,
    isAllowedAddress: ({ hostname }) => hostname === apiHost,
    maxRedirects: 2,
    ...(file.name ? { filename: file.name } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return saved.path;
}

/** A lazy Attachment: nothing is fetched until the host asks, and asking twice downloads once. */
export function telegramAttachment(file: TelegramFileRef, o: TelegramDownloadOptions): Attachment {
  let pending: Promise<string> | undefined;
  const attachment: Attachment = {
    kind: file.kind,
    fetch: () => {
      pending ??= download(file, o).catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
  };
  if (file.mime !== undefined) attachment.mime = file.mime;
  if (file.name !== undefined) attachment.name = file.name;
  if (file.size !== undefined) attachment.size = file.size;
  return attachment;
}
