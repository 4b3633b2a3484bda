import { z } from 'zod';
import { fastTelegramMessage } from './fast-parse.js';

/**
 * The parts of a Bot API update the adapter reads, checked before use: Telegram is trusted, but a proxy,
 * a self-hosted server or a fake can hand over anything, and one bad update must not stop the others.
 * Unknown fields pass through untouched (they stay in `raw`).
 */
const user = z.looseObject({
  id: z.number(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

const chat = z.looseObject({
  id: z.number(),
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  is_forum: z.boolean().optional(),
});

const entity = z.looseObject({
  type: z.string(),
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
  user: user.optional(),
});

const file = z.looseObject({
  file_id: z.string().min(1),
  file_unique_id: z.string().optional(),
  file_size: z.number().optional(),
  mime_type: z.string().optional(),
  file_name: z.string().optional(),
});

const photoSize = file.extend({ width: z.number(), height: z.number() });

const messageCore = {
  message_id: z.number().int(),
  date: z.number(),
  chat,
  from: user.optional(),
  sender_chat: chat.optional(),
  message_thread_id: z.number().int().optional(),
  is_topic_message: z.boolean().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(entity).optional(),
  caption_entities: z.array(entity).optional(),
  media_group_id: z.string().optional(),
  photo: z.array(photoSize).optional(),
  document: file.optional(),
  voice: file.optional(),
  audio: file.optional(),
  video: file.optional(),
  video_note: file.optional(),
  animation: file.optional(),
  sticker: file.extend({ emoji: z.string().optional() }).optional(),
  forum_topic_created: z.unknown().optional(),
  quote: z.looseObject({ text: z.string() }).optional(),
};

/** A replied-to message: same shape, one level deep (Telegram never nests further). */
const repliedMessage = z.looseObject(messageCore);

export const telegramMessageSchema = z.looseObject({
  ...messageCore,
  reply_to_message: repliedMessage.optional(),
});

/**
 * A button press. `message` is the message that carries the keyboard (absent for inline-mode messages,
 * and only id, date and chat for one too old to be accessible).
 */
export const telegramCallbackQuerySchema = z.looseObject({
  id: z.string().min(1),
  from: user,
  message: z
    .looseObject({
      message_id: z.number().int(),
      date: z.number(),
      chat,
      message_thread_id: z.number().int().optional(),
      is_topic_message: z.boolean().optional(),
    })
    .optional(),
  data: z.string().optional(),
});

export type TelegramMessage = z.output<typeof telegramMessageSchema>;
export type TelegramCallbackQuery = z.output<typeof telegramCallbackQuerySchema>;
export type TelegramUser = z.output<typeof user>;
export type TelegramRepliedMessage = z.output<typeof repliedMessage>;
export type TelegramEntity = z.output<typeof entity>;
export type TelegramFile = z.output<typeof file>;

export type ParsedUpdate =
  | { kind: 'message'; updateId: number; message: TelegramMessage }
  | { kind: 'callback'; updateId: number; query: TelegramCallbackQuery }
  /** A well-formed update of a type the adapter does not handle (edits, callbacks, ...). */
  | { kind: 'other'; updateId: number; type: string }
  | { kind: 'malformed'; updateId?: number; problem: string };

/** Validates one raw update and says what it is. Never throws. */
export function parseTelegramUpdate(raw: unknown): ParsedUpdate {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      kind: 'malformed',
      problem: `an update must be an object, got ${raw === null ? 'null' : typeof raw}`,
    };
  }
  const update = raw as Record<string, unknown>;
  const id = update['update_id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return { kind: 'malformed', problem: 'update_id is missing or not a whole number' };
  }
  if (update['callback_query'] !== undefined) {
    const parsed = telegramCallbackQuerySchema.safeParse(update['callback_query']);
    if (!parsed.success) {
      const problem = parsed.error.issues
        .slice(0, 3)
        .map((i) => `callback_query.${i.path.join('.')}: ${i.message}`)
        .join('; ');
      return { kind: 'malformed', updateId: id, problem };
    }
    return { kind: 'callback', updateId: id, query: parsed.data };
  }
  if (update['message'] === undefined) {
    const type = Object.keys(update).find((k) => k !== 'update_id');
    return type === undefined
      ? { kind: 'malformed', updateId: id, problem: 'the update carries nothing besides update_id' }
      : { kind: 'other', updateId: id, type };
  }
  const common = fastTelegramMessage(update['message']);
  if (common !== undefined) return { kind: 'message', updateId: id, message: common };
  const parsed = telegramMessageSchema.safeParse(update['message']);
  if (!parsed.success) {
    const problem = parsed.error.issues
      .slice(0, 3)
      .map((i) => `message.${i.path.join('.')}: ${i.message}`)
      .join('; ');
    return { kind: 'malformed', updateId: id, problem };
  }
  return { kind: 'message', updateId: id, message: parsed.data };
}
