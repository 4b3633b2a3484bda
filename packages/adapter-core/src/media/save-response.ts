import { mkdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, resolve } from 'node:path';
import type { MediaCacheLike } from '../contract.js';
import { AdapterError } from '../errors.js';
import { writeCapped } from './capped-write.js';
import {
  filenameFromContentDisposition,
  filenameFromUrl,
  hasExtension,
  sanitizeFilename,
} from './filename.js';
import { sniffMime } from './mime-sniff.js';
import { chooseMime, extensionForMime } from './mime-types.js';
import type { DownloadedMedia } from './safe-download.js';

export interface SaveContext {
  /** The URL the caller asked for, and the one that finally answered (after redirects). */
  first: URL;
  last: URL;
  cache: MediaCacheLike;
  maxBytes: number;
  signal: AbortSignal;
  filename: string | undefined;
}

/** Any MediaCacheLike may be passed in, so its paths are checked rather than trusted. */
function insideCache(cache: MediaCacheLike, path: string): string {
  const dir = resolve(cache.dir);
  if (dirname(resolve(path)) !== dir) {
    throw new AdapterError('media_refused', `media cache returned a path outside its directory ${dir}`);
  }
  return path;
}

function tooLarge(origin: string, declared: number, maxBytes: number): AdapterError {
  return new AdapterError(
    'too_large',
    `media from ${origin} is ${declared} bytes (Content-Length), over the ${maxBytes}-byte limit; not downloaded`,
    { fix: 'Send a smaller file, or raise the media size limit for this platform.' },
  );
}

function pickName(res: IncomingMessage, ctx: SaveContext): string {
  const raw =
    ctx.filename ||
    filenameFromContentDisposition(res.headers['content-disposition']) ||
    filenameFromUrl(ctx.last) ||
    filenameFromUrl(ctx.first) ||
    '';
  return sanitizeFilename(raw, 'download');
}

/**
 * Streams a 2xx response into the cache: size checked before and during the body, written to a temp
 * file, then renamed to its final sanitised name once the MIME type is known.
 */
export async function saveResponse(res: IncomingMessage, ctx: SaveContext): Promise<DownloadedMedia> {
  const origin = ctx.last.origin;
  const declared = Number(res.headers['content-length']);
  // Refused on the header alone: no byte of an announced oversize body is read.
  if (Number.isFinite(declared) && declared > ctx.maxBytes) {
    res.destroy();
    throw tooLarge(origin, declared, ctx.maxBytes);
  }
  const temp = insideCache(ctx.cache, ctx.cache.pathFor('download.part'));
  // A MediaCacheLike other than MediaCache may not have created its directory yet.
  await mkdir(dirname(temp), { recursive: true, mode: 0o700 });
  const { bytes, head } = await writeCapped(res, temp, {
    maxBytes: ctx.maxBytes,
    signal: ctx.signal,
    describeSource: origin,
  });
  try {
    let name = pickName(res, ctx);
    const mime = chooseMime(sniffMime(head), res.headers['content-type'], name);
    if (!hasExtension(name)) name = sanitizeFilename(name + extensionForMime(mime), 'download');
    const path = insideCache(ctx.cache, ctx.cache.pathFor(name));
    await rename(temp, path);
    return { path, bytes, mime, name };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
