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

/**
 * One JSON file per bot. Writes are synchronous and atomic (temp file + rename), so the state on disk is
 * always a complete earlier or later version, and it is written before the next getUpdates call can
 * confirm anything to Telegram.
 */
export class UpdateStateFile {
  readonly path: string;
  readonly #logger: Logger;

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
    writeFileAtomic(this.path, JSON.stringify({ version: VERSION, ...state }));
  }
}
