import { type Attachment, type MediaCacheLike, type MediaKind, safeDownload } from '@hermes/adapter-core';

/** A file DingTalk attached to an inbound message: only a downloadCode until someone wants the bytes. */
export interface DingtalkMediaRef {
  kind: MediaKind;
  downloadCode: string;
  name?: string;
}

export interface DingtalkMediaOptions {
  cache: MediaCacheLike;
  maxBytes: number;
  /** Only for tests (HERMES_MEDIA_ALLOW_PRIVATE=true); refused by default. */
  allowPrivate: boolean;
  /** `downloadCode` → short-lived URL, through the robot API (needs the access token). */
  resolveUrl(downloadCode: string, signal?: AbortSignal): Promise<string>;
  signal?: AbortSignal;
}

/**
 * A lazy attachment: nothing is fetched until the host calls fetch(). Then the downloadCode becomes a URL
 * through `robot/messageFiles/download`, and the bytes come through core's safe download (scheme check,
 * private-address guard after DNS and redirects, size cap while streaming, sanitised file name).
 */
export function dingtalkAttachment(ref: DingtalkMediaRef, options: DingtalkMediaOptions): Attachment {
  return {
    kind: ref.kind,
    ...(ref.name ? { name: ref.name } : {}),
    async fetch() {
      const url = await options.resolveUrl(ref.downloadCode, options.signal);
      const downloaded = await safeDownload(url, options.cache, {
        maxBytes: options.maxBytes,
        allowPrivate: options.allowPrivate,
        ...(ref.name ? { filename: ref.name } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return downloaded.path;
    },
  };
}
