import { closeSync, mkdirSync, open, writeSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Logger, readFileIfExists, setFileAside, writeFileAtomic } from '@hermes/adapter-core';

/** What survives a restart of the adapter. */
export interface TelegramUpdateState {
  /**
   * The next update_id to ask getUpdates for. Every update below it was handed to the host, dropped on
   * purpose (filtered, duplicate, malformed) or is listed in `held`.
   */
  offset: number;
  /** Raw updates still waiting in an album or a text batch (or refused by the host): replayed on start. */
  held: unknown[];
  /** Recently seen update ids, as DedupeCache.export() gives them (webhook redeliveries). */
  seen: Array<[string, number]>;
}

const VERSION = 1;

function emptyState(): TelegramUpdateState {
  return { offset: 0, held: [], seen: [] };
}

function isSeen(value: unknown): value is Array<[string, number]> {
  return (
    Array.isArray(value) &&
    value.every((e) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number')
  );
}

interface NextWrite {
  snapshot: () => TelegramUpdateState;
  done: Promise<TelegramUpdateState>;
  resolve(state: TelegramUpdateState): void;
  reject(error: unknown): void;
}

/**
 * One JSON file per bot. Writes are atomic (temp file + rename), so the state on disk is always a complete
 * earlier or later version, and it is written before the next getUpdates call can confirm anything to
 * Telegram. A bot uses one way of writing for its whole run: `save` (webhook mode, where the write must
 * land before Telegram gets its answer) or `saveSoon` (polling), never both, because two writers would
 * share the temp file.
 */
export class UpdateStateFile {
  readonly path: string;
  readonly #logger: Logger;
  #writing: Promise<unknown> | undefined;
  #next: NextWrite | undefined;
  #folderReady = false;
  /** An empty temp file created ahead of the next write (its descriptor), off the event loop. */
  #spare: Promise<number> | undefined;

  constructor(path: string, logger: Logger) {
    this.path = path;
    this.#logger = logger;
  }

  /** The saved state; a missing file is a fresh start, an unreadable one is set aside and reported. */
  load(): TelegramUpdateState {
    const text = readFileIfExists(this.path);
    if (text === undefined) return emptyState();
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const offset = parsed['offset'];
      if (parsed['version'] !== VERSION || typeof offset !== 'number' || !Number.isInteger(offset)) {
        throw new Error('unexpected layout');
      }
      return {
        offset,
        held: Array.isArray(parsed['held']) ? parsed['held'] : [],
        seen: isSeen(parsed['seen']) ? parsed['seen'] : [],
      };
    } catch (error) {
      const aside = setFileAside(this.path);
      this.#logger.error("Telegram update state file was unreadable; starting from Telegram's own offset", {
        file: this.path,
        movedTo: aside,
        error: (error as Error).message,
      });
      return emptyState();
    }
  }

  save(state: TelegramUpdateState): void {
    writeFileAtomic(this.path, serialise(state));
  }

  /**
   * The rename that makes a write atomic costs a filesystem flush (ext4 flushes a file renamed over
   * another), which held every reply back when done inline: here the small temp file is written inline
   * (cheap: a new file) and the rename runs off the event loop. Core's writeFileAtomicAsync would take
   * five thread-pool round trips (mkdir, open, write, close, rename) per batch; the folder is made once.
   * One write at a time; calls made before it starts share it, and `snapshot` is read when the write
   * starts, so the file never goes back to an older state. Resolves with the state on disk.
   */
  saveSoon(snapshot: () => TelegramUpdateState): Promise<TelegramUpdateState> {
    if (this.#next) {
      this.#next.snapshot = snapshot;
      return this.#next.done;
    }
    let resolve!: (state: TelegramUpdateState) => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<TelegramUpdateState>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    const next: NextWrite = { snapshot, done, resolve, reject };
    this.#next = next;
    const start = (): Promise<void> => {
      this.#next = undefined;
      let state: TelegramUpdateState;
      try {
        state = next.snapshot();
      } catch (error) {
        next.reject(error);
        return Promise.resolve();
      }
      const spare = this.#spare ?? this.#openSpare();
      this.#spare = undefined;
      return spare
        .then((fd) => {
          try {
            writeWhole(fd, Buffer.from(serialise(state), 'utf8'));
          } finally {
            closeSync(fd);
          }
          return rename(this.#tempPath, this.path);
        })
        .then(
          () => {
            next.resolve(state);
            this.#spare = this.#openSpare();
          },
          (error: unknown) => next.reject(error),
        );
    };
    // A write starts on the next turn of the event loop at the earliest, so the replies the host queued
    // while this batch was handed over leave first; the next poll waits for the write anyway.
    const after = this.#writing ?? new Promise<void>((resolve) => setImmediate(resolve));
    const writing = after.then(start).finally(() => {
      if (this.#writing === writing) this.#writing = undefined;
    });
    this.#writing = writing;
    return done;
  }

  /** Not core's temp name: `save` and `saveSoon` never share a temp file. */
  get #tempPath(): string {
    return `${this.path}.${process.pid}.soon.tmp`;
  }

  /**
   * Creates the next temp file on the thread pool while the bot works: creating a file costs a journal
   * update that waited a millisecond or more on a busy disk when it was done inline before each write.
   * The same folder and file modes as core's writeFileAtomic.
   */
  #openSpare(): Promise<number> {
    const spare = new Promise<number>((resolve, reject) => {
      if (!this.#folderReady) {
        try {
          mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
        } catch (error) {
          reject(error);
          return;
        }
        this.#folderReady = true;
      }
      open(this.#tempPath, 'w', 0o600, (error, fd) => (error ? reject(error) : resolve(fd)));
    });
    // Observed here so a failed open is not an unhandled rejection; the write that takes it reports it.
    spare.catch(() => undefined);
    return spare;
  }

  /** Resolves once no write is running or queued. */
  async settled(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /** Waits for the writes, then removes the temp file made ahead of the next one. */
  async close(): Promise<void> {
    await this.settled();
    const spare = this.#spare;
    this.#spare = undefined;
    if (!spare) return;
    const fd = await spare.catch(() => undefined);
    if (fd === undefined) return;
    closeSync(fd);
    await unlink(this.#tempPath).catch(() => undefined);
  }
}

/** A write to a regular file may stop short (a full disk says so only on the next call): loop until done. */
function writeWhole(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, done);
}

function serialise(state: TelegramUpdateState): string {
  return JSON.stringify({ version: VERSION, ...state });
}
