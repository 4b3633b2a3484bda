import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef } from '@hermes/adapter-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openStateDb, STATE_SCHEMA_VERSION } from './db.js';
import { InboundJournal } from './inbound-journal.js';
import { KvStore } from './kv-store.js';
import { Outbox } from './outbox.js';
import { newSessionId, SessionStore } from './session-store.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hermes-state-'));
  db = openStateDb(join(dir, 'state.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const chat: ChatRef = { platform: 'telegram', chatId: '99', chatType: 'dm' };

describe('state.db', () => {
  it('uses WAL and migrates once', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    db = openStateDb(join(dir, 'state.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(STATE_SCHEMA_VERSION);
  });

  it('keeps sessions and transcripts, with undo back to the last user message', () => {
    const store = new SessionStore(db);
    const s = store.create('agent:main:telegram:dm:99', chat, '99');
    expect(s.id).toMatch(/^\d{8}_\d{6}_[0-9a-f]{8}$/);
    store.append(s.id, 'user', 'hi');
    store.append(s.id, 'assistant', 'hello');
    store.append(s.id, 'user', 'again');
    store.append(s.id, 'assistant', 'yes', { tool_calls: [] });
    expect(store.transcript(s.id).map((m) => m.content)).toEqual(['hi', 'hello', 'again', 'yes']);
    expect(store.truncateAtLastUserMessage(s.id)?.content).toBe('again');
    expect(store.transcript(s.id).map((m) => m.content)).toEqual(['hi', 'hello']);
    store.end(s.id, 'reset');
    expect(store.active('agent:main:telegram:dm:99')).toBeUndefined();
    const s2 = store.create('agent:main:telegram:dm:99', chat, '99');
    expect(store.switchTo('agent:main:telegram:dm:99', s.id)?.endedAt).toBeNull();
    expect(store.get(s2.id)?.endReason).toBe('session_switch');
    expect(newSessionId()).not.toBe(newSessionId());
  });

  it('journals inbound once per dedupe key and lists unfinished entries', () => {
    const journal = new InboundJournal(db);
    const id = journal.record('telegram:1', 'telegram', '{}');
    expect(id).toBeTypeOf('number');
    expect(journal.record('telegram:1', 'telegram', '{}')).toBeUndefined();
    journal.record('telegram:2', 'telegram', '{}');
    journal.finish([id!]);
    expect(journal.open().map((e) => e.dedupeKey)).toEqual(['telegram:2']);
  });

  it("writes a message's session key with its turn start or finish, not in a commit of its own", () => {
    const journal = new InboundJournal(db);
    const started = journal.record('telegram:1', 'telegram', '{}')!;
    const finished = journal.record('telegram:2', 'telegram', '{}')!;
    journal.setSessionKey(started, 'agent:main:telegram:dm:1');
    journal.setSessionKey(finished, 'agent:main:telegram:dm:2');
    const keyOf = (id: number) =>
      (db.prepare('SELECT session_key FROM inbound WHERE id = ?').get(id) as { session_key: string | null })
        .session_key;
    expect(keyOf(started)).toBeNull();
    journal.markTurnStart([started], 'session-1', 7);
    journal.finish([finished]);
    expect(keyOf(started)).toBe('agent:main:telegram:dm:1');
    expect(keyOf(finished)).toBe('agent:main:telegram:dm:2');
    // Written once: a later finish keeps it.
    journal.finish([started]);
    expect(keyOf(started)).toBe('agent:main:telegram:dm:1');
    expect(journal.open()).toEqual([]);
  });

  it('returns the created session as stored, and keeps the last prompt size when usage is added at once', () => {
    const store = new SessionStore(db);
    const created = store.create('agent:main:telegram:dm:99', chat, '99', { reason: 'idle' });
    expect(created).toEqual(store.get(created.id));
    store.addUsage(created.id, { promptTokens: 300, completionTokens: 20, totalTokens: 320 }, 180);
    expect(store.get(created.id)).toMatchObject({ inputTokens: 300, outputTokens: 20, totalTokens: 320 });
    const row = db.prepare('SELECT last_prompt_tokens AS n FROM sessions WHERE id = ?').get(created.id);
    expect(row).toEqual({ n: 180 });
  });

  it('takes the newest open session of a key by creation time', () => {
    let now = 2_000_000;
    const store = new SessionStore(db, () => now);
    const newer = store.create('agent:main:telegram:dm:99', chat, '99');
    now = 1_000_000;
    store.create('agent:main:telegram:dm:99', chat, '99');
    expect(store.active('agent:main:telegram:dm:99')?.id).toBe(newer.id);
    store.end(newer.id, 'reset');
    expect(store.active('agent:main:telegram:dm:99')?.createdAt).toBe(1_000_000);
  });

  it('deletes kv keys that exist and ignores ones that never did', () => {
    const kv = new KvStore(db);
    kv.set('stream:1', { messageId: 'm' });
    kv.delete('stream:2');
    expect(kv.get('stream:1')).toEqual({ messageId: 'm' });
    kv.delete('stream:1');
    expect(kv.get('stream:1')).toBeUndefined();
  });

  it('records replies before sending and quarantines in-flight rows after a crash', () => {
    const outbox = new Outbox(db);
    const [a, b, c] = outbox.enqueue(chat, [{ text: 'one' }, { text: 'two' }, { text: 'three' }], 'turn-1');
    outbox.markSending(a!);
    outbox.markSent(a!, ['m1']);
    outbox.markSending(b!);
    // crash here: b is in flight, c never tried
    expect(outbox.quarantineInFlight()).toBe(1);
    expect(outbox.pending().map((e) => e.message.text)).toEqual(['three']);
    expect(outbox.get(b!)?.state).toBe('ambiguous');
    expect(outbox.countByState()).toMatchObject({ sent: 1, ambiguous: 1, pending: 1 });
    expect(outbox.get(c!)?.chat).toEqual(chat);
  });

  it('prunes finished journal and outbox rows past their age, never open ones', () => {
    let now = 1_000_000;
    const journal = new InboundJournal(db, () => now);
    const outbox = new Outbox(db, () => now);
    const done = journal.record('k:done', 'telegram', '{}')!;
    journal.finish([done]);
    journal.record('k:open', 'telegram', '{}');
    const [sent, pending] = outbox.enqueue(chat, [{ text: 'a' }, { text: 'b' }]);
    outbox.markSending(sent!);
    outbox.markSent(sent!, ['m']);
    now += 8 * 24 * 3_600_000;
    expect(journal.prune(7 * 24 * 3_600_000)).toBe(1);
    expect(outbox.prune(7 * 24 * 3_600_000)).toBe(1);
    expect(journal.open().map((e) => e.dedupeKey)).toEqual(['k:open']);
    expect(outbox.get(pending!)?.state).toBe('pending');
    expect(journal.record('k:done', 'telegram', '{}')).toBeTypeOf('number');
  });
});
