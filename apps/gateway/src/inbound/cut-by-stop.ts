import type { HostRuntime } from '../host/runtime.js';

/**
 * Turns cut short by a shutdown (SIGTERM, a rolling restart) are not failures of the message: they must not
 * count toward the limit after which a message is given up as poison. The journal counts every turn start;
 * this keeps, per entry, how many of those the shutdowns cut.
 */
const key = (journalId: number) => `turn-cut-by-stop:${journalId}`;

export async function countCutByStop(
  rt: Pick<HostRuntime, 'kv' | 'logger'>,
  journalIds: readonly number[],
): Promise<void> {
  try {
    await Promise.all(
      journalIds.map(async (id) => rt.kv.set(key(id), ((await rt.kv.get<number>(key(id))) ?? 0) + 1)),
    );
  } catch (err) {
    // The message is replayed either way; only its poison count is off by one.
    rt.logger.warn('turn cut by the stop not noted', { error: (err as Error).message });
  }
}

/** Turn starts of this entry that ended in a failure rather than a shutdown. */
export async function failedAttempts(
  rt: Pick<HostRuntime, 'kv'>,
  journalId: number,
  attempts: number,
): Promise<number> {
  const cut = (await rt.kv.get<number>(key(journalId))) ?? 0;
  return Math.max(0, attempts - cut);
}
