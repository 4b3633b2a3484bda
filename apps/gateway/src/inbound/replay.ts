import { toAdapterError } from '@hermes/adapter-core';
import type { JournalEntry } from '../state/inbound-journal.js';
import { type OpenStream, openStreamKey, RESTART_MARK } from '../turn/streaming/stream-finish.js';
import { failedAttempts } from './cut-by-stop.js';
import { decodeInbound, type ReplayedInbound } from './inbound-codec.js';
import { type IntakeDeps, processInbound } from './intake.js';

/** Turns started for one message before it counts as poison and is given up. */
const MAX_TURN_ATTEMPTS = 3;

/**
 * After an unclean stop or a takeover: every acknowledged message that was never answered runs again, once.
 * The entries are read by the caller before a taken-over connection starts journaling new ones.
 */
export async function replayEntries(rt: IntakeDeps, open: readonly JournalEntry[]): Promise<number> {
  for (const entry of open) await replayEntry(rt, entry);
  return open.length;
}

/**
 * One journalled message after an unclean stop. Idempotent: what its interrupted turn wrote to the
 * transcript is removed first, so the replay does not store the user message twice. A message whose
 * client was waiting on a request is not replayed (nobody is waiting now), and one that already
 * started MAX_TURN_ATTEMPTS turns is given up as a poison message instead of failing on every start.
 */
export async function replayEntry(rt: IntakeDeps, entry: JournalEntry): Promise<void> {
  const { logger } = rt;
  if (entry.turnStart) await rt.sessions.truncateFrom(entry.turnStart.sessionId, entry.turnStart.messageId);
  await markStreamCutByRestart(rt, entry.id);
  let replayed: ReplayedInbound;
  try {
    replayed = decodeInbound(entry.payload);
  } catch (err) {
    logger.error('journalled message unreadable; dropped', { id: entry.id, error: (err as Error).message });
    await rt.journal.finish([entry.id], 'failed');
    return;
  }
  if (replayed.requestReply) {
    logger.info('request from before the restart not replayed: its client is gone', {
      platform: entry.platform,
    });
    await rt.journal.finish([entry.id], 'abandoned');
    return;
  }
  if ((await failedAttempts(rt, entry.id, entry.attempts)) >= MAX_TURN_ATTEMPTS) {
    logger.error('message given up after repeated failed turns (poison message)', {
      platform: entry.platform,
      attempts: entry.attempts,
    });
    await rt.journal.finish([entry.id], 'failed');
    await rt.deliverer
      .deliverText(
        replayed.msg.chat,
        `⚠️ I could not answer this message after ${entry.attempts} attempts and gave up on it. Please send it again or rephrase it.`,
        { replyTo: replayed.msg.id },
      )
      .catch(() => undefined);
    return;
  }
  await processInbound(rt, replayed.msg, [entry.id]).catch((err: unknown) => {
    logger.error('replayed message failed', { id: entry.id, error: (err as Error).message });
  });
}

/** A reply that was streaming when the process died stays visible: it is marked, not left dangling. */
async function markStreamCutByRestart(rt: IntakeDeps, journalId: number): Promise<void> {
  const key = openStreamKey(journalId);
  const open = await rt.kv.get<OpenStream>(key);
  if (!open) return;
  await rt.kv.delete(key);
  const adapter = rt.adapterFor(open.chat.platform);
  const result = await adapter
    ?.edit?.(open.chat, open.messageId, `${open.text.trimEnd()}\n\n${RESTART_MARK}`)
    .catch((err: unknown) => ({ ok: false as const, error: toAdapterError(err, open.chat.platform) }));
  if (result && !result.ok)
    rt.logger.warn('reply cut by the restart not marked', {
      platform: open.chat.platform,
      code: result.error.code,
    });
}
