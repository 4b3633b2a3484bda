import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChatRef } from '@hermes/adapter-core';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { kvPairingDocuments, PairingStore } from '../inbound/pairing-store.js';
import { type Db, openStateDb } from '../state/db.js';
import { InboundJournal } from '../state/inbound-journal.js';
import { KvStore } from '../state/kv-store.js';
import { Outbox } from '../state/outbox.js';
import { openPostgresStorage } from '../state/postgres/index.js';
import { asAdmin, freshSchemaUrl, pgSuiteName, postgres } from '../state/postgres/test-support/pg-fixture.js';
import { ResponseStore } from '../state/response-store.js';
import { SessionStore } from '../state/session-store.js';
import type { StateStorage } from '../state/storage.js';
import { TurnLog } from '../state/turn-log.js';
import { MigrateStateError, migrateState } from './migrate-state.js';

const DAY = 86_400_000;
const chat: ChatRef = { platform: 'telegram', chatId: '99', chatType: 'dm' };
const retention = { maxResponses: 10, maxAgeMs: 365 * DAY };

const dirs: string[] = [];
const storages: StateStorage[] = [];
afterEach(async () => {
  for (const s of storages.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempStateDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-migrate-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}

/** A state.db with something in every table, written through the SQLite stores the gateway uses. */
function fillStateDb(db: Db) {
  const now = Date.now();
  const sessions = new SessionStore(db);
  const journal = new InboundJournal(db);
  const outbox = new Outbox(db);
  const kv = new KvStore(db);
  const ended = sessions.create('agent:main:telegram:dm:1', chat, '1');
  sessions.append(ended.id, 'user', 'old question');
  sessions.end(ended.id, 'reset');
  const active = sessions.create('agent:main:telegram:dm:99', chat, '99', { reason: 'idle' });
  sessions.setTitle(active.id, 'Trip');
  sessions.append(active.id, 'user', 'hi');
  sessions.appendMany(active.id, [
    { role: 'assistant', content: null, extra: { tool_calls: [{ id: 'c1', name: 'terminal' }] } },
    { role: 'tool', content: 'ok', extra: { tool_call_id: 'c1' } },
    { role: 'assistant', content: 'hello ✓ «unicode»' },
  ]);
  sessions.addUsage(active.id, { promptTokens: 300, completionTokens: 20, totalTokens: 320 }, 180);
  const done = journal.record('k:done', 'telegram', '{"text":"hi"}')!;
  journal.setSessionKey(done, 'agent:main:telegram:dm:99');
  journal.markTurnStart([done], active.id, 1);
  journal.finish([done]);
  const open = journal.record('k:open', 'slack', '{"text":"pending"}')!;
  journal.setSessionKey(open, 'agent:main:slack:dm:7');
  journal.markTurnStart([open], active.id, 2);
  // The newest entry, pruned: state.db never hands its id out again, and neither may PostgreSQL.
  const monthAgo = new InboundJournal(db, () => now - 30 * DAY);
  const pruned = monthAgo.record('k:pruned', 'telegram', '{}')!;
  monthAgo.finish([pruned]);
  expect(journal.prune(7 * DAY)).toBe(1);
  const [sent, pending] = outbox.enqueue(chat, [{ text: 'one' }, { text: 'two' }], active.id);
  outbox.markSending(sent!);
  outbox.markSent(sent!, ['m1']);
  kv.set('home:telegram', { chatId: '99' });
  kv.set('voice', 'on');
  new TurnLog(db).record({
    sessionId: active.id,
    platform: 'telegram',
    model: 'm1',
    startedAt: now,
    durationMs: 1200,
    promptTokens: 300,
    completionTokens: 20,
    tools: ['terminal'],
    error: undefined,
    interrupted: false,
  });
  return { ended, active, pruned, done, open, sent: sent!, pending: pending! };
}

describe('migrateState: refusing bad sources', () => {
  it('says there is nothing to migrate when state.db does not exist', async () => {
    const path = join(tempStateDb(), '..', 'missing.db');
    const error = await migrateState({
      sqlitePath: path,
      databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
      out: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrateStateError);
    expect((error as MigrateStateError).code).toBe('source_missing');
    expect((error as Error).message).toBe(
      `no state.db at ${path}: nothing to migrate (check HERMES_HOME, or pass the path of the state.db to copy)`,
    );
  });

  it('refuses a state.db an older release left, saying how to upgrade it first', async () => {
    const path = tempStateDb();
    const old = new Database(path);
    old.pragma('user_version = 1');
    old.close();
    const error = await migrateState({
      sqlitePath: path,
      databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
      out: () => {},
    }).catch((e: unknown) => e);
    expect((error as MigrateStateError).code).toBe('source_schema_mismatch');
    expect((error as Error).message).toContain('start the gateway once on SQLite (it upgrades state.db)');
  });
});

describe.skipIf(!postgres.ok)(pgSuiteName('migrateState into PostgreSQL'), () => {
  it('copies every table with its ids, moves the sequences past them, and prints one line per table', async () => {
    const path = tempStateDb();
    const db = openStateDb(path);
    const filled = fillStateDb(db);
    const sqlite = {
      sessions: new SessionStore(db),
      journal: new InboundJournal(db),
      outbox: new Outbox(db),
      turns: new TurnLog(db),
    };
    await new ResponseStore(db, 'api_server', retention).put('resp_1', 'key:a', '{"id":"resp_1"}');
    const before = {
      ended: sqlite.sessions.get(filled.ended.id),
      active: sqlite.sessions.get(filled.active.id),
      transcript: sqlite.sessions.transcript(filled.active.id),
      endedTranscript: sqlite.sessions.transcript(filled.ended.id),
      open: sqlite.journal.open(),
      sent: sqlite.outbox.get(filled.sent),
      pending: sqlite.outbox.pending(),
      counts: sqlite.outbox.countByState(),
      insights: sqlite.turns.insights(0),
    };
    db.close();

    const { url } = await freshSchemaUrl();
    const lines: string[] = [];
    const result = await migrateState({ sqlitePath: path, databaseUrl: url, out: (l) => lines.push(l) });
    expect(lines).toEqual([
      'sessions: 2 row(s) copied',
      'messages: 5 row(s) copied',
      'inbound: 2 row(s) copied',
      'outbox: 2 row(s) copied',
      'kv: 2 row(s) copied',
      'turns: 1 row(s) copied',
      'responses: 1 row(s) copied',
    ]);
    expect(result.tables.map((t) => t.rows)).toEqual([2, 5, 2, 2, 2, 1, 1]);

    const pg = await openPostgresStorage(url);
    storages.push(pg);
    expect(await pg.sessions.get(filled.ended.id)).toEqual(before.ended);
    expect(await pg.sessions.get(filled.active.id)).toEqual(before.active);
    expect(await pg.sessions.active('agent:main:telegram:dm:99')).toEqual(before.active);
    expect(await pg.sessions.transcript(filled.active.id)).toEqual(before.transcript);
    expect(await pg.sessions.transcript(filled.ended.id)).toEqual(before.endedTranscript);
    expect(await pg.journal.open()).toEqual(before.open);
    expect(await pg.outbox.get(filled.sent)).toEqual(before.sent);
    expect(await pg.outbox.pending()).toEqual(before.pending);
    expect(await pg.outbox.countByState()).toEqual(before.counts);
    expect(await pg.kv.get('home:telegram')).toEqual({ chatId: '99' });
    expect(await pg.kv.get('voice')).toBe('on');
    expect(await pg.turns.insights(0)).toEqual(before.insights);
    expect(await pg.responses('api_server', retention).get('resp_1', 'key:a')).toBe('{"id":"resp_1"}');
    // New rows continue after the copied ids, and after the pruned one state.db had already handed out.
    const next = await pg.journal.record('k:new', 'telegram', '{}');
    expect(filled.pruned).toBeGreaterThan(Math.max(filled.done, filled.open));
    expect(next).toBeGreaterThan(filled.pruned);
    // Redelivery of a migrated key is still a duplicate.
    expect(await pg.journal.record('k:done', 'telegram', '{}')).toBeUndefined();
    const message = await pg.sessions.append(filled.active.id, 'user', 'after the move');
    expect(message).toBeGreaterThan(Math.max(...before.transcript.map((m) => m.id)));
    const [outboxId] = await pg.outbox.enqueue(chat, [{ text: 'after' }]);
    expect(outboxId).toBeGreaterThan(filled.pending);
  });

  it('refuses a target that already holds state, and leaves it as it was', async () => {
    const path = tempStateDb();
    const db = openStateDb(path);
    fillStateDb(db);
    db.close();
    const { url, schema } = await freshSchemaUrl();
    await migrateState({ sqlitePath: path, databaseUrl: url, out: () => {} });
    const counts = () =>
      asAdmin(async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${schema}.messages`)).rows[0]);
    const first = await counts();
    const lines: string[] = [];
    const error = await migrateState({ sqlitePath: path, databaseUrl: url, out: (l) => lines.push(l) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MigrateStateError);
    expect((error as MigrateStateError).code).toBe('target_not_empty');
    expect((error as Error).message).toContain('already holds state (2 sessions, 5 messages, 2 inbound');
    expect((error as Error).message).toContain('point HERMES_DATABASE_URL at a new database');
    expect(lines).toEqual([]);
    expect(await counts()).toEqual(first);
  });

  it('refuses a target where the gateway already kept only settings', async () => {
    const path = tempStateDb();
    openStateDb(path).close();
    const { url } = await freshSchemaUrl();
    const pg = await openPostgresStorage(url);
    await pg.kv.set('home:telegram', { chatId: '1' });
    await pg.close();
    const error = await migrateState({ sqlitePath: path, databaseUrl: url, out: () => {} }).catch(
      (e: unknown) => e,
    );
    expect((error as MigrateStateError).code).toBe('target_not_empty');
    expect((error as Error).message).toContain('(1 kv)');
  });

  it('gives up with a clear error when a running replica keeps the tables busy', async () => {
    const path = tempStateDb();
    openStateDb(path).close();
    const { url, schema } = await freshSchemaUrl();
    await (await openPostgresStorage(url)).close();
    const error = await asAdmin(async (c) => {
      await c.query(`BEGIN; LOCK TABLE ${schema}.outbox IN ROW EXCLUSIVE MODE`);
      try {
        return await migrateState({
          sqlitePath: path,
          databaseUrl: url,
          out: () => {},
          lockTimeoutMs: 200,
        }).catch((e: unknown) => e);
      } finally {
        await c.query('ROLLBACK');
      }
    });
    expect((error as MigrateStateError).code).toBe('target_busy');
    expect((error as Error).message).toContain('stayed locked for 200 ms');
    expect((error as Error).message).toContain('stop it and run migrate-state again');
  });

  it('copies the pairing files and the cron jobs into the shared kv store the replicas read them from', async () => {
    const path = tempStateDb();
    openStateDb(path).close();
    const home = dirname(path);
    const pairingDir = join(home, 'platforms', 'pairing');
    mkdirSync(pairingDir, { recursive: true });
    const approved = { '42': { user_name: 'Ada', approved_at: 1_700_000_000 } };
    writeFileSync(join(pairingDir, 'telegram-approved.json'), JSON.stringify(approved));
    writeFileSync(join(pairingDir, '_rate_limits.json'), '{}');
    const jobs = { jobs: [{ id: 'j1', name: 'weather', prompt: 'Report the weather' }] };
    const cronJobsFile = join(home, 'jobs.json');
    writeFileSync(cronJobsFile, JSON.stringify(jobs));
    const { url } = await freshSchemaUrl();
    const lines: string[] = [];
    await migrateState({
      sqlitePath: path,
      databaseUrl: url,
      out: (l) => lines.push(l),
      files: { pairingDir, cronJobsFile },
    });
    expect(lines.slice(-2)).toEqual([
      'pairing documents (files → kv): 2 row(s) copied',
      'cron jobs document (file → kv): 1 row(s) copied',
    ]);
    const pg = await openPostgresStorage(url, { replicaId: 'replica-a' });
    storages.push(pg);
    expect(await pg.kv.get('pairing:telegram-approved.json')).toEqual(approved);
    expect(await new PairingStore(kvPairingDocuments(pg.kv)).isApproved('telegram', '42')).toBe(true);
    expect(await pg.kv.get('cron:jobs')).toEqual(jobs);
  });

  it('refuses a pairing file that is not a JSON object, naming it, and copies nothing', async () => {
    const path = tempStateDb();
    openStateDb(path).close();
    const pairingDir = join(dirname(path), 'pairing');
    mkdirSync(pairingDir, { recursive: true });
    writeFileSync(join(pairingDir, 'telegram-approved.json'), '[1, 2');
    const { url } = await freshSchemaUrl();
    const error = await migrateState({
      sqlitePath: path,
      databaseUrl: url,
      out: () => {},
      files: { pairingDir },
    }).catch((e: unknown) => e);
    expect((error as MigrateStateError).code).toBe('source_unreadable');
    expect((error as Error).message).toContain('telegram-approved.json');
    const pg = await openPostgresStorage(url);
    storages.push(pg);
    expect(await pg.kv.get('pairing:telegram-approved.json')).toBeUndefined();
  });

  it('copies an empty state.db, and the target then starts its ids at 1', async () => {
    const path = tempStateDb();
    openStateDb(path).close();
    const { url } = await freshSchemaUrl();
    const lines: string[] = [];
    await migrateState({ sqlitePath: path, databaseUrl: url, out: (l) => lines.push(l) });
    expect(lines).toHaveLength(7);
    expect(lines.every((l) => l.endsWith(': 0 row(s) copied'))).toBe(true);
    const pg = await openPostgresStorage(url);
    storages.push(pg);
    expect(await pg.journal.record('k:1', 'telegram', '{}')).toBe(1);
  });
});
