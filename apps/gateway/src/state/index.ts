export { type Db, openStateDb } from './db.js';
export { InboundJournal, type InboundState, type JournalEntry } from './inbound-journal.js';
export { KvStore } from './kv-store.js';
export { Outbox, type OutboxEntry, type OutboxState } from './outbox.js';
export { newSessionId, type SessionRow, SessionStore, type TranscriptMessage } from './session-store.js';
export { type Insights, TurnLog, type TurnRecord, type UsageGroup } from './turn-log.js';
