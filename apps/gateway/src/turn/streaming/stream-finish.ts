import type { ChatRef, OutboundMessage, PlatformAdapter, SendResult } from '@hermes/adapter-core';
import type { StreamOutcome } from './reply-streamer.js';

/** How the final reply reuses what was streamed: the text the outbox records, and who writes chunk one. */
export interface FinalPlan {
  /** The part of the reply not already shown, finished, in frozen messages. */
  reply: string;
  /** Delivers the first chunk by finishing the streamed message instead of sending a new one. */
  reuseFirst?: (message: OutboundMessage) => Promise<SendResult>;
  /** Only the first message of a reply answers the user's message. */
  replyTo: boolean;
  /** The streamed message the first chunk finishes, recorded with the outbox row for crash recovery. */
  streamedMessageId?: string;
}

/** The kv key under which a reply's first outbox row names the streamed message it finishes. */
export function streamedReplyKey(outboxId: number): string {
  return `streamed-reply:${outboxId}`;
}

export const INTERRUPTED_MARK = '⚡ Interrupted';

/** The kv key naming the message a turn of this journal entry is streaming into, until the turn ends. */
export function openStreamKey(journalId: number): string {
  return `stream-open:${journalId}`;
}

/** What `openStreamKey` holds. */
export interface OpenStream {
  chat: ChatRef;
  messageId: string;
  text: string;
}

export const RESTART_MARK = '⚡ Interrupted by a restart; the answer follows in a new message.';

/** The whole reply as the user should end up seeing it, with the mark of an interrupt or error. */
export function streamedReplyText(
  outcome: Exclude<StreamOutcome, { kind: 'none' }>,
  o: { finalText: string; interrupted: boolean; errorText: string },
): string {
  if (o.interrupted) return `${outcome.text.trimEnd()}\n\n${INTERRUPTED_MARK}`;
  const body = o.finalText || outcome.text;
  return o.errorText ? `${body.trimEnd()}\n\n${o.errorText}` : body;
}

export function finalPlan(
  outcome: Exclude<StreamOutcome, { kind: 'none' }>,
  reply: string,
  adapter: PlatformAdapter,
  chat: ChatRef,
  note: string | undefined,
): FinalPlan {
  if (outcome.kind === 'native') {
    const stream = outcome.stream;
    return {
      reply,
      replyTo: false,
      reuseFirst: (m) => (note ? stream.abort(note) : stream.finish(m.text ?? '')),
    };
  }
  // The frozen messages already hold their part of the reply; only the rest is delivered.
  const keepsFrozen = outcome.frozenText !== '' && reply.startsWith(outcome.frozenText);
  const rest = keepsFrozen ? reply.slice(outcome.frozenText.length).trimStart() : reply;
  const liveId = outcome.liveId;
  const edit = adapter.edit?.bind(adapter);
  const plan: FinalPlan = { reply: rest, replyTo: outcome.frozenIds.length === 0 && !liveId };
  if (liveId) plan.streamedMessageId = liveId;
  if (liveId && edit)
    plan.reuseFirst = async (m) =>
      m.text === outcome.shown ? { ok: true, messageIds: [liveId] } : edit(chat, liveId, m.text ?? '');
  return plan;
}

/** The turn ends without a reply (a newer message took over, or the gateway stops): mark what is shown. */
export async function markAbandoned(
  outcome: StreamOutcome,
  adapter: PlatformAdapter,
  chat: ChatRef,
  note: string,
): Promise<void> {
  if (outcome.kind === 'none') return;
  if (outcome.kind === 'native') {
    await outcome.stream.abort(note);
    return;
  }
  const rest = outcome.text.slice(outcome.frozenText.length).trimEnd();
  if (outcome.liveId && adapter.edit) await adapter.edit(chat, outcome.liveId, `${rest}\n\n${note}`);
  else
    await adapter.send(chat, {
      text: rest ? `${rest}\n\n${note}` : note,
      ...(chat.threadId ? { threadId: chat.threadId } : {}),
    });
}
