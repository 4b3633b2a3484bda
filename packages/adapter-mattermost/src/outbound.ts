import { randomUUID } from 'node:crypto';
import {
  AdapterError,
  type ChatRef,
  type MessageAction,
  type OutboundMessage,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import type { MattermostApi } from './api.js';
import { formatMattermostText } from './format.js';

export interface MattermostOutboundDeps {
  api: MattermostApi;
  pacer: SendPacer;
  botUserId: string;
  replyMode: 'thread' | 'off';
  /** The thread root of a post the adapter saw ('' when the post is a root), if known. */
  rootOf(postId: string): string | undefined;
  /** The bot posted into this thread: later replies there need no mention. */
  onThreadPost(rootId: string): void;
  /** Post props that show these buttons; absent when buttons are off. */
  actionProps?(actions: readonly MessageAction[]): Record<string, unknown>;
}

/** The pacer's queue key: per channel, since Mattermost's limits are per session and order is per channel. */
export function mattermostPacingKey(chat: ChatRef): string {
  return chat.chatId;
}

/**
 * The thread a message goes into: the one asked for, the chat's own, or, with reply mode `thread`, under
 * the message it answers (outside DMs). Mattermost threads hang off a root post only, so an answer to a
 * reply goes under that reply's root.
 */
export function mattermostRootId(
  chat: ChatRef,
  message: Pick<OutboundMessage, 'threadId' | 'replyTo'>,
  deps: Pick<MattermostOutboundDeps, 'replyMode' | 'rootOf'>,
): string | undefined {
  const explicit = message.threadId ?? chat.threadId;
  if (explicit) return explicit;
  if (deps.replyMode !== 'thread' || chat.chatType === 'dm' || !message.replyTo) return undefined;
  const root = deps.rootOf(message.replyTo);
  return root === undefined || root === '' ? message.replyTo : root;
}

function pendingPostId(botUserId: string): string {
  return `${botUserId}:${randomUUID()}`;
}

/**
 * Sends one OutboundMessage: chunks in order through the pacer (per-chat order, Retry-After, retries), each
 * with its own pending_post_id made before the first attempt so a resend cannot post twice; then each
 * media item uploaded and posted; buttons on the last post. Never throws: failures come back as { ok: false }.
 */
export async function sendMattermostMessage(
  deps: MattermostOutboundDeps,
  chat: ChatRef,
  message: OutboundMessage,
): Promise<SendResult> {
  const chunks = message.text ? formatMattermostText(message.text, message.format) : [];
  const media = message.media ?? [];
  if (chunks.length === 0 && media.length === 0) {
    return {
      ok: false,
      error: new AdapterError('bad_request', 'nothing to send: the message has no text and no media', {
        platform: 'mattermost',
      }),
    };
  }
  const key = mattermostPacingKey(chat);
  const rootId = mattermostRootId(chat, message, deps);
  const actions =
    message.actions && message.actions.length > 0 ? deps.actionProps?.(message.actions) : undefined;
  const total = chunks.length + media.length;
  const messageIds: string[] = [];
  let index = 0;
  const post = async (body: { message: string; file_ids?: string[] }) => {
    index += 1;
    const pending = pendingPostId(deps.botUserId);
    const created = await deps.pacer.run(key, () =>
      deps.api.createPost({
        channel_id: chat.chatId,
        message: body.message,
        ...(rootId ? { root_id: rootId } : {}),
        ...(body.file_ids ? { file_ids: body.file_ids } : {}),
        ...(index === total && actions ? { props: actions } : {}),
        pending_post_id: pending,
      }),
    );
    messageIds.push(created.id);
  };
  try {
    for (const chunk of chunks) await post({ message: chunk.rendered });
    for (const item of media) {
      const name = item.name ?? item.path.split(/[\\/]/).pop() ?? 'file';
      const fileId = await deps.pacer.run(key, () =>
        deps.api.uploadFile(chat.chatId, {
          path: item.path,
          name,
          ...(item.mime ? { mime: item.mime } : {}),
        }),
      );
      await post({ message: item.caption ?? '', file_ids: [fileId] });
    }
    if (rootId) deps.onThreadPost(rootId);
    return { ok: true, messageIds };
  } catch (error) {
    const failure = toAdapterError(error, 'mattermost');
    if (messageIds.length > 0) {
      // Part of the message is out: a resend of the whole would repeat it, so this failure is final.
      return {
        ok: false,
        error: new AdapterError(
          failure.code,
          `${failure.message} (after ${messageIds.length} of ${total} post(s) went out)`,
          {
            platform: 'mattermost',
            retryable: false,
            cause: failure,
          },
        ),
      };
    }
    return { ok: false, error: failure };
  }
}

/**
 * Edits a post (PUT /posts/{id}/patch) to `text`. A text over the limit keeps its first chunk in the post
 * and sends the rest as new posts in the same thread, so a streamed reply that grows past 4000 loses nothing.
 */
export async function editMattermostPost(
  deps: MattermostOutboundDeps,
  chat: ChatRef,
  postId: string,
  text: string,
): Promise<SendResult> {
  const [first, ...rest] = formatMattermostText(text);
  if (!first) {
    return {
      ok: false,
      error: new AdapterError('bad_request', 'edit needs some text', { platform: 'mattermost' }),
    };
  }
  try {
    const patched = await deps.pacer.run(mattermostPacingKey(chat), () =>
      deps.api.patchPost(postId, { message: first.rendered }),
    );
    const ids = [postId];
    if (rest.length > 0) {
      const rootId = chat.threadId ?? (patched.root_id || undefined);
      const more = await sendMattermostMessage(deps, rootId ? { ...chat, threadId: rootId } : chat, {
        text: rest.map((chunk) => chunk.markdown).join('\n\n'),
      });
      if (!more.ok) return more;
      ids.push(...more.messageIds);
    }
    return { ok: true, messageIds: ids };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, 'mattermost') };
  }
}
