import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  AdapterError,
  isAdapterError,
  measureLength,
  mimeForExtension,
  type OutboundMedia,
  renderMarkdown,
} from '@hermes/adapter-core';
import { TELEGRAM_MAX_CAPTION_LENGTH, TELEGRAM_PLATFORM } from '../constants.js';
import { replyParam, type TelegramOutboundDeps, type TelegramTarget } from './deps.js';
import type { TelegramInlineKeyboard } from './inline-keyboard.js';
import { postToChat } from './post.js';

/** Bigger photos are refused by sendPhoto; they still go through as documents. */
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
const OPUS_EXTENSIONS = new Set(['.ogg', '.oga', '.opus']);

export interface TelegramUploadPlan {
  method: 'sendPhoto' | 'sendAnimation' | 'sendVoice' | 'sendAudio' | 'sendVideo' | 'sendDocument';
  field: 'photo' | 'animation' | 'voice' | 'audio' | 'video' | 'document';
}

function mimeOf(media: OutboundMedia): string {
  return (media.mime ?? mimeForExtension(extname(media.name ?? media.path)) ?? '').toLowerCase();
}

/** Telegram plays only OGG/Opus as a voice note; any other audio goes as a music file. */
export function isOpusVoice(media: OutboundMedia): boolean {
  const mime = mimeOf(media);
  if (mime.startsWith('audio/ogg') || mime.startsWith('audio/opus')) return true;
  return OPUS_EXTENSIONS.has(extname(media.name ?? media.path).toLowerCase());
}

/** Which Bot API method carries a media item. */
export function planTelegramUpload(media: OutboundMedia, bytes: number): TelegramUploadPlan {
  switch (media.kind) {
    case 'image':
    case 'sticker':
      if (mimeOf(media) === 'image/gif') return { method: 'sendAnimation', field: 'animation' };
      if (media.kind === 'image' && bytes <= PHOTO_MAX_BYTES) return { method: 'sendPhoto', field: 'photo' };
      return { method: 'sendDocument', field: 'document' };
    case 'voice':
    case 'audio':
      return isOpusVoice(media)
        ? { method: 'sendVoice', field: 'voice' }
        : { method: 'sendAudio', field: 'audio' };
    case 'video':
      return { method: 'sendVideo', field: 'video' };
    default:
      return { method: 'sendDocument', field: 'document' };
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isFile()) return info.size;
  } catch {
    // Reported below.
  }
  throw new AdapterError('bad_request', `media file ${basename(path)} does not exist or is not a file`, {
    platform: TELEGRAM_PLATFORM,
    retryable: false,
    fix: 'OutboundMedia.path must be a local file (the host downloads URLs first)',
  });
}

/**
 * Uploads one file by multipart POST, streamed from disk by telegraf. A caption that fits 1024 units is
 * attached as Telegram HTML (plain if Telegram cannot parse it: a 400 means nothing was posted); a longer
 * one is returned so the caller sends it as text after the file.
 */
export async function sendTelegramMedia(
  deps: TelegramOutboundDeps,
  target: TelegramTarget,
  media: OutboundMedia,
  replyTo: string | undefined,
  keyboard?: TelegramInlineKeyboard,
): Promise<{ id: string; leftoverCaption?: string }> {
  const bytes = await sizeOf(media.path);
  if (bytes > deps.maxUploadBytes) {
    throw new AdapterError(
      'too_large',
      `${basename(media.path)} is ${bytes} bytes; Telegram takes at most ${deps.maxUploadBytes}`,
      {
        platform: TELEGRAM_PLATFORM,
        retryable: false,
        fix: 'send a smaller file, or run a self-hosted Bot API server (TELEGRAM_API_ROOT) for files up to 2 GB',
      },
    );
  }
  const plan = planTelegramUpload(media, bytes);
  const file = { source: media.path, filename: media.name ?? basename(media.path) };
  // telegraf leaves object fields it does not know out of multipart bodies; Telegram reads them as JSON text.
  const reply = replyParam(replyTo)['reply_parameters'];
  const base = {
    [plan.field]: file,
    ...(reply === undefined ? {} : { reply_parameters: JSON.stringify(reply) }),
    ...(keyboard === undefined ? {} : { reply_markup: JSON.stringify(keyboard) }),
  };
  const html = media.caption ? renderMarkdown(media.caption, 'telegram-html') : undefined;
  if (media.caption === undefined || html === undefined || html.trim() === '') {
    return { id: await postToChat(deps, target, plan.method, base, deps.uploadTimeoutMs) };
  }
  if (measureLength(html, 'utf16') > TELEGRAM_MAX_CAPTION_LENGTH) {
    return {
      id: await postToChat(deps, target, plan.method, base, deps.uploadTimeoutMs),
      leftoverCaption: media.caption,
    };
  }
  try {
    const id = await postToChat(
      deps,
      target,
      plan.method,
      { ...base, caption: html, parse_mode: 'HTML' },
      deps.uploadTimeoutMs,
    );
    return { id };
  } catch (error) {
    if (!(isAdapterError(error) && error.code === 'formatting_rejected')) throw error;
    deps.logger.warn('Telegram rejected the HTML of a caption; sent as plain text instead', {
      error: error.message,
    });
    const plain = renderMarkdown(media.caption, 'plain');
    return {
      id: await postToChat(deps, target, plan.method, { ...base, caption: plain }, deps.uploadTimeoutMs),
    };
  }
}
