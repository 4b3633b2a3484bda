import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often WAL frames are copied into state.db (a checkpoint), unless the WAL reaches the cap first. */
export const CHECKPOINT_INTERVAL_MS = 1000;
/** WAL pages at which a commit checkpoints by itself (SQLite's own mechanism, default 1000): the cap. */
export const WAL_CAP_PAGES = 10_000;
/** The WAL file is cut back to this size after a checkpoint, so one busy minute does not keep 40 MB on disk. */
const WAL_KEEP_BYTES = 16 * 1024 * 1024;

/**
 * The checkpointer: its own connection to state.db on a worker thread. A PASSIVE checkpoint from another
 * connection is allowed in WAL mode and never blocks the writer, so the page copies and the two fsyncs of
 * each checkpoint no longer stop the event loop. Evaluated as CommonJS so it runs the same from src and dist.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
// Busy means a writer is mid-checkpoint or closing: skip this tick, never wait.
db.pragma('busy_timeout = 0');
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
});
`;

/**
 * Checkpoints on a timer instead of inside whichever commit crosses 1000 WAL pages. A checkpoint copies
 * every page changed since the last one and fsyncs twice; under load SQLite's default ran one every few
 * dozen requests, inside a request's commit. Once a second, the same hot pages are copied once, on a
 * worker thread, and no commit waits for an fsync. Crash safety is unchanged: a commit is durable once it
 * is in the WAL (synchronous = NORMAL), whether or not it has been checkpointed; a crash replays the WAL.
 * The worker starts on the first tick, so short-lived commands (`hermes status`) never start one.
 */
export function checkpointOnTimer(db: Database.Database, path: string): void {
  db.pragma(`wal_autocheckpoint = ${WAL_CAP_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_KEEP_BYTES}`);
  let worker: Worker | undefined;
  // Set when the worker could not open state.db: the timer then checkpoints on this thread, as it used to.
  let onThisThread = false;
  const timer = setInterval(() => {
    if (!db.open) {
      clearInterval(timer);
      worker?.postMessage('close');
      return;
    }
    if (onThisThread) {
      checkpointPassive(db);
      return;
    }
    worker ??= startCheckpointer(path, () => {
      onThisThread = true;
    });
    worker.postMessage('checkpoint');
  }, CHECKPOINT_INTERVAL_MS);
  timer.unref();
}

function startCheckpointer(path: string, onFailure: () => void): Worker {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { driver, path } });
  worker.unref();
  worker.on('error', onFailure);
  return worker;
}

function checkpointPassive(db: Database.Database): void {
  try {
    // PASSIVE never waits for readers or writers; with nothing new in the WAL it does no I/O.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next tick, or the cap, checkpoints instead.
  }
}
