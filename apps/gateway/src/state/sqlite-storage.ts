import type { ResponseRecordStore, ResponseRetention } from '@hermes/adapter-core';
import { type Db, openStateDb } from './db.js';
import { InboundJournal } from './inbound-journal.js';
import { KvStore } from './kv-store.js';
import { Outbox } from './outbox.js';
import { ResponseStore } from './response-store.js';
import { SessionStore } from './session-store.js';
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
 * The embedded engine: state.db through better-sqlite3. Its calls are synchronous, so each method settles
 * with its commit already done; the promise only gives both engines one shape.
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
    this.sessions = promised(s.sessions, [
      'active',
      'get',
      'create',
      'end',
      'switchTo',
      'recent',
      'touch',
      'setTitle',
      'addUsage',
      'append',
      'appendMany',
      'truncateFrom',
      'transcript',
      'truncateAtLastUserMessage',
      'count',
    ]);
    // One process owns state.db: a recovery scope only narrows by platform.
    this.journal = {
      ...promised(s.journal, ['record', 'finish', 'prune']),
      open: async (scope) => s.journal.open(scope?.platforms),
      setSessionKey: (id, key) => s.journal.setSessionKey(id, key),
    };
    this.outbox = {
      ...promised(s.outbox, [
        'enqueue',
        'markSending',
        'markSent',
        'markRetry',
        'markFailed',
        'get',
        'prune',
        'countByState',
      ]),
      pending: async (scope) => s.outbox.pending(scope?.platforms),
      quarantineInFlight: async (scope) => s.outbox.quarantineInFlight(scope?.platforms),
    };
    this.kv = {
      get: async <T>(key: string) => s.kv.get<T>(key),
      set: async (key, value) => s.kv.set(key, value),
      delete: async (key) => s.kv.delete(key),
    };
    this.turns = promised(s.turns, ['record', 'insights']);
    this.units = {
      startTurn: async (sessionId, userText, journalIds) => this.startTurn(sessionId, userText, journalIds),
      finishTurn: async (turn) => this.finishTurn(turn),
      recordReply: async (reply) => this.recordReply(reply),
      recordOnce: async (key, platform, payload) => this.recordOnce(key, platform, payload),
    };
  }

  responses(platform: string, retention: ResponseRetention): ResponseRecordStore {
    return new ResponseStore(this.db, platform, retention);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // One commit: a crash between the two would leave a user message the replay does not know to remove.
  private startTurn(sessionId: string, userText: string, journalIds: readonly number[]): number {
    const { sessions, journal } = this.stores;
    return this.db.transaction(() => {
      const id = sessions.append(sessionId, 'user', userText);
      journal.markTurnStart(journalIds, sessionId, id);
      return id;
    })();
  }

  private finishTurn(turn: FinishedTurn): void {
    const { sessions, turns } = this.stores;
    this.db.transaction(() => {
      sessions.appendMany(turn.sessionId, turn.messages);
      if (turn.usage) sessions.addUsage(turn.sessionId, turn.usage, turn.usage.lastPromptTokens);
      // SAVEPOINT: a failed /insights row must not take the transcript down with it.
      try {
        this.db.transaction(() => turns.record(turn.record))();
      } catch {
        // The turn's messages matter; its statistics row does not.
      }
    })();
  }

  private recordReply(reply: RecordedReply): number[] {
    const { outbox, journal, kv } = this.stores;
    return this.db.transaction(() => {
      const ids = outbox.enqueue(reply.chat, reply.messages, reply.turnRef);
      journal.finish(reply.journalIds);
      if (reply.streamed && ids[0] !== undefined) kv.set(reply.streamed.kvKey(ids[0]), reply.streamed.value);
      return ids;
    })();
  }

  private recordOnce(key: string, platform: string, payload: string): boolean {
    const { journal } = this.stores;
    return this.db.transaction(() => {
      const id = journal.record(key, platform, payload);
      if (id !== undefined) journal.finish([id]);
      return id !== undefined;
    })();
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
 * one failure path for both engines.
 */
function promised<T extends object, K extends keyof T>(store: T, names: readonly K[]): Promised<T, K> {
  const out = {} as Record<K, unknown>;
  for (const name of names) {
    const fn = store[name] as unknown as (...args: unknown[]) => unknown;
    out[name] = async (...args: unknown[]) => fn.apply(store, args);
  }
  return out as Promised<T, K>;
}
