import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Lark's event encryption: AES-256-CBC, key = SHA-256(encrypt key), IV = the first 16 bytes of the base64 body. */
export function decryptFeishuEvent(encrypt: string, encryptKey: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const data = Buffer.from(encrypt, 'base64');
  if (data.length < 32 || data.length % 16 !== 0) throw new Error('encrypted body has the wrong length');
  const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
}

/** The inverse, for the fake and tests. */
export function encryptFeishuEvent(plain: string, encryptKey: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

/** X-Lark-Signature: SHA-256 hex of timestamp + nonce + encrypt key + raw body. */
export function feishuSignature(
  timestamp: string,
  nonce: string,
  encryptKey: string,
  rawBody: string,
): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey + rawBody)
    .digest('hex');
}
