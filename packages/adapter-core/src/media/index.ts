// Safe media download, the media cache, MIME sniffing and file names.
export type { MediaAddressAllowRule, MediaLookup, ResolvedAddress } from './address-guard.js';
export {
  filenameFromContentDisposition,
  filenameFromUrl,
  MAX_FILENAME_BYTES,
  sanitizeFilename,
} from './filename.js';
export { DEFAULT_MEDIA_MAX_AGE_MS, MediaCache, type MediaCacheOptions } from './media-cache.js';
export { SNIFF_BYTES, sniffMime } from './mime-sniff.js';
export { extensionForMime, mediaKindForMime, mimeForExtension } from './mime-types.js';
export {
  isPrivateAddress,
  MEDIA_ALLOW_PRIVATE_ENV,
  mediaAllowPrivateFromEnv,
  privateAddressKind,
} from './private-address.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DOWNLOAD_TIMEOUT_MS,
  DEFAULT_MAX_REDIRECTS,
  type DownloadedMedia,
  type SafeDownloadOptions,
  safeDownload,
} from './safe-download.js';
