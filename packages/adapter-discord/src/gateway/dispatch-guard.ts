import { z } from 'zod';

const SNOWFLAKE = /^\d{1,20}$/;
const snowflake = z.string().regex(SNOWFLAKE, 'must be a snowflake id (digits)');

/** The fields discord.js reads without checking when it builds a Message from MESSAGE_CREATE. */
export const messageCreateSchema = z.object({
  id: snowflake,
  channel_id: snowflake,
  author: z.object({ id: snowflake, username: z.string() }),
  content: z.string().optional(),
  timestamp: z.string(),
  attachments: z.array(z.object({ id: snowflake, filename: z.string(), url: z.string() })).optional(),
  mentions: z.array(z.object({ id: snowflake })).optional(),
  mention_roles: z.array(snowflake).optional(),
});

/** Dispatches whose `d` discord.js reads as an object; everything else it ignores or handles itself. */
const CHECKED: Record<string, z.ZodType> = {
  MESSAGE_CREATE: messageCreateSchema,
  MESSAGE_UPDATE: z.object({ id: snowflake, channel_id: snowflake }),
  THREAD_CREATE: z.object({ id: snowflake, type: z.number() }),
};

export type DispatchCheck = { ok: true } | { ok: false; problem: string };

/**
 * Checks a gateway dispatch before discord.js handles it. discord.js trusts Discord's payloads; a
 * truncated or malformed one (a proxy, a bug, a test) would throw inside its handler or build a Message
 * with holes. Such a dispatch is dropped with a reason the adapter logs.
 */
export function checkDispatch(payload: { t?: unknown; d?: unknown }): DispatchCheck {
  if (typeof payload.t !== 'string') return { ok: false, problem: 'dispatch without an event name (t)' };
  // @discordjs/ws has already acted on RESUMED; discord.js does not read its data.
  if (payload.t === 'RESUMED') return { ok: true };
  if (typeof payload.d !== 'object' || payload.d === null) {
    return { ok: false, problem: `${payload.t} without a data object (d)` };
  }
  const schema = CHECKED[payload.t];
  if (!schema) return { ok: true };
  // Every inbound message passes here: the schema's generic walk cost more than the rest of the check.
  if (payload.t === 'MESSAGE_CREATE' && isWellFormedMessageCreate(payload.d)) return { ok: true };
  const result = schema.safeParse(payload.d);
  if (result.success) return { ok: true };
  const where = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, problem: `${payload.t} is malformed (${where})` };
}

function isSnowflake(value: unknown): boolean {
  return typeof value === 'string' && SNOWFLAKE.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOptionalArrayOf(value: unknown, item: (entry: unknown) => boolean): boolean {
  if (value === undefined) return true;
  if (!Array.isArray(value)) return false;
  for (const entry of value) if (!item(entry)) return false;
  return true;
}

const isAttachment = (a: unknown) =>
  isRecord(a) && isSnowflake(a['id']) && typeof a['filename'] === 'string' && typeof a['url'] === 'string';
const isMention = (m: unknown) => isRecord(m) && isSnowflake(m['id']);

/**
 * The `messageCreate` schema written out by hand, for the common case only: true means the schema
 * accepts the payload. False means "ask the schema", whose verdict and message then count.
 */
export function isWellFormedMessageCreate(d: unknown): boolean {
  if (!isRecord(d)) return false;
  const author = d['author'];
  return (
    isSnowflake(d['id']) &&
    isSnowflake(d['channel_id']) &&
    isRecord(author) &&
    isSnowflake(author['id']) &&
    typeof author['username'] === 'string' &&
    (d['content'] === undefined || typeof d['content'] === 'string') &&
    typeof d['timestamp'] === 'string' &&
    isOptionalArrayOf(d['attachments'], isAttachment) &&
    isOptionalArrayOf(d['mentions'], isMention) &&
    isOptionalArrayOf(d['mention_roles'], isSnowflake)
  );
}
