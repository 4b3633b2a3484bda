import type { ChatRef } from '@hermes/adapter-core';
import {
  draftSession,
  draftValues,
  extraJson,
  messageFromRow,
  type RawMessage,
  type RawSession,
  type SessionDraft,
  type SessionRow,
  sessionFromRow,
  type TranscriptMessage,
  undoneUserMessage,
} from '../session-store.js';
import type { SessionStorage, TokenUsage, TranscriptEntry, TranscriptRole } from '../storage.js';
import type { PgExecutor, Queryable, Statement } from './executor.js';

const SESSION_COLUMNS =
  'id, session_key, platform, chat_type, chat_id, user_id, title, model, created_at, updated_at, ended_at, end_reason, was_auto_reset, auto_reset_reason, input_tokens, output_tokens, total_tokens';

const Q = {
  active: {
    name: 'hs_sessions_active',
    text: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_key = $1 AND ended_at IS NULL ORDER BY created_at DESC LIMIT 1`,
  },
  get: { name: 'hs_sessions_get', text: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1` },
  create: {
    name: 'hs_sessions_create',
    text: `INSERT INTO sessions (id, session_key, platform, chat_type, chat_id, user_id, origin, created_at, updated_at, was_auto_reset, auto_reset_reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10) RETURNING ${SESSION_COLUMNS}`,
  },
  end: {
    name: 'hs_sessions_end',
    text: 'UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL',
  },
  lockTarget: { name: 'hs_sessions_lock', text: 'SELECT id FROM sessions WHERE id = $1 FOR UPDATE' },
  reopen: {
    name: 'hs_sessions_reopen',
    text: `UPDATE sessions SET ended_at = NULL, end_reason = NULL, session_key = $1, updated_at = $2 WHERE id = $3 RETURNING ${SESSION_COLUMNS}`,
  },
  recent: {
    name: 'hs_sessions_recent',
    text: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_key = $1 ORDER BY created_at DESC LIMIT $2`,
  },
  touch: { name: 'hs_sessions_touch', text: 'UPDATE sessions SET updated_at = $1 WHERE id = $2' },
  setTitle: { name: 'hs_sessions_title', text: 'UPDATE sessions SET title = $1 WHERE id = $2' },
  addUsage: {
    name: 'hs_sessions_usage',
    text: 'UPDATE sessions SET input_tokens = input_tokens + $1, output_tokens = output_tokens + $2, total_tokens = total_tokens + $3, last_prompt_tokens = $4 WHERE id = $5',
  },
  // The row and the session's updated_at in one statement: atomic without a BEGIN/COMMIT round trip each.
  append: {
    name: 'hs_messages_append',
    text: `WITH m AS (INSERT INTO messages (session_id, role, content, extra, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id),
                s AS (UPDATE sessions SET updated_at = $5 WHERE id = $1)
           SELECT id FROM m`,
  },
  // ORDER BY ord: identities are drawn in the order rows are produced, so ids follow the entries' order.
  appendMany: {
    name: 'hs_messages_append_many',
    text: `WITH m AS (INSERT INTO messages (session_id, role, content, extra, created_at)
                      SELECT $1, t.role, t.content, t.extra, $5
                        FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(role, content, extra, ord)
                       ORDER BY t.ord
                    RETURNING id),
                s AS (UPDATE sessions SET updated_at = $5 WHERE id = $1)
           SELECT count(*) AS n FROM m`,
  },
  truncateFrom: {
    name: 'hs_messages_truncate',
    text: 'DELETE FROM messages WHERE session_id = $1 AND id >= $2',
  },
  transcript: {
    name: 'hs_messages_transcript',
    text: 'SELECT id, role, content, extra, created_at FROM messages WHERE session_id = $1 ORDER BY id',
  },
  // The lookup and the delete in one statement, so another writer cannot slip a message between them.
  truncateAtLastUser: {
    name: 'hs_messages_undo',
    text: `WITH last AS (SELECT id, content, created_at FROM messages WHERE session_id = $1 AND role = 'user' ORDER BY id DESC LIMIT 1),
                gone AS (DELETE FROM messages WHERE session_id = $1 AND id >= (SELECT id FROM last))
           SELECT id, content, created_at FROM last`,
  },
  count: { name: 'hs_sessions_count', text: 'SELECT count(*) AS n FROM sessions' },
} satisfies Record<string, Statement>;

async function appendMessage(
  on: Queryable,
  sessionId: string,
  role: TranscriptRole,
  content: string | null,
  extra: string | null,
  now: number,
): Promise<number> {
  const { rows } = await on.query<{ id: number }>(Q.append, [sessionId, role, content, extra, now]);
  return rows[0]!.id;
}

async function appendMessages(
  on: Queryable,
  sessionId: string,
  entries: readonly TranscriptEntry[],
  now: number,
): Promise<void> {
  if (entries.length === 0) return;
  await on.query(Q.appendMany, [
    sessionId,
    entries.map((e) => e.role),
    entries.map((e) => e.content),
    entries.map((e) => extraJson(e.extra)),
    now,
  ]);
}

async function addUsage(
  on: Queryable,
  id: string,
  usage: TokenUsage,
  lastPromptTokens: number,
): Promise<void> {
  await on.query(Q.addUsage, [
    usage.promptTokens,
    usage.completionTokens,
    usage.totalTokens,
    lastPromptTokens,
    id,
  ]);
}

export class PgSessions implements SessionStorage {
  constructor(
    private readonly db: PgExecutor,
    private readonly now: () => number,
  ) {}

  async active(sessionKey: string): Promise<SessionRow | undefined> {
    const { rows } = await this.db.query<RawSession>(Q.active, [sessionKey]);
    return rows[0] ? sessionFromRow(rows[0]) : undefined;
  }

  async get(id: string): Promise<SessionRow | undefined> {
    const { rows } = await this.db.query<RawSession>(Q.get, [id]);
    return rows[0] ? sessionFromRow(rows[0]) : undefined;
  }

  async create(
    sessionKey: string,
    chat: ChatRef,
    userId: string | undefined,
    auto?: { reason: string },
  ): Promise<SessionRow> {
    const { rows } = await this.db.query<RawSession>(
      Q.create,
      draftValues(draftSession(sessionKey, chat, userId, this.now(), auto)),
    );
    return sessionFromRow(rows[0]!);
  }

  draft(sessionKey: string, chat: ChatRef, userId: string | undefined): SessionDraft {
    return draftSession(sessionKey, chat, userId, this.now());
  }

  async end(id: string, reason: string): Promise<void> {
    await this.db.query(Q.end, [this.now(), reason, id]);
  }

  async switchTo(sessionKey: string, targetId: string): Promise<SessionRow | undefined> {
    return this.db.inTransaction(async (tx) => {
      // Locked first: two replicas resuming the same session take turns instead of interleaving.
      if ((await tx.query(Q.lockTarget, [targetId])).rowCount === 0) return undefined;
      const now = this.now();
      const current = (await tx.query<RawSession>(Q.active, [sessionKey])).rows[0];
      if (current && current.id !== targetId) await tx.query(Q.end, [now, 'session_switch', current.id]);
      const { rows } = await tx.query<RawSession>(Q.reopen, [sessionKey, now, targetId]);
      return sessionFromRow(rows[0]!);
    });
  }

  async recent(sessionKey: string, limit = 10): Promise<SessionRow[]> {
    return (await this.db.query<RawSession>(Q.recent, [sessionKey, limit])).rows.map(sessionFromRow);
  }

  async touch(id: string): Promise<void> {
    await this.db.query(Q.touch, [this.now(), id]);
  }

  async setTitle(id: string, title: string): Promise<void> {
    await this.db.query(Q.setTitle, [title, id]);
  }

  async addUsage(id: string, usage: TokenUsage, lastPromptTokens = usage.promptTokens): Promise<void> {
    await addUsage(this.db, id, usage, lastPromptTokens);
  }

  async append(
    sessionId: string,
    role: TranscriptRole,
    content: string | null,
    extra?: Record<string, unknown>,
  ): Promise<number> {
    return appendMessage(this.db, sessionId, role, content, extraJson(extra), this.now());
  }

  async appendMany(sessionId: string, entries: readonly TranscriptEntry[]): Promise<void> {
    await appendMessages(this.db, sessionId, entries, this.now());
  }

  async truncateFrom(sessionId: string, messageId: number): Promise<number> {
    return (await this.db.query(Q.truncateFrom, [sessionId, messageId])).rowCount;
  }

  async transcript(sessionId: string): Promise<TranscriptMessage[]> {
    const { rows } = await this.db.query<RawMessage>(Q.transcript, [sessionId]);
    return rows.map(messageFromRow);
  }

  async truncateAtLastUserMessage(sessionId: string): Promise<TranscriptMessage | undefined> {
    const { rows } = await this.db.query<{ id: number; content: string | null; created_at: number }>(
      Q.truncateAtLastUser,
      [sessionId],
    );
    return rows[0] ? undoneUserMessage(rows[0]) : undefined;
  }

  async count(): Promise<number> {
    return (await this.db.query<{ n: number }>(Q.count)).rows[0]!.n;
  }
}

/** Writes a drafted session on a unit's transaction (`units.startTurn`). */
export async function insertSessionDraft(on: Queryable, draft: SessionDraft): Promise<void> {
  await on.query(Q.create, draftValues(draft));
}
