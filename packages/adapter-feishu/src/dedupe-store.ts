import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DedupeCache, type Logger, writeFileAtomicAsync } from '@hermes/adapter-core';
import { FEISHU_DEDUPE_MAX_ENTRIES, FEISHU_DEDUPE_TTL_MS } from './constants.js';

/** How long a burst of new ids may stay in memory only before they are written. */
const SAVE_DELAY_MS = 250;

/**
 * message_id dedupe that survives a restart (Feishu redelivers unacknowledged events after reconnects,
 * and a restarted process must not answer them twice): core's DedupeCache, saved atomically as
 * `[[id, seenAt], ...]` (2048 ids, 24 h, as the Python adapter keeps them).
 */
export class FeishuDedupeStore {
  readonly #cache = new DedupeCache({ maxEntries: FEISHU_DEDUPE_MAX_ENTRIES, ttlMs: FEISHU_DEDUPE_TTL_MS });
  readonly #file: string;
  readonly #logger: Logger;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(dir: string, logger: Logger) {
    this.#file = join(dir, 'seen-message-ids.json');
    this.#logger = logger;
  }

  get file(): string {
    return this.#file;
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#logger.warn('cannot read the Feishu dedupe file; starting empty', {
          error: (error as Error).message,
        });
      return;
    }
    try {
      const entries = JSON.parse(text) as unknown;
      if (!Array.isArray(entries)) throw new Error('not an array');
      this.#cache.import(
        entries.filter(
          (e): e is [string, number] =>
            Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number',
        ),
      );
    } catch (error) {
      // A damaged file costs at most a duplicate answer; it is rewritten on the next save.
      this.#logger.warn('the Feishu dedupe file is damaged; starting empty', {
        error: (error as Error).message,
      });
    }
  }

  /** True if the id was seen within 24 h; otherwise marks it (and schedules a save). */
  seen(id: string): boolean {
    if (this.#cache.seen(id)) return true;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
    return false;
  }

  /** Writes now (temp file + rename, so a crash never leaves half a file). */
  save(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const snapshot = JSON.stringify(this.#cache.export());
    this.#writing = this.#writing.then(async () => {
      try {
        await writeFileAtomicAsync(this.#file, snapshot);
      } catch (error) {
        this.#logger.warn('cannot save the Feishu dedupe file', { error: (error as Error).message });
      }
    });
    return this.#writing;
  }
}
