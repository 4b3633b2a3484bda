import { z } from 'zod';

/** What @slack/socket-mode emits as `slack_event` for every envelope. */
export interface SlackSocketEvent {
  type: string;
  envelope_id?: string;
  body?: unknown;
  retry_num?: number;
  retry_reason?: string;
  ack(response?: Record<string, unknown>): Promise<void>;
}

const slackTs = z.string().regex(/^\d+\.\d+$/, 'must be a Slack timestamp like 1700000000.000100');

export const slackFileSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    title: z.string().optional(),
    mimetype: z.string().optional(),
    filetype: z.string().optional(),
    subtype: z.string().optional(),
    size: z.number().optional(),
    mode: z.string().optional(),
    url_private: z.string().optional(),
    url_private_download: z.string().optional(),
  })
  .loose();
export type SlackFile = z.output<typeof slackFileSchema>;

/** `message` and `app_mention` share every field the adapter reads. */
export const slackMessageEventSchema = z
  .object({
    type: z.enum(['message', 'app_mention']),
    channel: z.string().min(1),
    ts: slackTs,
    user: z.string().optional(),
    text: z.string().optional(),
    thread_ts: slackTs.optional(),
    channel_type: z.string().optional(),
    subtype: z.string().optional(),
    bot_id: z.string().optional(),
    files: z.array(slackFileSchema).optional(),
    user_profile: z
      .object({
        display_name: z.string().optional(),
        real_name: z.string().optional(),
        name: z.string().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type SlackMessageEvent = z.output<typeof slackMessageEventSchema>;

export const slackEventsApiPayloadSchema = z
  .object({
    event_id: z.string().min(1).optional(),
    team_id: z.string().optional(),
    event: z.object({ type: z.string().min(1) }).loose(),
  })
  .loose();
export type SlackEventsApiPayload = z.output<typeof slackEventsApiPayloadSchema>;

export const slackSlashCommandSchema = z
  .object({
    command: z.string().min(1),
    text: z.string().default(''),
    user_id: z.string().min(1),
    user_name: z.string().optional(),
    channel_id: z.string().min(1),
    channel_name: z.string().optional(),
    trigger_id: z.string().optional(),
  })
  .loose();
export type SlackSlashCommand = z.output<typeof slackSlashCommandSchema>;

/** Envelope types the SDK may see; anything else is dropped before it reaches the SDK (see frame-guard). */
export const SLACK_ENVELOPE_TYPES = new Set([
  'hello',
  'disconnect',
  'events_api',
  'slash_commands',
  'interactive',
]);

/** One line naming what was wrong, for the warning log (never the payload itself: it carries user text). */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
