import type { ResponseRecordStore, ResponseRetention } from '@hermes/adapter-core';
import { type Atomically, atomically, type Db, openStateDb } from './db.js';
import { GroupCommit } from './group-commit.js';
import { InboundJournal } from './inbound-journal.js';
import { KvStore } from './kv-store.js';
import { Outbox } from './outbox.js';
import { ResponseStore } from './response-store.js';
import { type SessionDraft, SessionStore } from './session-store.js';
import type {
  FinishedTurn,
  JournalStorage,
  KvStorage,
  OutboxStorage,
  RecordedReply,
  SessionStorage,
  StateStorage,
  StateUnits,
  TurnLogStorage,
} from './storage.js';
import { TurnLog } from './turn-log.js';

/**
 * The embedded engine: state.db through better-sqlite3. Writes go through a group commit (see
 * `group-commit.ts`): those started in one event-loop turn share one transaction, and each settles only once
 * that transaction has committed.
 */
export class SqliteStorage implements StateStorage {
  readonly engine = 'sqlite' as const;
  readonly sessions: SessionStorage;
  readonly journal: JournalStorage;
  readonly outbox: OutboxStorage;
  readonly kv: KvStorage;
  readonly turns: TurnLogStorage;
  readonly units: StateUnits;
  /** The synchronous stores underneath (tests reach them to inject faults). */
  readonly stores: {
    sessions: SessionStore;
    journal: InboundJournal;
    outbox: Outbox;
    kv: KvStore;
    turns: TurnLog;
  };
  readonly #group: GroupCommit;
  private readonly atomically: Atomically;

  constructor(
    readonly db: Db,
    readonly location: string,
  ) {
    const s = {
      sessions: new SessionStore(db),
      journal: new InboundJournal(db),
      outbox: new Outbox(db),
      kv: new KvStore(db),
      turns: new TurnLog(db),
    };
    this.stores = s;
    this.atomically = atomically(db);
    const g = new GroupCommit(db);
    this.#group = g;
    this.sessions = {
      ...promised(
        g,
        s.sessions,
        ['active', 'get', 'recent', 'transcript', 'count'],
        [
          'create',
          'end',
          'switchTo',
          'touch',
          'setTitle',
          'addUsage',
          'append',
          'appendMany',
          'truncateFrom',
          'truncateAtLastUserMessage',
        ],
      ),
      draft: (sessionKey, chat, userId) => s.sessions.draft(sessionKey, chat, userId),
    };
    // One process owns state.db: a recovery scope only narrows by platform.
    this.journal = {
      ...promised(g, s.journal, [], ['record', 'finish', 'prune']),
      open: (scope) => g.read(() => s.journal.open(scope?.platforms)),
      known: (keys) => g.read(() => s.journal.known(keys)),
      setSessionKey: (id, key) => s.journal.setSessionKey(id, key),
    };
    this.outbox = {
      ...promised(
        g,
        s.outbox,
        ['get', 'countByState'],
        ['enqueue', 'markSending', 'markSent', 'markRetry', 'markFailed', 'prune'],
      ),
      pending: (scope) => g.read(() => s.outbox.pending(scope?.platforms)),
      stale: (platforms, untouchedForMs) => g.read(() => s.outbox.stale(platforms, untouchedForMs)),
      quarantineInFlight: (scope) => g.write(() => s.outbox.quarantineInFlight(scope?.platforms)),
      resumeInFlight: (platform, withinMs) => g.write(() => s.outbox.resumeInFlight(platform, withinMs)),
    };
    this.kv = {
      get: <T>(key: string) => g.read(() => s.kv.get<T>(key)),
      set: (key, value) => g.write(() => s.kv.set(key, value)),
      delete: (key) => g.write(() => s.kv.delete(key)),
      update: (key, change) => g.write(() => this.atomically(() => s.kv.update(key, change))),
    };
    this.turns = promised(g, s.turns, ['insights'], ['record']);
    this.units = {
      startTurn: (sessionId, userText, journalIds, draft) =>
        g.write(() => this.startTurn(sessionId, userText, journalIds, draft)),
      finishTurn: (turn) => g.write(() => this.finishTurn(turn)),
      recordReply: (reply) => g.write(() => this.recordReply(reply)),
      recordOnce: (key, platform, payload) => g.write(() => this.recordOnce(key, platform, payload)),
    };
  }

  responses(platform: string, retention: ResponseRetention): ResponseRecordStore {
    return new ResponseStore(this.db, platform, retention);
  }

  async close(): Promise<void> {
    // Writes already started commit first: closing never drops one a caller is waiting on.
    if (this.db.open) this.#group.flush();
    if (this.db.open) this.db.close();
  }

  // One commit: a crash between the two would leave a user message the replay does not know to remove.
  private startTurn(
    sessionId: string,
    userText: string,
    journalIds: readonly number[],
    draft?: SessionDraft,
  ): number {
    const { sessions, journal } = this.stores;
    return this.atomically(() => {
      if (draft) sessions.insert(draft);
      const id = sessions.append(sessionId, 'user', userText);
      journal.markTurnStart(journalIds, sessionId, id);
      return id;
    });
  }

  private finishTurn(turn: FinishedTurn): void {
    const { sessions, turns, journal } = this.stores;
    this.atomically(() => {
      sessions.appendMany(turn.sessionId, turn.messages);
      if (turn.usage) sessions.addUsage(turn.sessionId, turn.usage, turn.usage.lastPromptTokens);
      if (turn.closeJournal) journal.finish(turn.closeJournal.ids, turn.closeJournal.state);
      // SAVEPOINT: a failed /insights row must not take the transcript down with it.
      try {
        this.atomically(() => turns.record(turn.record));
      } catch {
        // The turn's messages matter; its statistics row does not.
      }
    });
  }

  private recordReply(reply: RecordedReply): number[] {
    const { outbox, journal, kv } = this.stores;
    return this.atomically(() => {
      const ids = outbox.enqueue(reply.chat, reply.messages, reply.turnRef);
      journal.finish(reply.journalIds);
      if (reply.streamed && ids[0] !== undefined) kv.set(reply.streamed.kvKey(ids[0]), reply.streamed.value);
      return ids;
    });
  }

  private recordOnce(key: string, platform: string, payload: string): boolean {
    const { journal } = this.stores;
    return this.atomically(() => {
      const id = journal.record(key, platform, payload);
      if (id !== undefined) journal.finish([id]);
      return id !== undefined;
    });
  }
}

/** Opens (creating and migrating) state.db; throws StateDbError with the fix when it cannot. */
export function openSqliteStorage(path: string): SqliteStorage {
  return new SqliteStorage(openStateDb(path), path);
}

type Promised<T, K extends keyof T> = {
  [P in K]: T[P] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/**
 * The synchronous store's methods, each returning a promise: a throw becomes a rejection, so callers see
 * one failure path for both engines. Writes join the group commit; reads run at once unless a write waits.
 */
function promised<T extends object, R extends keyof T, W extends keyof T>(
  group: GroupCommit,
  store: T,
  reads: readonly R[],
  writes: readonly W[],
): Promised<T, R | W> {
  const out = {} as Record<R | W, unknown>;
  const call = (name: R | W, args: unknown[]) =>
    (store[name] as unknown as (...args: unknown[]) => unknown).apply(store, args);
  for (const name of reads) out[name] = (...args: unknown[]) => group.read(() => call(name, args));
  for (const name of writes) out[name] = (...args: unknown[]) => group.write(() => call(name, args));
  return out as Promised<T, R | W>;
}
