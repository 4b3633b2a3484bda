import type { ChatRef, OutboundMessage } from '@hermes/adapter-core';
import type { HostRuntime } from '../host/runtime.js';
import type { OutboxEntry } from '../state/outbox.js';
import { streamedReplyKey } from '../turn/streaming/stream-finish.js';

/** What re-sending replies after a crash needs from the host. */
export type ReplyRecoveryDeps = Pick<HostRuntime, 'adapterFor' | 'deliverer' | 'kv' | 'outbox'>;

/**
 * After an unclean stop or a takeover: every reply recorded but not sent goes out once, a turn's chunks
 * together. The rows are read by the caller before a taken-over connection starts making new ones.
 */
export async function recoverReplies(
  rt: ReplyRecoveryDeps,
  pending: readonly OutboxEntry[],
  label = '♻️ Recovered reply (the gateway restarted before sending it):',
): Promise<number> {
  const byTurn = new Map<string, number[]>();
  for (const e of pending) {
    const k = `${e.turnRef ?? 'none'}:${e.chat.platform}:${e.chat.chatId}`;
    byTurn.set(k, [...(byTurn.get(k) ?? []), e.id]);
  }
  for (const ids of byTurn.values()) await recoverReply(rt, ids, label);
  return pending.length;
}

/**
 * A reply recorded but not sent before an unclean stop, labelled as recovered. When its turn had been
 * streaming, the streamed message is edited into the reply (so the user does not see it twice) and
 * only a failed edit falls back to a new message.
 */
async function recoverReply(rt: ReplyRecoveryDeps, ids: number[], label: string): Promise<void> {
  const key = ids[0] === undefined ? undefined : streamedReplyKey(ids[0]);
  const streamed = key ? await rt.kv.get<{ chat: ChatRef; messageId: string }>(key) : undefined;
  const adapter = streamed ? rt.adapterFor(streamed.chat.platform) : undefined;
  const edit = adapter?.edit?.bind(adapter);
  const reuse =
    streamed && edit
      ? (message: OutboundMessage) => edit(streamed.chat, streamed.messageId, message.text ?? '')
      : undefined;
  await rt.deliverer.sendEntries(ids, label, reuse);
  if (key && streamed) await rt.kv.delete(key);
}
