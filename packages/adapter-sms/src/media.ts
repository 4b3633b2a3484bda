import {
  type Attachment,
  type MediaCacheLike,
  type MediaKind,
  mediaKindForMime,
  safeDownload,
} from '@hermes/adapter-core';

export interface SmsMediaOptions {
  cache: MediaCacheLike;
  maxBytes: number;
  /** Only for tests and self-hosted proxies (HERMES_MEDIA_ALLOW_PRIVATE=true); refused by default. */
  allowPrivate: boolean;
  /** The Twilio REST origin: only URLs on it get the account's Basic auth. */
  apiOrigin: string;
  /** `Basic …` for the account; never sent to another origin (nor after a redirect off it). */
  authorization: string;
}

/** MMS content types to the contract's kinds; anything unknown is a file. */
export function smsMediaKind(mime: string | undefined): MediaKind {
  if (mime === undefined || mime.trim() === '') return 'file';
  const kind = mediaKindForMime(mime);
  // MMS has no voice notes: an Ogg clip is plain audio here.
  return kind === 'voice' ? 'audio' : kind;
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}

/**
 * A lazy attachment for one MMS media URL: nothing is downloaded until the host calls fetch(), and then
 * only through core's safe download (scheme check, private-address guard after DNS and redirects, size
 * cap while streaming). Twilio serves media from api.twilio.com behind HTTP Basic auth when the account
 * enforces it, then redirects to its CDN; core drops the Authorization header when a redirect leaves the
 * origin, so the token never reaches the CDN.
 */
export function smsAttachmentFromUrl(
  url: string,
  mime: string | undefined,
  options: SmsMediaOptions,
): Attachment {
  const kind = smsMediaKind(mime);
  const auth = sameOrigin(url, options.apiOrigin) ? { authorization: options.authorization } : undefined;
  return {
    kind,
    ...(mime ? { mime } : {}),
    async fetch() {
      const downloaded = await safeDownload(url, options.cache, {
        maxBytes: options.maxBytes,
        allowPrivate: options.allowPrivate,
        ...(auth ? { headers: auth } : {}),
      });
      return downloaded.path;
    },
  };
}
