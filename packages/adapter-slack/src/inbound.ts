import type { Attachment, ChatRef, ChatType, InboundMessage, MediaKind } from '@hermes/adapter-core';
import { mediaKindForMime } from '@hermes/adapter-core';
import { SLACK_PLATFORM } from './constants.js';
import type { SlackFile, SlackMessageEvent, SlackSlashCommand } from './envelope.js';
import { cleanSlackText, threadCommandAlias } from './inbound-text.js';
import type { SlackThreadParticipation } from './participation.js';

/** Subtypes that are a person writing something; the rest (edits, joins, topic changes…) is not a message. */
const USER_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

export interface SlackIdentity {
  userId: string;
  botId?: string;
  teamId?: string;
}

export interface SlackInboundRules {
  requireMention: boolean;
  freeResponseChannels: ReadonlySet<string>;
  replyInThread: boolean;
  slashCommand: string;
}

export type SlackSkipReason =
  | 'own-message'
  | 'other-bot'
  | 'subtype'
  | 'no-mention'
  | 'empty'
  | 'other-command';

export type SlackInboundDecision =
  | { kind: 'deliver'; message: InboundMessage }
  | { kind: 'skip'; reason: SlackSkipReason; detail?: string };

export interface SlackInboundDeps {
  identity: SlackIdentity;
  rules: SlackInboundRules;
  participation: SlackThreadParticipation;
  /** Lazy download of a file; only called when the host asks for it. */
  fetchFile(file: SlackFile): Promise<string>;
}

export function slackChatType(channel: string, channelType: string | undefined): ChatType {
  if (channelType === 'im' || (channelType === undefined && channel.startsWith('D'))) return 'dm';
  if (channelType === 'mpim') return 'group';
  return 'channel';
}

function fileKind(file: SlackFile): MediaKind {
  // Voice clips recorded in the Slack client.
  if (file.subtype === 'slack_audio') return 'voice';
  return mediaKindForMime(file.mimetype ?? 'application/octet-stream');
}

function attachmentsOf(event: SlackMessageEvent, deps: SlackInboundDeps): Attachment[] {
  const out: Attachment[] = [];
  for (const file of event.files ?? []) {
    // Tombstoned or over-the-plan-limit files carry no URL: nothing to fetch.
    if (!file.url_private_download && !file.url_private) continue;
    const attachment: Attachment = { kind: fileKind(file), fetch: () => deps.fetchFile(file) };
    if (file.mimetype) attachment.mime = file.mimetype;
    if (file.name ?? file.title) attachment.name = (file.name ?? file.title)!;
    if (file.size !== undefined) attachment.size = file.size;
    out.push(attachment);
  }
  return out;
}

/**
 * Decides what one `message` / `app_mention` event means for the host: a message to deliver, or a reason
 * to stay quiet. Marks the thread as one the bot takes part in when the bot is mentioned there.
 */
export function decideSlackMessage(
  event: SlackMessageEvent,
  raw: unknown,
  deps: SlackInboundDeps,
): SlackInboundDecision {
  const { identity, rules, participation } = deps;
  if (event.user !== undefined && event.user === identity.userId)
    return { kind: 'skip', reason: 'own-message' };
  if (event.bot_id !== undefined && event.bot_id === identity.botId)
    return { kind: 'skip', reason: 'own-message' };
  if (event.bot_id !== undefined || event.subtype === 'bot_message')
    return { kind: 'skip', reason: 'other-bot' };
  if (!USER_SUBTYPES.has(event.subtype)) return { kind: 'skip', reason: 'subtype', detail: event.subtype };
  if (event.user === undefined) return { kind: 'skip', reason: 'subtype', detail: 'no user' };

  const chatType = slackChatType(event.channel, event.channel_type);
  const cleaned = cleanSlackText(event.text ?? '', identity.userId);
  const mentionsBot = cleaned.mentionsBot || event.type === 'app_mention';
  // thread_ts equal to ts marks the parent of a thread, which is not itself inside the thread.
  const inThread = event.thread_ts !== undefined && event.thread_ts !== event.ts;
  const threadTs = inThread
    ? event.thread_ts
    : chatType !== 'dm' && rules.replyInThread
      ? event.ts
      : event.thread_ts;

  if (chatType !== 'dm') {
    const participating = inThread && participation.has(event.channel, event.thread_ts!);
    const free = rules.freeResponseChannels.has(event.channel);
    if (rules.requireMention && !mentionsBot && !free && !participating)
      return { kind: 'skip', reason: 'no-mention' };
    if (mentionsBot && threadTs !== undefined) participation.mark(event.channel, threadTs);
  }

  const attachments = attachmentsOf(event, deps);
  const text = inThread ? threadCommandAlias(cleaned.text) : cleaned.text;
  if (text === '' && attachments.length === 0) return { kind: 'skip', reason: 'empty' };

  const chat: ChatRef = { platform: SLACK_PLATFORM, chatId: event.channel, chatType };
  if (threadTs !== undefined) chat.threadId = threadTs;
  const sender: InboundMessage['sender'] = { id: event.user, isBot: false };
  const name = event.user_profile?.display_name || event.user_profile?.real_name || event.user_profile?.name;
  if (name) sender.name = name;
  const message: InboundMessage = {
    id: event.ts,
    chat,
    sender,
    text,
    mentionsBot,
    attachments,
    receivedAt: new Date(),
    raw,
  };
  if (inThread) message.replyTo = { id: event.thread_ts! };
  return { kind: 'deliver', message };
}

/** `/hermes status now` becomes the text `/status now`, addressed to the bot. */
export function decideSlackSlashCommand(
  command: SlackSlashCommand,
  raw: unknown,
  envelopeId: string,
  deps: Pick<SlackInboundDeps, 'rules'>,
): SlackInboundDecision {
  if (command.command !== deps.rules.slashCommand) {
    return { kind: 'skip', reason: 'other-command', detail: command.command };
  }
  const args = command.text.trim();
  const text = args === '' ? '/help' : `/${args.replace(/^\//, '')}`;
  const sender: InboundMessage['sender'] = { id: command.user_id, isBot: false };
  if (command.user_name) sender.name = command.user_name;
  const chat: ChatRef = {
    platform: SLACK_PLATFORM,
    chatId: command.channel_id,
    chatType: slackChatType(command.channel_id, undefined),
  };
  if (command.channel_name) chat.chatName = command.channel_name;
  return {
    kind: 'deliver',
    message: {
      id: `slash:${command.trigger_id ?? envelopeId}`,
      chat,
      sender,
      text,
      mentionsBot: true,
      attachments: [],
      receivedAt: new Date(),
      raw,
    },
  };
}
