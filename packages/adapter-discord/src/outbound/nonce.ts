import { createHash, randomBytes } from 'node:crypto';

/** Discord refuses a `nonce` longer than this (Create Message: "up to 25 characters"). */
export const DISCORD_NONCE_MAX = 25;

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

/** Printable ASCII without spaces: what goes into a nonce as it is, so its length is the same for Discord. */
const PLAIN = /^[\x21-\x7e]+$/;

/**
 * The nonce of the `index`-th message (0-based) a keyed send creates: the same on every try of the send, in
 * this process or the next, so Discord's `enforce_nonce` answers a repeat with the message the first try
 * created. Distinct per message of a split reply, or Discord would answer parts 2..n with part 1.
 *
 * `${key}.${index}` when that is printable ASCII of at most 25 characters (the host's keys are ≤ 20, which
 * leaves room for 9 999 parts); otherwise the first 25 characters of the base64url SHA-256 of key and index,
 * which is as stable and as distinct. The plain form always has a `.` and the hashed one never does, and
 * `nextMessageNonce()` gives neither a `.` nor 25 characters, so none of the three can meet another.
 */
export function keyedMessageNonce(key: string, index: number): string {
  const plain = `${key}.${index}`;
  if (plain.length <= DISCORD_NONCE_MAX && PLAIN.test(plain)) return plain;
  return createHash('sha256').update(`${key}\u0000${index}`).digest('base64url').slice(0, DISCORD_NONCE_MAX);
}
