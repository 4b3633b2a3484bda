import { SIGNAL_GROUP_PREFIX } from './constants.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PHONE_CHARS = /^\+?[\d\s().-]+$/;

/** A Signal service id: an ACI uuid, or `PNI:<uuid>`. */
export function isSignalServiceId(value: string): boolean {
  const bare = value.toUpperCase().startsWith('PNI:') ? value.slice(4) : value;
  return UUID.test(bare);
}

/**
 * The canonical form of a Signal user id as people write it in `SIGNAL_ALLOWED_USERS`: phone numbers
 * become E.164 (`+1 (555) 123-4567`, `0015551234567` and `15551234567` → `+15551234567`), service ids are
 * lower-cased (`PNI:` kept upper-case), `*` stays the wildcard and anything else is only trimmed. The host
 * applies it to both sides, so a sender's uuid matches however the operator spelt it.
 */
export function normalizeSignalUserId(id: string): string {
  const trimmed = id.trim();
  if (trimmed === '*' || trimmed === '') return trimmed;
  if (isSignalServiceId(trimmed)) {
    return trimmed.toUpperCase().startsWith('PNI:')
      ? `PNI:${trimmed.slice(4).toLowerCase()}`
      : trimmed.toLowerCase();
  }
  if (PHONE_CHARS.test(trimmed)) {
    let digits = trimmed.replace(/\D/g, '');
    if (!trimmed.startsWith('+') && digits.startsWith('00')) digits = digits.slice(2);
    if (digits.length >= 7 && digits.length <= 15) return `+${digits}`;
  }
  return trimmed;
}

/** Group ids are compared as Signal sends them; `group:` in the allowlist is optional. */
export function bareGroupId(id: string): string {
  const trimmed = id.trim();
  return trimmed.startsWith(SIGNAL_GROUP_PREFIX) ? trimmed.slice(SIGNAL_GROUP_PREFIX.length) : trimmed;
}
