import { AdapterError, type ChatRef, type InboundAction, type MessageAction } from '@hermes/adapter-core';
import { z } from 'zod';
import { SLACK_PLATFORM } from './constants.js';
import { slackChatType } from './inbound.js';

/** Block Kit limits: a section's text, a button's label, an action_id / value. */
export const SLACK_SECTION_TEXT_LIMIT = 3_000;
const BUTTON_LABEL_LIMIT = 75;
const ACTION_ID_LIMIT = 255;
/** Marks the actions block the adapter owns, so a press on anything else is ignored. */
export const SLACK_ACTIONS_BLOCK_ID = 'hermes_actions';

export type SlackBlock = Record<string, unknown>;

/** Checks the ids before anything is posted: Slack would refuse the whole message with invalid_blocks. */
export function checkSlackActions(actions: readonly MessageAction[]): AdapterError | undefined {
  if (actions.length > 25)
    return new AdapterError(
      'bad_request',
      `Slack shows at most 25 buttons in one block (${actions.length} given)`,
      {
        platform: SLACK_PLATFORM,
        retryable: false,
        fix: 'send fewer actions',
      },
    );
  const seen = new Set<string>();
  for (const action of actions) {
    if (action.id === '' || action.id.length > ACTION_ID_LIMIT)
      return new AdapterError('bad_request', `button id must be 1..${ACTION_ID_LIMIT} characters for Slack`, {
        platform: SLACK_PLATFORM,
        retryable: false,
        fix: 'use a shorter MessageAction.id',
      });
    if (seen.has(action.id))
      return new AdapterError(
        'bad_request',
        `button id "${action.id}" appears twice; Slack needs unique ids`,
        {
          platform: SLACK_PLATFORM,
          retryable: false,
          fix: 'give every MessageAction its own id',
        },
      );
    seen.add(action.id);
  }
  return undefined;
}

function sectionOf(text: string, format: 'markdown' | 'plain'): SlackBlock {
  return { type: 'section', text: { type: format === 'plain' ? 'plain_text' : 'mrkdwn', text } };
}

/** The last chunk as blocks: its text in a section (the `text` field stays as the fallback), then the buttons. */
export function slackActionBlocks(
  rendered: string,
  format: 'markdown' | 'plain',
  actions: readonly MessageAction[],
): SlackBlock[] {
  const elements = actions.map((action) => {
    const label = action.label.trim() || action.id;
    const button: SlackBlock = {
      type: 'button',
      action_id: action.id,
      value: action.id,
      text: { type: 'plain_text', text: label.slice(0, BUTTON_LABEL_LIMIT), emoji: true },
    };
    if (action.style) button['style'] = action.style;
    return button;
  });
  return [sectionOf(rendered, format), { type: 'actions', block_id: SLACK_ACTIONS_BLOCK_ID, elements }];
}

/** The message after a press was settled: the same text, the buttons replaced by the outcome line. */
export function slackSettledBlocks(rendered: string | undefined, outcome: string): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  if (rendered !== undefined && rendered !== '') blocks.push(sectionOf(rendered, 'markdown'));
  blocks.push({
    type: 'context',
    elements: [{ type: 'plain_text', text: outcome.slice(0, 2_000), emoji: true }],
  });
  return blocks;
}

const blockActionsSchema = z
  .object({
    type: z.literal('block_actions'),
    trigger_id: z.string().optional(),
    user: z
      .object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() })
      .loose(),
    channel: z
      .object({ id: z.string().min(1) })
      .loose()
      .optional(),
    container: z
      .object({
        message_ts: z.string().optional(),
        channel_id: z.string().optional(),
        thread_ts: z.string().optional(),
      })
      .loose()
      .optional(),
    message: z.object({ ts: z.string().optional(), thread_ts: z.string().optional() }).loose().optional(),
    actions: z
      .array(
        z
          .object({
            action_id: z.string().min(1),
            block_id: z.string().optional(),
            action_ts: z.string().optional(),
          })
          .loose(),
      )
      .min(1),
  })
  .loose();

export type SlackActionParse =
  | { kind: 'action'; action: InboundAction; dedupeKey: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'malformed'; reason: string };

/** Turns a `block_actions` interactive payload into the press the host gets (the first action of it). */
export function parseSlackBlockAction(body: unknown, envelopeId: string | undefined): SlackActionParse {
  const type = (body as { type?: unknown } | null)?.type;
  if (type !== 'block_actions')
    return { kind: 'skip', reason: `interactive payload of type ${String(type)}` };
  const parsed = blockActionsSchema.safeParse(body);
  if (!parsed.success)
    return {
      kind: 'malformed',
      reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  const p = parsed.data;
  const pressed = p.actions[0]!;
  if (pressed.block_id !== undefined && pressed.block_id !== SLACK_ACTIONS_BLOCK_ID)
    return { kind: 'skip', reason: 'a press on a block the adapter did not send' };
  const channel = p.channel?.id ?? p.container?.channel_id;
  const messageTs = p.container?.message_ts ?? p.message?.ts;
  if (!channel || !messageTs) return { kind: 'malformed', reason: 'no channel or message ts' };
  // trigger_id is the same in every redelivered copy of the envelope; the envelope id is not.
  const id = p.trigger_id ?? `${channel}:${messageTs}:${pressed.action_ts ?? envelopeId ?? ''}`;
  const chat: ChatRef = {
    platform: SLACK_PLATFORM,
    chatId: channel,
    chatType: slackChatType(channel, undefined),
  };
  const threadTs = p.container?.thread_ts ?? p.message?.thread_ts;
  if (threadTs !== undefined && threadTs !== messageTs) chat.threadId = threadTs;
  const sender: InboundAction['sender'] = { id: p.user.id, isBot: false };
  const name = p.user.name ?? p.user.username;
  if (name) sender.name = name;
  return {
    kind: 'action',
    dedupeKey: `action:${id}`,
    action: {
      id,
      chat,
      sender,
      messageId: messageTs,
      actionId: pressed.action_id,
      receivedAt: new Date(),
      raw: body,
    },
  };
}
