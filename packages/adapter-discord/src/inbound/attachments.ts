import {
  AdapterError,
  type Attachment,
  type MediaCacheLike,
  type MediaKind,
  mediaKindForMime,
  mimeForExtension,
  safeDownload,
} from '@hermes/adapter-core';
import { DISCORD_PLATFORM } from '../constants.js';

/** The fields of a Discord attachment the adapter uses (discord.js Attachment has them all). */
export interface DiscordAttachmentInfo {
  name: string;
  url: string;
  size: number;
  contentType: string | null;
}

export interface AttachmentFetchOptions {
  mediaCache: MediaCacheLike;
  maxBytes: number;
  allowPrivate: boolean;
  /** Hosts attachment URLs may point at: Discord's CDN, plus the API host when it was overridden. */
  allowedHosts: ReadonlySet<string>;
  signal: AbortSignal;
  timeoutMs?: number;
}

/** Voice messages carry IS_VOICE_MESSAGE (1 << 13) on the message. */
export const DISCORD_VOICE_MESSAGE_FLAG = 1 << 13;

export function kindOfAttachment(info: DiscordAttachmentInfo, voiceMessage: boolean): MediaKind {
  const dot = info.name.lastIndexOf('.');
  const mime =
    info.contentType ??
    (dot >= 0 ? mimeForExtension(info.name.slice(dot)) : undefined) ??
    'application/octet-stream';
  if (voiceMessage && mime.startsWith('audio/')) return 'voice';
  const kind = mediaKindForMime(mime);
  // An ogg file someone uploaded is an audio file, not a voice note: only the flag makes it one.
  return kind === 'voice' && !voiceMessage ? 'audio' : kind;
}

/**
 * A lazy Attachment: nothing is downloaded until the host calls fetch(), which goes through core's
 * safe downloader (size cap, private-address guard, redirects re-checked). The URL must be on a
 * Discord CDN host; the bot token is never sent with it.
 */
export function toDiscordAttachment(
  info: DiscordAttachmentInfo,
  voiceMessage: boolean,
  options: AttachmentFetchOptions,
): Attachment {
  const kind = kindOfAttachment(info, voiceMessage);
  const attachment: Attachment = {
    kind,
    name: info.name,
    size: info.size,
    fetch: async () => {
      let host: string;
      try {
        host = new URL(info.url).host.toLowerCase();
      } catch {
        throw new AdapterError(
          'media_refused',
          `Discord attachment URL is not a URL: ${info.url.slice(0, 80)}`,
          {
            platform: DISCORD_PLATFORM,
          },
        );
      }
      if (!options.allowedHosts.has(host) && !options.allowedHosts.has(host.replace(/:\d+$/, ''))) {
        throw new AdapterError('media_refused', `attachment URL host ${host} is not a Discord CDN host`, {
          platform: DISCORD_PLATFORM,
          fix: 'add the host to platforms.discord.attachment_hosts if it is a trusted media proxy',
        });
      }
      if (info.size > options.maxBytes) {
        throw new AdapterError(
          'too_large',
          `attachment ${info.name} is ${info.size} bytes, over ${options.maxBytes}`,
          {
            platform: DISCORD_PLATFORM,
            fix: 'raise platforms.discord.max_download_bytes',
          },
        );
      }
      const saved = await safeDownload(info.url, options.mediaCache, {
        maxBytes: options.maxBytes,
        allowPrivate: options.allowPrivate,
        signal: options.signal,
        filename: info.name,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      return saved.path;
    },
  };
  if (info.contentType) attachment.mime = info.contentType;
  return attachment;
}
