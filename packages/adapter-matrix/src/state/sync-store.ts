import { join } from 'node:path';
import { type Logger, readFileIfExists, setFileAside, writeFileAtomic } from '@hermes/adapter-core';
import {
  type ISyncData as ISavedSync,
  type ISyncResponse,
  MemoryStore,
  SyncAccumulator,
} from 'matrix-js-sdk';

interface StoredSync {
  version: 1;
  userId: string;
  nextBatch: string;
  roomsData: ISavedSync['roomsData'];
  accountData: ISavedSync['accountData'];
  /** Event ids handed to the host recently: a second guard against replay after a restart. */
  seen: Array<[string, number]>;
}

/**
 * matrix-js-sdk's memory store plus a file: the /sync position and the accumulated room state (members,
 * encryption, m.direct) survive a restart, so the next start syncs from where the last one stopped
 * (nothing replayed, nothing lost) and still knows its rooms. Written after every processed sync.
 */
export class MatrixFileStore extends MemoryStore {
  readonly path: string;
  readonly #accumulator = new SyncAccumulator();
  readonly #userId: string;
  readonly #logger: Logger;
  readonly #seen: () => Array<[string, number]>;
  #restoredSeen: Array<[string, number]> = [];
  #dirty = false;
  #hasSaved = false;

  constructor(o: { stateDir: string; userId: string; logger: Logger; seen(): Array<[string, number]> }) {
    super();
    this.path = join(o.stateDir, 'sync.json');
    this.#userId = o.userId;
    this.#logger = o.logger;
    this.#seen = o.seen;
    this.#load();
  }

  /** Recently handled event ids from the last run. */
  get restoredSeen(): Array<[string, number]> {
    return this.#restoredSeen;
  }

  #load(): void {
    const text = readFileIfExists(this.path);
    if (text === undefined) return;
    try {
      const stored = JSON.parse(text) as Partial<StoredSync>;
      if (stored.version !== 1 || typeof stored.nextBatch !== 'string' || stored.userId === undefined) {
        throw new Error('unexpected layout');
      }
      if (stored.userId !== this.#userId) {
        this.#logger.warn('Matrix sync state belongs to another account; starting a fresh sync', {
          file: this.path,
        });
        return;
      }
      this.#accumulator.accumulate(
        {
          next_batch: stored.nextBatch,
          rooms: stored.roomsData ?? { join: {}, invite: {}, leave: {}, knock: {} },
          account_data: { events: stored.accountData ?? [] },
        } as ISyncResponse,
        true,
      );
      this.#restoredSeen = Array.isArray(stored.seen) ? stored.seen : [];
      this.#hasSaved = true;
    } catch (error) {
      const movedTo = setFileAside(this.path);
      this.#logger.error(
        'Matrix sync state was unreadable; starting a fresh sync (older messages are not replayed)',
        {
          file: this.path,
          movedTo,
          error: (error as Error).message,
        },
      );
    }
  }

  override async setSyncData(syncData: ISyncResponse): Promise<void> {
    this.#accumulator.accumulate(syncData);
    this.#dirty = true;
  }

  override wantsSave(): boolean {
    return this.#dirty;
  }

  override async save(_force?: boolean): Promise<void> {
    this.flush();
  }

  /** Writes now (also called on stop, after the host got the last messages). */
  flush(): void {
    const json = this.#accumulator.getJSON(true);
    if (!json.nextBatch) return;
    const stored: StoredSync = {
      version: 1,
      userId: this.#userId,
      nextBatch: json.nextBatch,
      roomsData: json.roomsData,
      accountData: json.accountData,
      seen: this.#seen(),
    };
    writeFileAtomic(this.path, JSON.stringify(stored));
    this.#dirty = false;
    this.#hasSaved = true;
  }

  override async getSavedSync(): Promise<ISavedSync | null> {
    if (!this.#hasSaved) return null;
    const json = this.#accumulator.getJSON();
    return json.nextBatch ? json : null;
  }

  override async getSavedSyncToken(): Promise<string | null> {
    return this.#hasSaved ? this.#accumulator.getJSON().nextBatch || null : null;
  }

  override async isNewlyCreated(): Promise<boolean> {
    return !this.#hasSaved;
  }
}
