import { z } from 'zod';

const snowflake = z.string().regex(/^\d{1,20}$/, 'must be a snowflake id (digits)');

/** The fields discord.js reads without checking when it builds a Message from MESSAGE_CREATE. */
const messageCreate = z.object({
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
  MESSAGE_CREATE: messageCreate,
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
  const result = schema.safeParse(payload.d);
  if (result.success) return { ok: true };
  const where = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, problem: `${payload.t} is malformed (${where})` };
}
