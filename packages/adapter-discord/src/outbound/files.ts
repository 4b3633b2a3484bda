import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { AdapterError, type OutboundMedia, sanitizeFilename } from '@hermes/adapter-core';
import { DISCORD_PLATFORM } from '../constants.js';

export interface OutboundFile {
  name: string;
  data: Buffer;
  contentType?: string;
}

/**
 * Reads a local file for a multipart upload, refusing it before reading when it is over the upload
 * limit (Discord would answer 413 after the whole body was sent).
 */
export async function loadOutboundFile(media: OutboundMedia, maxBytes: number): Promise<OutboundFile> {
  let size: number;
  try {
    size = (await stat(media.path)).size;
  } catch (error) {
    throw new AdapterError(
      'bad_request',
      `cannot read media file ${media.path}: ${(error as Error).message}`,
      {
        platform: DISCORD_PLATFORM,
        retryable: false,
        cause: error,
      },
    );
  }
  if (size > maxBytes) {
    throw new AdapterError(
      'too_large',
      `${basename(media.path)} is ${size} bytes; Discord accepts ${maxBytes}`,
      {
        platform: DISCORD_PLATFORM,
        retryable: false,
        fix: 'send a smaller file, or raise platforms.discord.max_upload_bytes if the server is boosted',
      },
    );
  }
  const name = sanitizeFilename(media.name ?? basename(media.path), 'file');
  const file: OutboundFile = { name, data: await readFile(media.path) };
  if (media.mime) file.contentType = media.mime;
  return file;
}
