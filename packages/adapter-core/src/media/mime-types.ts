import type { MediaKind } from '../contract.js';

/** `Image/PNG; charset=x` → `image/png`. Empty or missing gives an empty string. */
export function essenceOfMime(mime: string | undefined): string {
  return (mime ?? '').split(';')[0]!.trim().toLowerCase();
}

// One canonical extension per type (the first spelling a user expects to see).
const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/bmp': '.bmp',
  'image/tiff': '.tiff',
  'image/heic': '.heic',
  'image/avif': '.avif',
  'image/svg+xml': '.svg',
  'application/pdf': '.pdf',
  'application/zip': '.zip',
  'application/gzip': '.gz',
  'application/json': '.json',
  'text/plain': '.txt',
  'text/markdown': '.md',
  'text/csv': '.csv',
  'text/html': '.html',
  'audio/ogg': '.ogg',
  'audio/opus': '.opus',
  'audio/mpeg': '.mp3',
  'audio/mp4': '.m4a',
  'audio/aac': '.aac',
  'audio/flac': '.flac',
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'audio/amr': '.amr',
  'audio/amr-wb': '.awb',
  'audio/silk': '.silk',
  'video/mp4': '.mp4',
  'video/quicktime': '.mov',
  'video/webm': '.webm',
  'video/x-matroska': '.mkv',
  'video/ogg': '.ogv',
  'video/3gpp': '.3gp',
  'video/3gpp2': '.3g2',
  'video/x-msvideo': '.avi',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': '.pptx',
  'application/msword': '.doc',
  'application/vnd.ms-excel': '.xls',
};

const MIME_BY_EXTENSION: ReadonlyMap<string, string> = new Map([
  ...Object.entries(EXTENSIONS).map(([mime, ext]) => [ext, mime] as const),
  ['.jpeg', 'image/jpeg'],
  ['.jpe', 'image/jpeg'],
  ['.tif', 'image/tiff'],
  ['.oga', 'audio/ogg'],
  ['.wav', 'audio/wav'],
  ['.m4v', 'video/mp4'],
  ['.htm', 'text/html'],
]);

/**
 * The usual file extension for a MIME type, with its dot (`image/jpeg` → `.jpg`), or `''` when the type
 * is unknown: better no extension than a misleading one.
 */
export function extensionForMime(mime: string): string {
  return EXTENSIONS[essenceOfMime(mime)] ?? '';
}

/** The MIME type a file extension usually means (`.JPG` → `image/jpeg`), or undefined. */
export function mimeForExtension(ext: string): string | undefined {
  return MIME_BY_EXTENSION.get(ext.toLowerCase());
}

/**
 * Which contract media kind a MIME type is: `image/*` → image, Ogg/Opus audio → voice (the voice-note
 * format of Telegram, WhatsApp and Signal), other `audio/*` → audio, `video/*` → video, anything else file.
 */
export function mediaKindForMime(mime: string): MediaKind {
  const essence = essenceOfMime(mime);
  if (essence.startsWith('image/')) return 'image';
  if (essence === 'audio/ogg' || essence === 'audio/opus') return 'voice';
  if (essence.startsWith('audio/')) return 'audio';
  if (essence.startsWith('video/')) return 'video';
  return 'file';
}

const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

/**
 * Picks the MIME type of a downloaded file: the bytes win over what the server declared, because a
 * server's Content-Type is often generic or wrong. Two exceptions keep the declared type: a ZIP whose
 * server names a specific ZIP-based format (docx, xlsx, epub, apk), and bytes we cannot recognise.
 * Then the file name's extension, then `application/octet-stream`.
 */
export function chooseMime(sniffed: string | undefined, declared: string | undefined, name: string): string {
  const declaredEssence = essenceOfMime(declared);
  const declaredUseful =
    !GENERIC.has(declaredEssence) && /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(declaredEssence);
  if (sniffed === 'application/zip' && declaredUseful && declaredEssence.startsWith('application/')) {
    return declaredEssence;
  }
  if (sniffed) return sniffed;
  if (declaredUseful) return declaredEssence;
  const dot = name.lastIndexOf('.');
  const fromName = dot > 0 ? mimeForExtension(name.slice(dot)) : undefined;
  return fromName ?? 'application/octet-stream';
}
