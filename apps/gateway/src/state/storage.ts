import type { ChatRef, OutboundMessage, ResponseRecordStore, ResponseRetention } from '@hermes/adapter-core';
import type { InboundState, JournalEntry } from './inbound-journal.js';
import type { OutboxEntry, OutboxState } from './outbox.js';
import type { SessionDraft, SessionRow, TranscriptMessage } from './session-store.js';
import type { Insights, TurnRecord } from './turn-log.js';

/**
 * Everything the host keeps between turns, behind one interface with two engines: SQLite (`state.db`, the
 * embedded default) and PostgreSQL (`HERMES_DATABASE_URL`, shared by several replicas). Every method resolves
 * once its write is committed. Writes that must land together are one method each (`StateStorage.units`),
 * never a transaction the caller opens: a SQLite transaction cannot span an `await`.
 */
export interface StateStorage {
  readonly engine: 'sqlite' | 'postgres';
  /** Where the state lives, for logs and `hermes status`; a PostgreSQL URL without its password. */
  readonly location: string;
  readonly sessions: SessionStorage;
  readonly journal: JournalStorage;
  readonly outbox: OutboxStorage;
  readonly kv: KvStorage;
  readonly turns: TurnLogStorage;
  readonly units: StateUnits;
  /** PostgreSQL only: how replicas sharing the database divide the work. Absent: this process is alone. */
  readonly replicas?: ReplicaCoordination;
  /** Stored responses of one request/reply platform (`previous_response_id`), bounded by `retention`. */
  responses(platform: string, retention: ResponseRetention): ResponseRecordStore;
  /** Bounded waits: resolves when every pending write has settled and connections are closed. */
  close(): Promise<void>;
}

export type TranscriptRole = TranscriptMessage['role'];

export interface TranscriptEntry {
  role: TranscriptRole;
  content: string | null;
  /** Tool calls, tool_call_id and the like, as the agent produced them. */
  extra?: Record<string, unknown>;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface SessionStorage {
  /** The newest open session of the key. */
  active(sessionKey: string): Promise<SessionRow | undefined>;
  get(id: string): Promise<SessionRow | undefined>;
  create(
    sessionKey: string,
    chat: ChatRef,
    userId: string | undefined,
    auto?: { reason: string },
  ): Promise<SessionRow>;
  /**
   * The row `create` would write, not written: `units.startTurn` writes it with the turn's first message,
   * one commit instead of two for a message that opens a session.
   */
  draft(sessionKey: string, chat: ChatRef, userId: string | undefined): SessionDraft;
  /** Ends it if still open; an ended session is left as it was. */
  end(id: string, reason: string): Promise<void>;
  /** /resume: ends whatever is active for the key and reopens the target under that key, in one commit. */
  switchTo(sessionKey: string, targetId: string): Promise<SessionRow | undefined>;
  /** Newest first. */
  recent(sessionKey: string, limit?: number): Promise<SessionRow[]>;
  touch(id: string): Promise<void>;
  setTitle(id: string, title: string): Promise<void>;
  /** `lastPromptTokens` is the prompt of the last model call (how full the context is), not a sum. */
  addUsage(id: string, usage: TokenUsage, lastPromptTokens?: number): Promise<void>;
  /** Appends one message and bumps the session's updated_at, in one commit; returns the message id. */
  append(
    sessionId: string,
    role: TranscriptRole,
    content: string | null,
    extra?: Record<string, unknown>,
  ): Promise<number>;
  appendMany(sessionId: string, entries: readonly TranscriptEntry[]): Promise<void>;
  /** Crash recovery: removes messages from `messageId` on. Returns how many went. */
  truncateFrom(sessionId: string, messageId: number): Promise<number>;
  /** In append order (ascending id). */
  transcript(sessionId: string): Promise<TranscriptMessage[]>;
  /** /undo and /retry: drops everything from the last user message on and returns that message. */
  truncateAtLastUserMessage(sessionId: string): Promise<TranscriptMessage | undefined>;
  count(): Promise<number>;
}

export interface JournalStorage {
  /**
   * Returns the new entry id, or undefined when this dedupe key was already recorded (a redelivery).
   * `partKeys`: the other messages merged into this entry (a split paste); each is recorded with it, as
   * taken, in the same commit, so a redelivery of any of them is a duplicate too. `sessionKey` is stored
   * with the entry: replicas sharing a database claim open entries by session.
   */
  record(
    dedupeKey: string,
    platform: string,
    payload: string,
    partKeys?: readonly string[],
    sessionKey?: string,
  ): Promise<number | undefined>;
  /** Which of these dedupe keys are recorded already (as an entry or as part of one). */
  known(dedupeKeys: readonly string[]): Promise<string[]>;
  /**
   * Remembered in memory and written with the entry's next write (turn start or finish): the key is
   * bookkeeping nothing replays from, so it costs no commit of its own.
   */
  setSessionKey(id: number, sessionKey: string): void;
  finish(ids: readonly number[], state?: Exclude<InboundState, 'received'>): Promise<void>;
  /** Entries still `received` (acknowledged, turn not finished), oldest first. */
  open(scope?: RecoveryScope): Promise<JournalEntry[]>;
  /** Deletes finished entries older than `maxAgeMs` (the dedupe window); returns how many. */
  prune(maxAgeMs: number): Promise<number>;
}

export interface OutboxStorage {
  /** Every chunk of a reply in one commit, before anything is sent; returns their ids in order. */
  enqueue(chat: ChatRef, messages: readonly OutboundMessage[], turnRef?: string): Promise<number[]>;
  markSending(id: number): Promise<void>;
  markSent(id: number, messageIds: readonly string[]): Promise<void>;
  /** Back to pending: the adapter said the send definitely did not happen. */
  markRetry(id: number, error: string): Promise<void>;
  markFailed(id: number, error: string, state?: 'failed' | 'ambiguous'): Promise<void>;
  get(id: number): Promise<OutboxEntry | undefined>;
  /** Pending rows, oldest first. */
  pending(scope?: RecoveryScope): Promise<OutboxEntry[]>;
  /**
   * Pending rows of these platforms nobody touched for `untouchedForMs`, oldest first: replies a replica
   * could not send (the connection was changing hands) or left behind, for the connection holder to send.
   */
  stale(platforms: readonly string[], untouchedForMs: number): Promise<OutboxEntry[]>;
  /** At startup: rows left `sending` by a crash become `ambiguous` (never resent); returns how many. */
  quarantineInFlight(scope?: RecoveryScope): Promise<number>;
  /**
   * Before the quarantine, for a platform that dedupes sends on a key (`capabilities.idempotentSend`): its rows
   * left `sending` and recorded within `withinMs` go back to pending, to be sent again under the same key.
   */
  resumeInFlight(platform: string, withinMs: number): Promise<number>;
  /** Finished rows older than `maxAgeMs` go; pending and sending rows never. */
  prune(maxAgeMs: number): Promise<number>;
  countByState(): Promise<Record<OutboxState, number>>;
}

/** Small JSON settings the chat commands change at run time (home channels, voice modes, overrides). */
export interface KvStorage {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Reads, changes and writes one value as a unit: no other `update` of the key (from this process or
   * another replica) runs in between. `change` returns the new value, or undefined to delete the key; it
   * must not have side effects (it may be called again). Resolves to what was written.
   */
  update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>;
}

export interface TurnLogStorage {
  record(turn: TurnRecord): Promise<void>;
  insights(sinceMs: number): Promise<Insights>;
}

/** What a turn leaves behind, written in one commit when it ends. */
export interface FinishedTurn {
  sessionId: string;
  messages: readonly TranscriptEntry[];
  /** Absent when the turn made no model call. */
  usage?: TokenUsage & { lastPromptTokens: number };
  /** The /insights row; a failure to write it must not fail the turn (engines may skip it on error). */
  record: TurnRecord;
  /**
   * Journal entries closed in the same commit. A request/reply turn closes its entries here: its client is
   * the only reader of the answer and cannot outlive the process, so the answer needs no outbox row.
   */
  closeJournal?: { ids: readonly number[]; state: 'done' | 'abandoned' };
}

/** A reply recorded for delivery; the inbound entries it answers are finished in the same commit. */
export interface RecordedReply {
  chat: ChatRef;
  messages: readonly OutboundMessage[];
  /** The session id, for reply recovery. */
  turnRef?: string;
  journalIds: readonly number[];
  /** Set when the reply's first chunk replaces a message already streamed: kept under `kv` key `kvKey`. */
  streamed?: { kvKey: (firstOutboxId: number) => string; value: unknown };
}

/** Writes that span stores and must land together. */
export interface StateUnits {
  /**
   * Appends the turn's user message and marks its journal entries started there; returns the message id.
   * With `draft` (from `sessions.draft`), the session row is written in the same commit.
   */
  startTurn(
    sessionId: string,
    userText: string,
    journalIds: readonly number[],
    draft?: SessionDraft,
  ): Promise<number>;
  finishTurn(turn: FinishedTurn): Promise<void>;
  /** Returns the outbox ids in order. */
  recordReply(reply: RecordedReply): Promise<number[]>;
  /** Records a key seen once (a button press id) as a finished journal entry; false when already seen. */
  recordOnce(dedupeKey: string, platform: string, payload: string): Promise<boolean>;
}

/**
 * Which rows a recovery looks at. Alone, a process recovers everything. A replica recovers the platforms whose
 * connection it just took over (whoever wrote the rows), and for platforms every replica serves, only rows
 * it wrote itself under its (stable) replica id.
 */
export interface RecoveryScope {
  platforms: readonly string[];
  /** Only rows written by this replica. */
  writtenBy?: string;
}

/** A replica as `hermes status` shows it. */
export interface ReplicaView {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  /** Epoch ms of its last heartbeat, in the database's clock. */
  lastSeenAt: number;
  alive: boolean;
  /** Platforms whose connection it holds, with each lease's age and fencing token. */
  owns: Array<{ platform: string; token: string; heldForMs: number }>;
  /** Inbound messages it recorded whose turn has not finished, and replies it recorded not yet sent. */
  openMessages: number;
  pendingReplies: number;
  /** Sessions whose lease it holds (it runs their messages), and their messages claimed and not finished. */
  sessions: number;
  claimedMessages: number;
}

/** Work no replica has taken yet. */
export interface ReplicaQueue {
  /** Journaled messages no session holder has claimed (a burst, or sessions whose holder is gone). */
  waitingMessages: number;
  /** Adapter calls waiting for the connection holder. */
  pendingCalls: number;
}

/** The connection lease of one platform, held by this replica. */
export interface ConnectionClaim {
  readonly platform: string;
  readonly token: bigint;
  /** False as soon as the lease may have expired from anyone else's view (checked before each send). */
  held(): boolean;
  /** Stops renewing and gives the lease back (shutdown); writes for the platform are refused after. */
  release(): Promise<void>;
}

export type ClaimResult =
  | { ok: true; claim: ConnectionClaim }
  | { ok: false; owner: string; expiresInMs: number };

/** How replicas sharing one PostgreSQL divide connections and recover each other's work. */
export interface ReplicaCoordination {
  /** Stable across restarts of the same HERMES_HOME (or HERMES_REPLICA_ID). */
  readonly replicaId: string;
  /**
   * Takes the platform's connection lease when nobody live holds it. While held it is renewed every ttl/3 and
   * the engine's writes for the platform (journal, turns, outbox) commit only under its fencing token; once it
   * is lost they are refused, and `onLost` is called (once) before anyone else could take it over.
   */
  claimConnection(platform: string, ttlMs: number, onLost: (reason: string) => void): Promise<ClaimResult>;
  /** Presence: called every few seconds; a replica unseen for a while is shown as gone. */
  heartbeat(): Promise<void>;
  /** Sessions as units of work: whichever replica holds a session's lease runs its messages. */
  readonly sessions: SessionClaims;
  replicas(): Promise<ReplicaView[]>;
  queue(): Promise<ReplicaQueue>;
  /** Adapter calls forwarded to the replica holding a platform's connection (absent: not offered). */
  readonly calls?: PlatformCalls;
}

/** Why a forwarded call failed, as the holder's adapter said it (an AdapterError's code and fields). */
export interface PlatformCallError {
  code: string;
  message: string;
  retryAfterMs?: number;
  retryable?: boolean;
  fix?: string;
}

/**
 * How a forwarded call ended. `timeout` with `taken: false`: withdrawn before any holder took it, so it surely
 * did not run. `taken: true`: a holder took it and may have run it (a send may have arrived: never re-send).
 */
export type PlatformCallOutcome =
  | { state: 'done'; result: unknown }
  | { state: 'failed'; error: PlatformCallError }
  | { state: 'timeout'; taken: boolean };

/** What the holder's `run` answers for one call. */
export type PlatformCallRun = { ok: true; result: unknown } | { ok: false; error: PlatformCallError };

export interface PlatformCallServeOptions {
  /** Platforms whose connection this replica holds right now: only their calls are taken. */
  platforms: () => readonly string[];
  /** Runs one call on the live adapter; a throw counts as a failure with the error's `code` (or `unknown`). */
  run: (platform: string, op: string, args: unknown) => Promise<PlatformCallRun>;
  /**
   * Calls of one lane run one after another in the order they were made; lanes run side by side (default:
   * one lane per platform). A chat's calls must share a lane, so its messages keep their order.
   */
  lane?: (platform: string, op: string, args: unknown) => string;
  onError?: (error: unknown) => void;
}

export interface PlatformCallServer {
  /** Stops taking calls and waits (bounded) for the ones running; calls taken but not started are given back. */
  close(): Promise<void>;
}

/** Adapter calls across replicas: a caller without the connection asks, the holder serves. */
export interface PlatformCalls {
  /** Never rejects once the call is recorded; rejects only when it could not be recorded (nothing will run). */
  call(platform: string, op: string, args: unknown, timeoutMs: number): Promise<PlatformCallOutcome>;
  serve(options: PlatformCallServeOptions): PlatformCallServer;
  /** Deletes finished calls older than `maxAgeMs`; returns how many. */
  prune(maxAgeMs: number): Promise<number>;
}

/** A session lease held by this replica; its fencing token guards every write made while running its messages. */
export interface HeldSession {
  readonly sessionKey: string;
  readonly token: bigint;
  /** False from the moment this replica must stop acting for the session (before anyone else may start). */
  held(): boolean;
}

/** An open message claimed under a session lease; `reclaimed` when an earlier holder claimed it and is gone. */
export interface ClaimedEntry {
  readonly entry: JournalEntry;
  readonly reclaimed: boolean;
}

/**
 * Turns across replicas (PostgreSQL): open inbound entries are the work, a session is its unit. A replica takes
 * a session's lease, claims its open entries in journal order (FOR UPDATE SKIP LOCKED) and runs them; the lease
 * is renewed while it holds it and every write made for the session (`within`) is fenced by its token.
 */
export interface SessionClaims {
  /**
   * Sessions with open entries this replica could run now, oldest first: nobody live holds their lease, or
   * this replica does and has not claimed them yet. Only entries of `platforms`.
   */
  waiting(platforms: readonly string[], limit: number): Promise<string[]>;
  /** Takes the session's lease, kept renewed until released or lost (`onLost`, once); undefined when held elsewhere. */
  acquire(
    sessionKey: string,
    ttlMs: number,
    onLost: (reason: string) => void,
  ): Promise<HeldSession | undefined>;
  /** Claims the session's open entries not claimed under this lease yet, in journal order. */
  claim(session: HeldSession): Promise<ClaimedEntry[]>;
  /** Gives the lease up at once (the next message of the session may go to any replica). */
  release(session: HeldSession): Promise<void>;
  /** Runs `fn` so that every write it starts is fenced by the session's lease. */
  within<T>(session: HeldSession, fn: () => T): T;
  /** Wake-ups when a replica journals a message (LISTEN), until the returned stop is called. */
  listen(
    onWork: () => void,
    onError: (error: unknown) => void,
  ): { ready: Promise<void>; stop(): Promise<void> };
}
