import { type Attachment, type MediaCacheLike, type MediaKind, safeDownload } from '@hermes/adapter-core';

export interface MattermostMediaOptions {
  cache: MediaCacheLike;
  maxBytes: number;
  /** Any private or loopback address (HERMES_MEDIA_ALLOW_PRIVATE=true); refused by default. */
  allowPrivate: boolean;
  /**
   * The configured server's host name: it may resolve to a private address (a LAN server) without
   * opening every private address, since the adapter already sends it the token. Redirects elsewhere are
   * still checked.
   */
  serverHost?: string;
  /** `Authorization` for the file route: Mattermost serves files only to members of the channel. */
  headers: Record<string, string>;
  signal?: AbortSignal;
}

/** A file of a post, from `post.metadata.files`. */
export interface MattermostFileMeta {
  id: string;
  name?: string;
  mime?: string;
  size?: number;
}

/** image/*, audio/*, video/* by MIME type; everything else is a file. */
export function mattermostMediaKind(mime: string | undefined): MediaKind {
  if (mime?.startsWith('image/')) return 'image';
  if (mime?.startsWith('audio/')) return 'audio';
  if (mime?.startsWith('video/')) return 'video';
  return 'file';
}

/**
 * A lazy attachment for a file of a post: nothing is downloaded until the host calls fetch(), and then
 * only through core's safe download (scheme check, private-address guard after DNS and redirects, size
 * cap while streaming, sanitised name). The bearer token goes only to the server's own origin: core drops
 * it when a redirect leaves it.
 */
export function mattermostAttachment(
  url: string,
  file: MattermostFileMeta,
  options: MattermostMediaOptions,
): Attachment {
  const attachment: Attachment = {
    kind: mattermostMediaKind(file.mime),
    async fetch() {
      const downloaded = await safeDownload(url, options.cache, {
        maxBytes: options.maxBytes,
        allowPrivate: options.allowPrivate,
        ...(options.serverHost
          ? { isAllowedAddress: ({ hostname }) => hostname === options.serverHost }
          : {}),
        headers: options.headers,
        ...(file.name ? { filename: file.name } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return downloaded.path;
    },
  };
  if (file.mime !== undefined) attachment.mime = file.mime;
  if (file.name !== undefined) attachment.name = file.name;
  if (file.size !== undefined) attachment.size = file.size;
  return attachment;
}
