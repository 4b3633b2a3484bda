import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import {
  AdapterError,
  type Attachment,
  extensionForMime,
  type MediaCacheLike,
  type MediaKind,
  mediaKindForMime,
  type OutboundMedia,
  sanitizeFilename,
  sniffMime,
} from '@hermes/adapter-core';
import { SIGNAL_PLATFORM } from './constants.js';
import type { SignalAttachmentInfo } from './envelope.js';

/** Where an attachment was received: the daemon wants the sender (DM) or the group to find it. */
export type SignalAttachmentOrigin = { recipient: string } | { groupId: string };

export interface SignalMediaOptions {
  cache: MediaCacheLike;
  maxBytes: number;
  /** Asks the daemon for the attachment's bytes (JSON-RPC `getAttachment`), base64-encoded. */
  fetchBase64(id: string, origin: SignalAttachmentOrigin): Promise<string>;
}

function tooLarge(what: string, bytes: number, maxBytes: number): AdapterError {
  return new AdapterError('too_large', `${what} is ${bytes} bytes, over the ${maxBytes}-byte limit`, {
    platform: SIGNAL_PLATFORM,
    fix: 'Signal attachments are capped at 100 MB; send a smaller file or a link.',
  });
}

/** Decoded size of a base64 string without decoding it. */
function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

/**
 * A lazy attachment: the daemon has already downloaded and decrypted it into its own data directory, and
 * `fetch()` asks for the bytes over JSON-RPC (`getAttachment`), so it works with a daemon on another host
 * or in a container too. The size cap is checked on the announced size first and again on the data.
 */
export function signalInboundAttachment(
  info: SignalAttachmentInfo & { id: string },
  origin: SignalAttachmentOrigin,
  options: SignalMediaOptions,
): Attachment {
  const mime = info.contentType;
  const kind: MediaKind = mime ? mediaKindForMime(mime) : 'file';
  const attachment: Attachment = {
    kind,
    async fetch() {
      if (info.size !== undefined && info.size > options.maxBytes) {
        throw tooLarge(`attachment ${info.id}`, info.size, options.maxBytes);
      }
      const data = await options.fetchBase64(info.id, origin);
      const bytes = base64Bytes(data);
      if (bytes > options.maxBytes) throw tooLarge(`attachment ${info.id}`, bytes, options.maxBytes);
      const buffer = Buffer.from(data, 'base64');
      const type = mime ?? sniffMime(buffer.subarray(0, 64)) ?? 'application/octet-stream';
      const extension = extensionForMime(type);
      const fallback = extension ? `${info.id}.${extension.replace(/^\./, '')}` : info.id;
      const path = options.cache.pathFor(sanitizeFilename(info.filename ?? fallback, fallback));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, buffer, { mode: 0o600 });
      return path;
    },
  };
  if (mime !== undefined) attachment.mime = mime;
  if (info.filename !== undefined) attachment.name = info.filename;
  if (info.size !== undefined) attachment.size = info.size;
  return attachment;
}

/**
 * What goes into `send`'s `attachments`: an RFC 2397 data URI with the file name (signal-cli reads
 * `data:<mime>;filename=<name>;base64,<data>`), or the path itself when the daemon shares our disk.
 */
export async function signalAttachmentParam(
  media: OutboundMedia,
  mode: 'data-uri' | 'path',
  maxBytes: number,
): Promise<string> {
  let size: number;
  try {
    size = (await stat(media.path)).size;
  } catch (error) {
    throw new AdapterError('bad_request', `cannot read the file to send: ${media.path}`, {
      platform: SIGNAL_PLATFORM,
      cause: error,
      fix: 'Check that the file exists and is readable by the gateway.',
    });
  }
  if (size > maxBytes) throw tooLarge(basename(media.path), size, maxBytes);
  if (mode === 'path') return media.path;
  const bytes = await readFile(media.path);
  const mime = media.mime ?? sniffMime(bytes.subarray(0, 64)) ?? 'application/octet-stream';
  const name = media.name ?? basename(media.path);
  return `data:${mime};filename=${encodeURIComponent(name)};base64,${bytes.toString('base64')}`;
}
