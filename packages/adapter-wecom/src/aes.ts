import { createCipheriv, createDecipheriv, type Decipher } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AdapterError } from '@hermes/adapter-core';
import { WECOM_PLATFORM } from './constants.js';

/** WeCom pads to 32 bytes (its own choice), not to the 16-byte AES block. */
export const WECOM_PKCS7_BLOCK = 32;

function aesError(message: string, fix?: string): AdapterError {
  return new AdapterError('wecom_media_decrypt', message, {
    platform: WECOM_PLATFORM,
    retryable: false,
    ...(fix === undefined ? {} : { fix }),
  });
}

/**
 * Decodes the `aeskey` of a callback. WeCom sends it base64 without its trailing `=`; the result must be
 * 32 bytes because the cipher is AES-256.
 */
export function decodeWecomAesKey(aeskey: string): Buffer {
  const trimmed = aeskey.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed)) throw aesError('WeCom aeskey is not base64');
  const padded = trimmed.replace(/=+$/, '').padEnd(Math.ceil(trimmed.replace(/=+$/, '').length / 4) * 4, '=');
  const key = Buffer.from(padded, 'base64');
  if (key.length !== 32) {
    throw aesError(
      `WeCom aeskey decodes to ${key.length} bytes, AES-256 needs 32`,
      'the callback carried a truncated or foreign key; the media cannot be decrypted',
    );
  }
  return key;
}

/** Checks every pad byte, so that a wrong key (random-looking plaintext) is reported instead of saved. */
function padLength(tail: Buffer): number {
  const pad = tail[tail.length - 1] ?? 0;
  if (pad < 1 || pad > WECOM_PKCS7_BLOCK || pad > tail.length) {
    throw aesError(
      `bad PKCS#7 padding value ${pad}`,
      'the aeskey does not match this media (or the file is damaged)',
    );
  }
  for (let i = tail.length - pad; i < tail.length; i++) {
    if (tail[i] !== pad)
      throw aesError(
        'bad PKCS#7 padding bytes',
        'the aeskey does not match this media (or the file is damaged)',
      );
  }
  return pad;
}

function decipherFor(key: Buffer): Decipher {
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  return decipher;
}

/** Decrypts a whole buffer: AES-256-CBC, IV = first 16 key bytes, PKCS#7 on a 32-byte block. */
export function decryptWecomMedia(data: Buffer, aeskey: string | Buffer): Buffer {
  const key = typeof aeskey === 'string' ? decodeWecomAesKey(aeskey) : aeskey;
  if (data.length === 0 || data.length % 16 !== 0) {
    throw aesError(`encrypted media is ${data.length} bytes, not a positive multiple of the AES block (16)`);
  }
  const decipher = decipherFor(key);
  const body = decipher.update(data);
  const rest = decipher.final();
  // Without auto-padding `final()` has nothing left, so the whole plaintext is not copied a second time.
  const plain = rest.length === 0 ? body : Buffer.concat([body, rest]);
  return plain.subarray(
    0,
    plain.length - padLength(plain.subarray(Math.max(0, plain.length - WECOM_PKCS7_BLOCK))),
  );
}

/** The inverse, used by the fake server and by tests of other bots. */
export function encryptWecomMedia(plain: Buffer, aeskey: string | Buffer): Buffer {
  const key = typeof aeskey === 'string' ? decodeWecomAesKey(aeskey) : aeskey;
  const pad = WECOM_PKCS7_BLOCK - (plain.length % WECOM_PKCS7_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.update(Buffer.alloc(pad, pad)), cipher.final()]);
}

/**
 * Streaming decryption for files on disk: holds back the last 32 plaintext bytes until the end, where the
 * padding is verified and dropped. Memory stays at one chunk whatever the file size.
 */
export function createWecomDecryptStream(aeskey: string | Buffer): Transform {
  const key = typeof aeskey === 'string' ? decodeWecomAesKey(aeskey) : aeskey;
  const decipher = decipherFor(key);
  let held = Buffer.alloc(0);
  let total = 0;
  const emit = (stream: Transform, out: Buffer) => {
    if (out.length >= WECOM_PKCS7_BLOCK) {
      // The usual case: pass the chunk on without copying it, keep only its last 32 bytes back.
      if (held.length > 0) stream.push(held);
      stream.push(out.subarray(0, out.length - WECOM_PKCS7_BLOCK));
      held = Buffer.from(out.subarray(out.length - WECOM_PKCS7_BLOCK));
      return;
    }
    const joined = Buffer.concat([held, out]);
    const keep = Math.min(WECOM_PKCS7_BLOCK, joined.length);
    if (joined.length > keep) stream.push(joined.subarray(0, joined.length - keep));
    held = joined.subarray(joined.length - keep);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      total += chunk.length;
      try {
        emit(this, decipher.update(chunk));
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        if (total === 0 || total % 16 !== 0) {
          throw aesError(`encrypted media is ${total} bytes, not a positive multiple of the AES block (16)`);
        }
        emit(this, decipher.final());
        const pad = padLength(held);
        this.push(held.subarray(0, held.length - pad));
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}
