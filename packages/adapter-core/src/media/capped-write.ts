import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AdapterError } from '../errors.js';
import { SNIFF_BYTES } from './mime-sniff.js';

export interface CappedWriteResult {
  bytes: number;
  /** The first bytes of the body, for MIME sniffing. */
  head: Buffer;
}

/** Counts bytes as they pass and fails the stream the moment the count goes over the cap. */
class ByteCap extends Transform {
  bytes = 0;
  private readonly headParts: Buffer[] = [];
  private headLength = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly describeSource: string,
  ) {
    super();
  }

  get head(): Buffer {
    return Buffer.concat(this.headParts).subarray(0, SNIFF_BYTES);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(
        new AdapterError(
          'too_large',
          `media from ${this.describeSource} is over the ${this.maxBytes}-byte limit ` +
            `(${this.bytes} bytes received before stopping)`,
          { fix: 'Send a smaller file, or raise the media size limit for this platform.' },
        ),
      );
      return;
    }
    if (this.headLength < SNIFF_BYTES) {
      this.headParts.push(chunk.subarray(0, SNIFF_BYTES - this.headLength));
      this.headLength += Math.min(chunk.length, SNIFF_BYTES - this.headLength);
    }
    callback(null, chunk);
  }
}

/**
 * Streams `body` into a new file at `path` (mode 0600, never overwriting), stopping as soon as more
 * than `maxBytes` arrive. On any failure the partial file is removed before the error propagates.
 */
export async function writeCapped(
  body: Readable,
  path: string,
  options: { maxBytes: number; signal: AbortSignal; describeSource: string },
): Promise<CappedWriteResult> {
  const cap = new ByteCap(options.maxBytes, options.describeSource);
  try {
    await pipeline(body, cap, createWriteStream(path, { flags: 'wx', mode: 0o600 }), {
      signal: options.signal,
    });
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  return { bytes: cap.bytes, head: cap.head };
}
