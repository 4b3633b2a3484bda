import type { InboundMessage } from '@hermes/adapter-core';

export interface SessionKeyOptions {
  groupSessionsPerUser: boolean;
  threadSessionsPerUser: boolean;
  /** The `main` slot of the key; a profile name when one is active. */
  profile?: string;
}

/**
 * The session key exactly as the Python gateway builds it (spec 2.1), so transcripts of an existing
 * installation line up: DMs per chat, groups per user by default, threads shared by default.
 */
export function sessionKeyFor(
  msg: Pick<InboundMessage, 'chat' | 'sender'>,
  options: SessionKeyOptions,
): string {
  const prefix = `agent:${options.profile ?? 'main'}:${msg.chat.platform}`;
  const { chat, sender } = msg;
  const thread = chat.threadId ? `:${chat.threadId}` : '';
  const user = sender.altId || sender.id;
  if (chat.chatType === 'dm') {
    const id = chat.chatId || sender.altId || sender.id || chat.threadId;
    if (!id) return `${prefix}:dm`;
    return chat.chatId ? `${prefix}:dm:${id}${thread}` : `${prefix}:dm:${id}`;
  }
  const inThread = Boolean(chat.threadId);
  const perUser = inThread ? options.threadSessionsPerUser : options.groupSessionsPerUser;
  return `${prefix}:${chat.chatType}:${chat.chatId}${thread}${perUser && user ? `:${user}` : ''}`;
}
