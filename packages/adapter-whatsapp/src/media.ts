import {
  AdapterError,
  type Attachment,
  type MediaCacheLike,
  type MediaKind,
  safeDownload,
} from '@hermes/adapter-core';
import type { WhatsappGraphClient } from './graph/graph-client.js';
import type { WhatsappMediaRef } from './inbound-message.js';

export interface WhatsappMediaOptions {
  graph: WhatsappGraphClient;
  cache: MediaCacheLike;
  maxBytes: number;
  /** Only for tests (HERMES_MEDIA_ALLOW_PRIVATE=true); refused by default. */
  allowPrivate: boolean;
}

/**
 * A lazy attachment for a WhatsApp media id: nothing is fetched until the host calls fetch(). Then the id
 * is resolved to its short-lived URL (`GET /<media-id>`), and the file comes through core's safe download
 * with the bearer token (scheme check, private-address guard after DNS and redirects, size cap while
 * streaming, sanitised name; the token is dropped if a redirect leaves the media host).
 */
export function whatsappAttachment(ref: WhatsappMediaRef, options: WhatsappMediaOptions): Attachment {
  const attachment: Attachment = {
    kind: ref.kind,
    async fetch() {
      const info = await options.graph.mediaInfo(ref.mediaId);
      if (info.fileSize !== undefined && info.fileSize > options.maxBytes) {
        throw new AdapterError(
          'too_large',
          `WhatsApp media ${ref.mediaId} is ${info.fileSize} bytes, over the ${options.maxBytes}-byte cap`,
          {
            platform: 'whatsapp',
            fix: 'Raise maxMediaBytes in platforms.whatsapp if such files are expected.',
          },
        );
      }
      const downloaded = await safeDownload(info.url, options.cache, {
        maxBytes: options.maxBytes,
        allowPrivate: options.allowPrivate,
        headers: options.graph.authHeaders,
        ...(ref.name === undefined ? {} : { filename: ref.name }),
      });
      return downloaded.path;
    },
  };
  if (ref.mime !== undefined) attachment.mime = ref.mime;
  if (ref.name !== undefined) attachment.name = ref.name;
  return attachment;
}

/** Per-kind upload caps of the Cloud API; a file over its kind's cap is sent as a document instead. */
export const WHATSAPP_UPLOAD_CAPS: Record<'image' | 'audio' | 'video' | 'sticker' | 'document', number> = {
  image: 5 * 1024 * 1024,
  audio: 16 * 1024 * 1024,
  video: 16 * 1024 * 1024,
  sticker: 500 * 1024,
  document: 100 * 1024 * 1024,
};

/** The Cloud API message type for a contract media kind. */
export function whatsappMediaType(kind: MediaKind): 'image' | 'audio' | 'video' | 'sticker' | 'document' {
  switch (kind) {
    case 'image':
      return 'image';
    case 'audio':
    case 'voice':
      return 'audio';
    case 'video':
      return 'video';
    case 'sticker':
      return 'sticker';
    default:
      return 'document';
  }
}
