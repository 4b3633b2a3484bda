import type Database from 'better-sqlite3';

/** How often WAL frames are copied into state.db (a checkpoint), unless the WAL reaches the cap first. */
export const CHECKPOINT_INTERVAL_MS = 1000;
/** WAL pages at which a commit checkpoints by itself (SQLite's own mechanism, default 1000): the cap. */
export const WAL_CAP_PAGES = 10_000;
/** The WAL file is cut back to this size after a checkpoint, so one busy minute does not keep 40 MB on disk. */
const WAL_KEEP_BYTES = 16 * 1024 * 1024;

/**
 * Checkpoints on a timer instead of inside whichever commit crosses 1000 WAL pages. A checkpoint copies
 * every page changed since the last one and fsyncs twice; under load SQLite's default ran one every few
 * dozen requests, inside a request's commit. Once a second, the same hot pages are copied once, and no
 * commit waits for an fsync. Crash safety is unchanged: a commit is durable once it is in the WAL
 * (synchronous = NORMAL), whether or not it has been checkpointed; a crash replays the WAL on open.
 */
export function checkpointOnTimer(db: Database.Database): void {
  db.pragma(`wal_autocheckpoint = ${WAL_CAP_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_KEEP_BYTES}`);
  const timer = setInterval(() => {
    if (!db.open) {
      clearInterval(timer);
      return;
    }
    try {
      // PASSIVE never waits for readers or writers; with nothing new in the WAL it does no I/O.
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or closing: the next tick, or the cap, checkpoints instead.
    }
  }, CHECKPOINT_INTERVAL_MS);
  timer.unref();
}
