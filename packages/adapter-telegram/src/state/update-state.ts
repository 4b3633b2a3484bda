import { closeSync, openSync, writeSync } from 'node:fs';
import { type Logger, readFileIfExists, setFileAside, writeFileAtomic } from '@hermes/adapter-core';
import {
  emptyState,
  FILE_HEAD,
  FILE_TAIL,
  type NumberedState,
  newestSave,
  saveLine,
  type TelegramUpdateState,
} from './state-record.js';

export type { TelegramUpdateState } from './state-record.js';

/** Past this size the file is written afresh with the newest save only. */
const DEFAULT_REWRITE_AT_BYTES = 1024 * 1024;

export interface UpdateStateFileOptions {
  /** File size past which the next save writes the file afresh (default 1 MiB). */
  rewriteAtBytes?: number;
}

/** The file as this process writes it: saves go where the closing brace is. */
interface OpenFile {
  fd: number;
  bytes: number;
}

interface NextWrite {
  snapshot: () => TelegramUpdateState;
  done: Promise<TelegramUpdateState>;
  resolve(state: TelegramUpdateState): void;
  reject(error: unknown): void;
}

/**
 * One JSON file per bot. The first save of a run writes it afresh (temp file + rename, so a crash leaves
 * the old file or the new one); every later save writes one line in place of the closing brace, in one
 * positioned write, and closes the object again after it (see saveLine: the file always parses as the
 * newest save). That write lands in the page cache in microseconds; the temp file + rename per save it
 * replaced cost 0.6 to 0.9 ms here (ext4 starts flushing a file renamed over another), and the next
 * getUpdates waits for the save. A kill inside the write leaves the saves before it whole, each with its
 * checksum: load() takes the newest whole one, and the next run writes the file afresh before adding to
 * it. Nothing is fsynced: a process crash loses nothing, a power loss may (see the README's limits).
 */
export class UpdateStateFile {
  readonly path: string;
  readonly #logger: Logger;
  readonly #rewriteAt: number;
  #writing: Promise<unknown> | undefined;
  #next: NextWrite | undefined;
  /** Open from the first save of the run to close(). */
  #file: OpenFile | undefined;
  /** The highest save number on disk; unknown until load() or the first save read it. */
  #seq: number | undefined;

  constructor(path: string, logger: Logger, options: UpdateStateFileOptions = {}) {
    this.path = path;
    this.#logger = logger;
    this.#rewriteAt = options.rewriteAtBytes ?? DEFAULT_REWRITE_AT_BYTES;
  }

  /** The newest saved state; a missing file is a fresh start, an unreadable one is set aside and reported. */
  load(): TelegramUpdateState {
    return this.#newest().state;
  }

  #newest(): NumberedState {
    let newest: NumberedState = { seq: 0, state: emptyState() };
    const text = readFileIfExists(this.path);
    if (text !== undefined) {
      try {
        newest = newestSave(text);
      } catch (error) {
        const aside = setFileAside(this.path);
        this.#logger.error("Telegram update state file was unreadable; starting from Telegram's own offset", {
          file: this.path,
          movedTo: aside,
          error: (error as Error).message,
        });
      }
    }
    this.#seq = Math.max(this.#seq ?? 0, newest.seq);
    return newest;
  }

  /** Saves now, before returning (webhook mode: the write lands before Telegram gets its answer). */
  save(state: TelegramUpdateState): void {
    this.#append(state);
  }

  /**
   * Saves on the next turn of the event loop at the earliest, so the replies the host queued while this
   * batch was handed over leave first (the next poll waits for the save anyway). Calls made before it
   * starts share it, and `snapshot` is read when it starts, so the file never goes back to an older
   * state. Resolves with the state on disk.
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
    const start = (): void => {
      this.#next = undefined;
      try {
        const state = next.snapshot();
        this.#append(state);
        next.resolve(state);
      } catch (error) {
        next.reject(error);
      }
    };
    const after = this.#writing ?? new Promise<void>((resolve) => setImmediate(resolve));
    const writing = after.then(start).finally(() => {
      if (this.#writing === writing) this.#writing = undefined;
    });
    this.#writing = writing;
    return done;
  }

  #append(state: TelegramUpdateState): void {
    if (this.#seq === undefined) this.#newest();
    const saved: NumberedState = { seq: (this.#seq ?? 0) + 1, state };
    const line = saveLine(saved);
    const file = this.#file;
    if (!file || file.bytes >= this.#rewriteAt) {
      this.#rewrite(line);
    } else {
      // Over the closing brace: until the write is whole the file ends in the line it cuts short.
      const bytes = Buffer.from(`,\n${line}${FILE_TAIL}`, 'utf8');
      const at = file.bytes - FILE_TAIL.length;
      for (let done = 0; done < bytes.length; ) {
        done += writeSync(file.fd, bytes, done, bytes.length - done, at + done);
      }
      file.bytes = at + bytes.length;
    }
    this.#seq = saved.seq;
  }

  /** The file afresh with one save (temp + rename), then kept open for the saves that follow. */
  #rewrite(line: string): void {
    this.#closeFile();
    const text = `${FILE_HEAD}${line}${FILE_TAIL}`;
    writeFileAtomic(this.path, text);
    // writeFileAtomic made the folder (0700) and the file (0600); only this process writes it.
    this.#file = { fd: openSync(this.path, 'r+'), bytes: Buffer.byteLength(text) };
  }

  #closeFile(): void {
    const file = this.#file;
    this.#file = undefined;
    if (file) closeSync(file.fd);
  }

  /** Resolves once no write is running or queued. */
  async settled(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /** Waits for the writes, then closes the file. */
  async close(): Promise<void> {
    await this.settled();
    this.#closeFile();
  }
}
