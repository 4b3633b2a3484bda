import { createCipheriv, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { createWecomDecryptStream, decodeWecomAesKey, decryptWecomMedia, encryptWecomMedia } from './aes.js';

const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1));
/** WeCom's form: base64 without the trailing `=`. */
const aeskey = key.toString('base64').replace(/=+$/, '');

/** Independent reference: IV = first 16 key bytes, PKCS#7 to a 32-byte block. */
function referenceEncrypt(plain: Buffer): Buffer {
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]);
}

/** Ciphertext whose plaintext ends in the given bytes (to forge bad padding). */
function encryptRaw(plainPadded: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plainPadded), cipher.final()]);
}

async function streamDecrypt(data: Buffer, k: string, chunk = 1000): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
  return buffer(Readable.from(parts).pipe(createWecomDecryptStream(k)));
}

describe('WeCom media AES', () => {
  it('decodes the 43-character aeskey to 32 bytes', () => {
    expect(aeskey).toHaveLength(43);
    expect(decodeWecomAesKey(aeskey).equals(key)).toBe(true);
    expect(decodeWecomAesKey(`${aeskey}=`).equals(key)).toBe(true);
  });

  it('decrypts what the reference cipher produced, at every padding length', () => {
    for (const size of [0, 1, 15, 16, 31, 32, 33, 63, 64, 1000]) {
      const plain = randomBytes(size);
      const cipher = referenceEncrypt(plain);
      expect(cipher.length % 32).toBe(0);
      expect(decryptWecomMedia(cipher, aeskey).equals(plain), `size ${size}`).toBe(true);
      expect(encryptWecomMedia(plain, aeskey).equals(cipher), `size ${size}`).toBe(true);
    }
  });

  it('streams to the same result, whatever the chunking', async () => {
    const plain = randomBytes(100_003);
    const cipher = encryptWecomMedia(plain, aeskey);
    for (const chunk of [7, 32, 4096, 200_000]) {
      expect((await streamDecrypt(cipher, aeskey, chunk)).equals(plain), `chunk ${chunk}`).toBe(true);
    }
    const exact = randomBytes(64);
    expect((await streamDecrypt(encryptWecomMedia(exact, aeskey), aeskey, 16)).equals(exact)).toBe(true);
  });

  it('refuses padding values outside 1..32 and pad bytes that disagree', () => {
    const body = Buffer.alloc(32, 0x41);
    expect(() =>
      decryptWecomMedia(encryptRaw(Buffer.concat([body, Buffer.alloc(31, 0x41), Buffer.from([0])])), aeskey),
    ).toThrow(/padding value 0/);
    expect(() =>
      decryptWecomMedia(encryptRaw(Buffer.concat([body, Buffer.alloc(31, 0x41), Buffer.from([33])])), aeskey),
    ).toThrow(/padding value 33/);
    const lying = Buffer.concat([body, Buffer.alloc(28, 0x41), Buffer.from([4, 4, 9, 4])]);
    expect(() => decryptWecomMedia(encryptRaw(lying), aeskey)).toThrow(/padding bytes/);
    return expect(streamDecrypt(encryptRaw(lying), aeskey)).rejects.toThrow(/padding bytes/);
  });

  it('a 16-byte block padding (AES default) is not accepted as 32-byte PKCS#7 when bytes disagree', () => {
    // Plain of 20 bytes padded the standard AES way: 12 bytes of 0x0c → valid for 32-byte PKCS#7 too
    // only because all twelve pad bytes agree; a lone 0x0c after other data is rejected.
    const standard = Buffer.concat([Buffer.alloc(20, 1), Buffer.alloc(12, 12)]);
    expect(decryptWecomMedia(encryptRaw(standard), aeskey)).toHaveLength(20);
    const broken = Buffer.concat([Buffer.alloc(20, 1), Buffer.alloc(11, 0), Buffer.from([12])]);
    expect(() => decryptWecomMedia(encryptRaw(broken), aeskey)).toThrow(/padding/);
  });

  it('names a wrong key length and a truncated ciphertext', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => decryptWecomMedia(Buffer.alloc(32), short)).toThrow(/16 bytes, AES-256 needs 32/);
    expect(() => decodeWecomAesKey('not base64 at all!')).toThrow(/not base64/);
    expect(() => decryptWecomMedia(Buffer.alloc(33), aeskey)).toThrow(/multiple of the AES block/);
    expect(() => decryptWecomMedia(Buffer.alloc(0), aeskey)).toThrow(/multiple of the AES block/);
    return expect(streamDecrypt(Buffer.alloc(40), aeskey)).rejects.toThrow(/multiple of the AES block/);
  });

  it('errors carry a code and a fix', () => {
    try {
      decryptWecomMedia(Buffer.alloc(32), randomBytes(24).toString('base64'));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'wecom_media_decrypt', retryable: false });
    }
  });
});
