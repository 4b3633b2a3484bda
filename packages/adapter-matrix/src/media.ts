import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { AdapterError, type Attachment, type MediaCacheLike, safeDownload } from '@hermes/adapter-core';
import type { MatrixMediaContent } from './inbound.js';

export interface MatrixMediaOptions {
  cache: MediaCacheLike;
  maxBytes: number;
  /**
   * The homeserver's authenticated media URL for an mxc:// URI, with its Authorization header. The host
   * is always the configured homeserver, never one named by the message.
   */
  resolve(mxc: string): { url: string; headers: Record<string, string> } | undefined;
  /** The configured homeserver may sit on a private or loopback address (self-hosted): allowed for it. */
  homeserverIsPrivateOk: boolean;
}

/** The `file` object of an encrypted attachment (Matrix spec, "Sending encrypted attachments"). */
export interface MatrixEncryptedFile {
  url: string;
  key: { kty: 'oct'; key_ops: string[]; alg: 'A256CTR'; k: string; ext: true };
  iv: string;
  hashes: { sha256: string };
  v: 'v2';
}

const unpaddedBase64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

function decryptAttachment(cipher: Buffer, file: Record<string, unknown>): Buffer {
  const key = file['key'] as Record<string, unknown> | undefined;
  const k = typeof key?.['k'] === 'string' ? Buffer.from(key['k'], 'base64url') : undefined;
  const iv = typeof file['iv'] === 'string' ? Buffer.from(file['iv'], 'base64') : undefined;
  const sha = (file['hashes'] as Record<string, unknown> | undefined)?.['sha256'];
  if (k?.length !== 32 || iv?.length !== 16 || typeof sha !== 'string') {
    throw new AdapterError('protocol', 'encrypted attachment has no usable key, iv or sha256', {
      platform: 'matrix',
    });
  }
  const actual = unpaddedBase64(createHash('sha256').update(cipher).digest());
  if (actual !== sha.replace(/=+$/, '')) {
    throw new AdapterError(
      'protocol',
      'encrypted attachment failed its sha256 check (tampered or truncated)',
      {
        platform: 'matrix',
      },
    );
  }
  const decipher = createDecipheriv('aes-256-ctr', k, iv);
  return Buffer.concat([decipher.update(cipher), decipher.final()]);
}

/** AES-CTR-256 with a fresh key and IV, as Matrix clients expect for uploads into encrypted rooms. */
export function encryptAttachment(plain: Buffer): { cipher: Buffer; file: Omit<MatrixEncryptedFile, 'url'> } {
  const key = randomBytes(32);
  // The top 8 bytes are random, the counter half starts at zero (the spec's recommendation).
  const iv = Buffer.concat([randomBytes(8), Buffer.alloc(8)]);
  const cipherer = createCipheriv('aes-256-ctr', key, iv);
  const cipher = Buffer.concat([cipherer.update(plain), cipherer.final()]);
  return {
    cipher,
    file: {
      key: {
        kty: 'oct',
        key_ops: ['encrypt', 'decrypt'],
        alg: 'A256CTR',
        k: key.toString('base64url'),
        ext: true,
      },
      iv: unpaddedBase64(iv),
      hashes: { sha256: unpaddedBase64(createHash('sha256').update(cipher).digest()) },
      v: 'v2',
    },
  };
}

/**
 * A lazy attachment: nothing is downloaded until the host calls fetch(), then only through core's safe
 * download (size cap while streaming, sanitised name) from the homeserver's authenticated media endpoint;
 * encrypted uploads are checked against their hash and decrypted in place.
 */
export function matrixAttachment(media: MatrixMediaContent, options: MatrixMediaOptions): Attachment {
  const mxc = media.url ?? (typeof media.file?.['url'] === 'string' ? media.file['url'] : undefined);
  return {
    kind: media.kind,
    ...(media.mime !== undefined ? { mime: media.mime } : {}),
    ...(media.name !== undefined ? { name: media.name } : {}),
    ...(media.size !== undefined ? { size: media.size } : {}),
    async fetch() {
      const target = mxc === undefined ? undefined : options.resolve(mxc);
      if (target === undefined) {
        throw new AdapterError('protocol', `attachment has no valid mxc:// URI (${String(mxc)})`, {
          platform: 'matrix',
        });
      }
      const downloaded = await safeDownload(target.url, options.cache, {
        maxBytes: options.maxBytes,
        allowPrivate: options.homeserverIsPrivateOk,
        headers: target.headers,
        ...(media.name !== undefined ? { filename: media.name } : {}),
      });
      if (media.file !== undefined) {
        const plain = decryptAttachment(await readFile(downloaded.path), media.file);
        await writeFile(downloaded.path, plain);
      }
      return downloaded.path;
    },
  };
}
