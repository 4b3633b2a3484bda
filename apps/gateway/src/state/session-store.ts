import { randomUUID } from 'node:crypto';
import type { ChatRef } from '@hermes/adapter-core';
import { type Atomically, atomically, type Db, type Sql, statementCache } from './db.js';

export interface SessionRow {
  id: string;
  sessionKey: string;
  platform: string;
  chatType: string;
  chatId: string;
  userId: string | null;
  title: string | null;
  model: string | null;
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
  endReason: string | null;
  wasAutoReset: boolean;
  autoResetReason: string | null;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface TranscriptMessage {
  id: number;
  role: 'user' | 'assistant' | 'tool' | 'system';
  content: string | null;
  /** Tool calls, tool_call_id and the like, as the agent produced them. */
  extra: Record<string, unknown> | null;
  createdAt: number;
}

/** A `sessions` row as both engines read it (snake_case columns; `was_auto_reset` stored as 0/1). */
export interface RawSession {
  id: string;
  session_key: string;
  platform: string;
  chat_type: string;
  chat_id: string;
  user_id: string | null;
  title: string | null;
  model: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  end_reason: string | null;
  was_auto_reset: number;
  auto_reset_reason: string | null;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

/** A `messages` row as both engines read it; `extra` is the JSON text the append stored. */
export interface RawMessage {
  id: number;
  role: TranscriptMessage['role'];
  content: string | null;
  extra: string | null;
  created_at: number;
}

export function sessionFromRow(r: RawSession): SessionRow {
  return {
    id: r.id,
    sessionKey: r.session_key,
    platform: r.platform,
    chatType: r.chat_type,
    chatId: r.chat_id,
    userId: r.user_id,
    title: r.title,
    model: r.model,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
    wasAutoReset: r.was_auto_reset === 1,
    autoResetReason: r.auto_reset_reason,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    totalTokens: r.total_tokens,
  };
}

export function messageFromRow(r: RawMessage): TranscriptMessage {
  return {
    id: r.id,
    role: r.role,
    content: r.content,
    extra: r.extra ? (JSON.parse(r.extra) as Record<string, unknown>) : null,
    createdAt: r.created_at,
  };
}

/** The `extra` column's text: tool calls and the like as JSON, or NULL when the message has none. */
export const extraJson = (extra: Record<string, unknown> | undefined): string | null =>
  extra ? JSON.stringify(extra) : null;

/**
 * What /undo and /retry hand back: the user message's text only (the caller re-sends it), so `extra` is
 * null on both engines.
 */
export const undoneUserMessage = (r: {
  id: number;
  content: string | null;
  created_at: number;
}): TranscriptMessage => ({
  id: r.id,
  role: 'user',
  content: r.content,
  extra: null,
  createdAt: r.created_at,
});

/**
 * `YYYYMMDD_HHMMSS_<8 hex>`, the Python gateway's session id format. The hex is the head of a v4 UUID (all
 * random bits): randomUUID draws from a cached entropy pool, where randomBytes asks the OS on every call.
 */
export function newSessionId(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}_${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${stamp}_${randomUUID().slice(0, 8)}`;
}

/** A session row not written yet, with the chat it is written with (its `origin`). */
export interface SessionDraft {
  readonly row: SessionRow;
  readonly chat: ChatRef;
}

/** The row a new session gets (the columns left to their defaults included), written or not. */
export function draftSession(
  sessionKey: string,
  chat: ChatRef,
  userId: string | undefined,
  now: number,
  auto?: { reason: string },
): SessionDraft {
  const row: SessionRow = {
    id: newSessionId(new Date(now)),
    sessionKey,
    platform: chat.platform,
    chatType: chat.chatType,
    chatId: chat.chatId,
    userId: userId ?? null,
    title: null,
    model: null,
    createdAt: now,
    updatedAt: now,
    endedAt: null,
    endReason: null,
    wasAutoReset: auto !== undefined,
    autoResetReason: auto?.reason ?? null,
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
  };
  return { row, chat };
}

/**
 * A draft's columns in the order id, session_key, platform, chat_type, chat_id, user_id, origin, created_at
 * (also updated_at), was_auto_reset, auto_reset_reason: what both engines' INSERT takes.
 */
export function draftValues({
  row,
  chat,
}: SessionDraft): [
  string,
  string,
  string,
  string,
  string,
  string | null,
  string,
  number,
  number,
  string | null,
] {
  return [
    row.id,
    row.sessionKey,
    row.platform,
    row.chatType,
    row.chatId,
    row.userId,
    JSON.stringify(chat),
    row.createdAt,
    row.wasAutoReset ? 1 : 0,
    row.autoResetReason,
  ];
}

export class SessionStore {
  private readonly sql: Sql;
  private readonly atomically: Atomically;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.sql = statementCache(db);
    this.atomically = atomically(db);
  }

  /**
   * The newest open session of the key. There is normally one: the newest is picked here rather than with
   * ORDER BY, which made SQLite build a temporary sort tree on every message (a query 4× as costly).
   */
  active(sessionKey: string): SessionRow | undefined {
    const rows = this.sql('SELECT * FROM sessions WHERE session_key = ? AND ended_at IS NULL').all(
      sessionKey,
    ) as RawSession[];
    let newest = rows[0];
    for (const r of rows) if (newest && r.created_at > newest.created_at) newest = r;
    return newest ? sessionFromRow(newest) : undefined;
  }

  get(id: string): SessionRow | undefined {
    const r = this.sql('SELECT * FROM sessions WHERE id = ?').get(id) as RawSession | undefined;
    return r ? sessionFromRow(r) : undefined;
  }

  create(
    sessionKey: string,
    chat: ChatRef,
    userId: string | undefined,
    auto?: { reason: string },
  ): SessionRow {
    const draft = draftSession(sessionKey, chat, userId, this.now(), auto);
    this.insert(draft);
    // The row as inserted (the other columns take their defaults): no read back per new session.
    return draft.row;
  }

  draft(sessionKey: string, chat: ChatRef, userId: string | undefined): SessionDraft {
    return draftSession(sessionKey, chat, userId, this.now());
  }

  insert(draft: SessionDraft): void {
    this.sql(
      `INSERT INTO sessions (id, session_key, platform, chat_type, chat_id, user_id, origin, created_at, was_auto_reset, auto_reset_reason, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(...draftValues(draft), draft.row.createdAt);
  }

  end(id: string, reason: string): void {
    this.sql('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL').run(
      this.now(),
      reason,
      id,
    );
  }

  /** /resume: ends whatever is active for the key and reopens the target session under that key. */
  switchTo(sessionKey: string, targetId: string): SessionRow | undefined {
    const target = this.get(targetId);
    if (!target) return undefined;
    this.atomically(() => {
      const current = this.active(sessionKey);
      if (current && current.id !== targetId) this.end(current.id, 'session_switch');
      this.sql(
        'UPDATE sessions SET ended_at = NULL, end_reason = NULL, session_key = ?, updated_at = ? WHERE id = ?',
      ).run(sessionKey, this.now(), targetId);
    });
    return this.get(targetId);
  }

  recent(sessionKey: string, limit = 10): SessionRow[] {
    return (
      this.sql('SELECT * FROM sessions WHERE session_key = ? ORDER BY created_at DESC LIMIT ?').all(
        sessionKey,
        limit,
      ) as RawSession[]
    ).map(sessionFromRow);
  }

  touch(id: string): void {
    this.sql('UPDATE sessions SET updated_at = ? WHERE id = ?').run(this.now(), id);
  }

  setTitle(id: string, title: string): void {
    this.sql('UPDATE sessions SET title = ? WHERE id = ?').run(title, id);
  }

  /**
   * Adds token counts. A turn that called the model several times may add them all at once: then
   * `lastPromptTokens` is the prompt of its last call (how full the context is now), not the sum.
   */
  addUsage(
    id: string,
    usage: { promptTokens: number; completionTokens: number; totalTokens: number },
    lastPromptTokens = usage.promptTokens,
  ): void {
    this.sql(
      'UPDATE sessions SET input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, total_tokens = total_tokens + ?, last_prompt_tokens = ? WHERE id = ?',
    ).run(usage.promptTokens, usage.completionTokens, usage.totalTokens, lastPromptTokens, id);
  }

  append(
    sessionId: string,
    role: TranscriptMessage['role'],
    content: string | null,
    extra?: Record<string, unknown>,
  ): number {
    return this.appendTx(sessionId, role, content, extraJson(extra), this.now());
  }

  /**
   * Every message a turn produced (assistant text, tool calls and results) in one commit: a turn with
   * tools writes several rows, and a commit per row was most of their cost.
   */
  appendMany(
    sessionId: string,
    entries: ReadonlyArray<{
      role: TranscriptMessage['role'];
      content: string | null;
      extra?: Record<string, unknown>;
    }>,
  ): void {
    if (entries.length === 0) return;
    const now = this.now();
    this.atomically(() => {
      const insert = this.sql(
        'INSERT INTO messages (session_id, role, content, extra, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      for (const e of entries) insert.run(sessionId, e.role, e.content, extraJson(e.extra), now);
      this.sql('UPDATE sessions SET updated_at = ? WHERE id = ?').run(now, sessionId);
    });
  }

  // One transaction for the row and the session's updated_at: one commit instead of two.
  private appendTx(
    sessionId: string,
    role: string,
    content: string | null,
    extra: string | null,
    now: number,
  ): number {
    return this.atomically(() => {
      const row = this.sql(
        'INSERT INTO messages (session_id, role, content, extra, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(sessionId, role, content, extra, now);
      this.sql('UPDATE sessions SET updated_at = ? WHERE id = ?').run(now, sessionId);
      return Number(row.lastInsertRowid);
    });
  }

  /** Crash recovery: removes what an interrupted turn wrote, from its user message on. */
  truncateFrom(sessionId: string, messageId: number): number {
    return this.sql('DELETE FROM messages WHERE session_id = ? AND id >= ?').run(sessionId, messageId)
      .changes;
  }

  transcript(sessionId: string): TranscriptMessage[] {
    const rows = this.sql(
      'SELECT id, role, content, extra, created_at FROM messages WHERE session_id = ? ORDER BY id',
    ).all(sessionId) as RawMessage[];
    return rows.map(messageFromRow);
  }

  /** /undo and /retry: drop everything from the last user message on; returns that user message. */
  truncateAtLastUserMessage(sessionId: string): TranscriptMessage | undefined {
    const last = this.sql(
      "SELECT id, role, content, extra, created_at FROM messages WHERE session_id = ? AND role = 'user' ORDER BY id DESC LIMIT 1",
    ).get(sessionId) as RawMessage | undefined;
    if (!last) return undefined;
    this.sql('DELETE FROM messages WHERE session_id = ? AND id >= ?').run(sessionId, last.id);
    return undoneUserMessage(last);
  }

  count(): number {
    return (this.sql('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
  }
}
