import { AdapterError, type MediaCacheLike, safeDownload } from '@hermes/adapter-core';
import { SLACK_PLATFORM } from './constants.js';
import type { SlackFile } from './envelope.js';

export interface SlackFileFetchOptions {
  cache: MediaCacheLike;
  botToken: string;
  maxBytes: number;
  allowPrivate: boolean;
  signal?: AbortSignal;
}

/**
 * Downloads a file a user shared. Slack serves `url_private` only with the bot token as a bearer header;
 * core's safeDownload drops that header if a redirect leaves Slack's origin and refuses private addresses
 * unless HERMES_MEDIA_ALLOW_PRIVATE is set.
 */
export async function fetchSlackFile(file: SlackFile, o: SlackFileFetchOptions): Promise<string> {
  const url = file.url_private_download ?? file.url_private;
  if (!url) {
    throw new AdapterError(
      'not_found',
      `Slack file ${file.id} has no download URL (mode ${file.mode ?? 'unknown'})`,
      {
        platform: SLACK_PLATFORM,
      },
    );
  }
  if (file.size !== undefined && file.size > o.maxBytes) {
    throw new AdapterError(
      'too_large',
      `Slack file ${file.id} is ${file.size} bytes, over the ${o.maxBytes}-byte cap`,
      {
        platform: SLACK_PLATFORM,
        fix: 'raise maxMediaBytes (platforms.slack.max_media_bytes) if such files are expected',
      },
    );
  }
  const options: Parameters<typeof safeDownload>[2] = {
    maxBytes: o.maxBytes,
    allowPrivate: o.allowPrivate,
    headers: { authorization: `Bearer ${o.botToken}` },
  };
  const name = file.name ?? file.title;
  if (name) options.filename = name;
  if (o.signal) options.signal = o.signal;
  const saved = await safeDownload(url, o.cache, options);
  return saved.path;
}
