import type { Capabilities } from '@hermes/adapter-core';
import {
  TELEGRAM_CHAT_RATE_LIMIT,
  TELEGRAM_MAX_MESSAGE_LENGTH,
  TELEGRAM_UPLOAD_MAX_BYTES,
} from './constants.js';

export const telegramCapabilities: Capabilities = {
  maxMessageLength: TELEGRAM_MAX_MESSAGE_LENGTH,
  lengthUnit: 'utf16',
  markdown: 'telegram-html',
  edit: true,
  delete: true,
  typing: true,
  reactions: true,
  threads: true,
  buttons: true,
  nativeStreaming: true,
  commandMenu: true,
  chatRateLimit: TELEGRAM_CHAT_RATE_LIMIT,
  media: {
    send: ['image', 'audio', 'voice', 'video', 'file', 'sticker'],
    receive: ['image', 'audio', 'voice', 'video', 'file', 'sticker'],
    maxUploadBytes: TELEGRAM_UPLOAD_MAX_BYTES,
  },
};
