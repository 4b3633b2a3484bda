import { randomBytes } from 'node:crypto';

/**
 * Nonces for message creates. Discord only needs them distinct per bot within a few minutes (and at most
 * 25 characters): a random prefix per process plus a counter gives that without reading the system's
 * random source for every message.
 */
const prefix = randomBytes(9).toString('base64url');
let counter = 0;

/** A nonce not given out before by this process: 12 random characters, then a base-36 counter (≤ 23 in all). */
export function nextMessageNonce(): string {
  counter += 1;
  return `${prefix}${counter.toString(36)}`;
}
