import { writeFile } from 'node:fs/promises';
import {
  AdapterError,
  type Attachment,
  type MediaCacheLike,
  mediaKindForMime,
  sanitizeFilename,
} from '@hermes/adapter-core';
import type { Attachment as ParsedAttachment } from 'mailparser';

export interface EmailMediaOptions {
  cache: MediaCacheLike;
  maxBytes: number;
}

/**
 * A lazy attachment for a MIME part of an inbound mail: nothing is written until the host calls fetch(),
 * and then only into the media cache, under a sanitised name, within the size cap. The bytes came with
 * the mail (IMAP has no URL to fetch them from later), so there is no network step and no SSRF surface.
 */
export function emailAttachment(part: ParsedAttachment, options: EmailMediaOptions): Attachment {
  const mime = part.contentType || 'application/octet-stream';
  let content: Buffer | undefined = part.content;
  let saved: Promise<string> | undefined;
  const size = part.size ?? content.length;
  const name = sanitizeFilename(part.filename ?? '', 'attachment');
  return {
    kind: mediaKindForMime(mime),
    mime,
    name,
    size,
    async fetch() {
      if (size > options.maxBytes) {
        throw new AdapterError(
          'too_large',
          `the attachment "${name}" is ${size} bytes, over the ${options.maxBytes}-byte limit`,
          { platform: 'email', fix: 'Raise maxMediaBytes in platforms.email if such files are expected.' },
        );
      }
      saved ??= (async () => {
        const path = options.cache.pathFor(name);
        await writeFile(path, content ?? Buffer.alloc(0), { mode: 0o600 });
        // The mail's bytes stay in memory only until the host has them on disk.
        content = undefined;
        return path;
      })();
      return saved;
    },
  };
}
