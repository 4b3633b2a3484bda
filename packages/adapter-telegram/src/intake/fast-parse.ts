import type { TelegramMessage } from './parse-update.js';

/**
 * A hand-written check for the message most updates carry (text or a caption, in a chat, from a user,
 * maybe with entities), so the common update skips the full schema. It accepts a strict subset of what
 * `telegramMessageSchema` accepts and returns the object it was given (the schema would return a copy
 * with the same fields): anything it is not sure about (a reply, a file, an unexpected type) returns
 * undefined and goes through the schema, which also words the problem of a malformed one.
 */

type Fields = Record<string, unknown>;

/** Fields with a nested schema this check does not cover: any of them present sends the message on. */
const LEFT_TO_SCHEMA = [
  'reply_to_message',
  'quote',
  'photo',
  'document',
  'voice',
  'audio',
  'video',
  'video_note',
  'animation',
  'sticker',
] as const;

const CHAT_TYPES: ReadonlySet<unknown> = new Set(['private', 'group', 'supergroup', 'channel']);

function fields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

function isNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Absent (or undefined, which the schema's `.optional()` takes too), or of the given type. */
function optional(value: unknown, type: 'string' | 'boolean'): boolean {
  return value === undefined || typeof value === type;
}

function optionalSafeInt(value: unknown): boolean {
  return value === undefined || Number.isSafeInteger(value);
}

function isUser(value: unknown): boolean {
  const u = fields(value);
  return (
    u !== undefined &&
    isNumber(u['id']) &&
    optional(u['is_bot'], 'boolean') &&
    optional(u['first_name'], 'string') &&
    optional(u['last_name'], 'string') &&
    optional(u['username'], 'string')
  );
}

function isChat(value: unknown): boolean {
  const c = fields(value);
  return (
    c !== undefined &&
    isNumber(c['id']) &&
    CHAT_TYPES.has(c['type']) &&
    optional(c['title'], 'string') &&
    optional(c['username'], 'string') &&
    optional(c['first_name'], 'string') &&
    optional(c['is_forum'], 'boolean')
  );
}

function isNonNegativeInt(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isEntityList(value: unknown): boolean {
  if (value === undefined) return true;
  if (!Array.isArray(value)) return false;
  for (const item of value) {
    const e = fields(item);
    if (
      e === undefined ||
      typeof e['type'] !== 'string' ||
      !isNonNegativeInt(e['offset']) ||
      !isNonNegativeInt(e['length']) ||
      (e['user'] !== undefined && !isUser(e['user']))
    ) {
      return false;
    }
  }
  return true;
}

/** The message itself when it is of the common shape and valid; undefined when the schema must decide. */
export function fastTelegramMessage(value: unknown): TelegramMessage | undefined {
  const m = fields(value);
  if (m === undefined) return undefined;
  for (const key of LEFT_TO_SCHEMA) if (m[key] !== undefined) return undefined;
  const valid =
    Number.isSafeInteger(m['message_id']) &&
    isNumber(m['date']) &&
    isChat(m['chat']) &&
    (m['from'] === undefined || isUser(m['from'])) &&
    (m['sender_chat'] === undefined || isChat(m['sender_chat'])) &&
    optionalSafeInt(m['message_thread_id']) &&
    optional(m['is_topic_message'], 'boolean') &&
    optional(m['text'], 'string') &&
    optional(m['caption'], 'string') &&
    optional(m['media_group_id'], 'string') &&
    isEntityList(m['entities']) &&
    isEntityList(m['caption_entities']);
  return valid ? (m as TelegramMessage) : undefined;
}
