import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import {
  AdapterError,
  extensionForMime,
  type Logger,
  type MediaCacheLike,
  type MediaLookup,
  mimeForExtension,
  SNIFF_BYTES,
  safeDownload,
  sanitizeFilename,
  sniffMime,
  withRetry,
} from '@hermes/adapter-core';
import { createWecomDecryptStream, decryptWecomMedia } from './aes.js';
import { WECOM_PLATFORM, WECOM_USER_AGENT } from './constants.js';
import type { WecomMediaRef } from './frames.js';

export interface WecomMediaFetchOptions {
  cache: MediaCacheLike;
  maxBytes: number;
  /** HERMES_MEDIA_ALLOW_PRIVATE: media URLs may point at private or loopback hosts. */
  allowPrivate: boolean;
  logger?: Logger;
  signal?: AbortSignal;
  /** DNS resolver override (tests of the rebinding guard). */
  lookup?: MediaLookup;
}

export interface WecomFetchedMedia {
  path: string;
  mime: string;
  name: string;
  bytes: number;
}

const DATA_URL = /^data:([^;,]*)(;[^,]*)?,(.*)$/s;

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** Keeps the name the user sees, but makes its extension tell the truth about the bytes. */
function nameFor(name: string, mime: string | undefined): string {
  const ext = extensionForMime(mime ?? '');
  if (!mime || !ext) return name;
  const current = extensionOf(name);
  if (current && mimeForExtension(current) === mime) return name;
  return `${current ? name.slice(0, -current.length) : name}${ext}`;
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function tooLarge(bytes: number, maxBytes: number): AdapterError {
  return new AdapterError(
    'too_large',
    `WeCom media is ${bytes} bytes, over the ${maxBytes}-byte limit; not saved`,
    {
      platform: WECOM_PLATFORM,
      retryable: false,
    },
  );
}

/** Inline media: the `base64` field or a data URL. */
async function saveInline(
  data: string,
  ref: WecomMediaRef,
  o: WecomMediaFetchOptions,
): Promise<WecomFetchedMedia> {
  const match = DATA_URL.exec(data);
  const payload = match ? (match[3] ?? '') : data;
  if (match && !(match[2] ?? '').includes('base64')) {
    throw new AdapterError('bad_request', 'WeCom data URL is not base64-encoded', {
      platform: WECOM_PLATFORM,
    });
  }
  // base64 is 4 characters per 3 bytes: refuse before decoding anything huge.
  const estimate = Math.floor((payload.length * 3) / 4);
  if (estimate > o.maxBytes + 64) throw tooLarge(estimate, o.maxBytes);
  let bytes: Buffer = Buffer.from(payload, 'base64');
  if (ref.aeskey) bytes = decryptWecomMedia(bytes, ref.aeskey);
  if (bytes.length > o.maxBytes) throw tooLarge(bytes.length, o.maxBytes);
  const mime = sniffMime(bytes.subarray(0, SNIFF_BYTES)) ?? (match?.[1] || 'application/octet-stream');
  const name = nameFor(sanitizeFilename(ref.filename ?? ref.name ?? '', 'wecom-media'), mime);
  const path = o.cache.pathFor(name);
  await writeFile(path, bytes, { flag: 'wx', mode: 0o600 });
  return { path, mime, name, bytes: bytes.length };
}

/** Decrypts a downloaded file into a new cache file, streaming, and removes the encrypted one. */
async function decryptFile(
  downloaded: { path: string; name: string; mime: string },
  aeskey: string,
  o: WecomMediaFetchOptions,
): Promise<WecomFetchedMedia> {
  const partial = o.cache.pathFor(`${downloaded.name}.part`);
  try {
    await pipeline(
      createReadStream(downloaded.path),
      createWecomDecryptStream(aeskey),
      createWriteStream(partial, { flags: 'wx', mode: 0o600 }),
    );
    const { size: bytes } = await stat(partial);
    if (bytes > o.maxBytes) throw tooLarge(bytes, o.maxBytes);
    // The server's type describes the ciphertext at best; the decrypted bytes decide when they can.
    const mime = sniffMime(await readHead(partial)) ?? downloaded.mime;
    const name = nameFor(downloaded.name, mime);
    const path = o.cache.pathFor(name);
    await rename(partial, path);
    return { path, mime, name, bytes };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await rm(downloaded.path, { force: true });
  }
}

/**
 * Gets one WeCom media item into the media cache: inline base64 decoded, URLs through core's safe
 * downloader (private hosts refused unless allowed, size capped while streaming), then AES-256-CBC
 * decrypted when the callback carried an `aeskey`. Resolves to the local file.
 */
export async function fetchWecomMedia(
  ref: WecomMediaRef,
  o: WecomMediaFetchOptions,
): Promise<WecomFetchedMedia> {
  if (ref.base64) return saveInline(ref.base64, ref, o);
  const url = ref.url?.trim();
  if (!url)
    throw new AdapterError('bad_request', 'WeCom media has neither url nor base64', {
      platform: WECOM_PLATFORM,
    });
  if (url.startsWith('data:')) return saveInline(url, ref, o);
  const payloadName = ref.filename ?? ref.name;
  const downloaded = await withRetry(
    () =>
      safeDownload(url, o.cache, {
        // Ciphertext carries up to one 32-byte padding block on top of the plaintext.
        maxBytes: ref.aeskey ? o.maxBytes + 32 : o.maxBytes,
        allowPrivate: o.allowPrivate,
        headers: { 'user-agent': WECOM_USER_AGENT },
        ...(payloadName ? { filename: payloadName } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.lookup ? { lookup: o.lookup } : {}),
      }),
    {
      maxAttempts: 3,
      label: 'wecom media download',
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    },
  );
  if (!ref.aeskey)
    return { path: downloaded.path, mime: downloaded.mime, name: downloaded.name, bytes: downloaded.bytes };
  return decryptFile(downloaded, ref.aeskey, o);
}
