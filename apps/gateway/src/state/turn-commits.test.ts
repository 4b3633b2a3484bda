import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerDescriptor, createApiServerAdapter } from '@hermes/adapter-api-server';
import { createMemoryLogger } from '@hermes/adapter-core';
import { createAgent } from '@hermes/agent';
import { type FakeOpenAI, startFakeOpenAI } from '@hermes/agent/testing';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { GatewayHost } from '../host/gateway-host.js';
import { profileFromDescriptor } from '../platforms/platform-profile.js';
import type { SqliteStorage } from './sqlite-storage.js';

/**
 * What a request/reply turn writes to state.db and when, through the real API server over 127.0.0.1. A
 * second, read-only connection sees only what was committed, which is what survives a kill -9.
 */
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function startGateway(options: { runTimeoutMs?: number } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'hermes-commits-'));
  const fake: FakeOpenAI = await startFakeOpenAI();
  fake.setDefault(() => ({ kind: 'text', text: 'hello' }));
  const config = loadConfig({ HERMES_HOME: home });
  const adapter = createApiServerAdapter({ host: '127.0.0.1', port: 0, ...options });
  const logger = createMemoryLogger();
  const host = new GatewayHost({
    config,
    logger,
    agent: createAgent({ baseURL: fake.baseURL, apiKey: 'k', model: 'fake-model', maxRetries: 0 }),
    adapters: [adapter],
    profiles: { api_server: profileFromDescriptor(apiServerDescriptor) },
  });
  await host.start();
  const committed = new Database(config.paths.stateDb, { readonly: true });
  stop = async () => {
    committed.close();
    await host.stop(2000);
    await fake.close();
    rmSync(home, { recursive: true, force: true });
  };
  const ask = (session: string) =>
    fetch(`${adapter.address!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hermes-session-id': session },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    });
  return { host, adapter, committed, ask, logger };
}

/** Counts commits on one connection: autocommit writes, plus each outermost `transaction()` call. */
function countCommits(db: Database.Database): { count(): number } {
  let commits = 0;
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const tx = transaction(fn);
    return Object.assign((...args: unknown[]) => {
      if (!db.inTransaction) commits++;
      return tx(...args);
    }, tx);
  }) as typeof db.transaction;
  const statement = Object.getPrototypeOf(db.prepare('SELECT 1')) as { run(...a: unknown[]): unknown };
  const run = statement.run;
  statement.run = function (this: Database.Statement, ...args: unknown[]) {
    const own = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/.test(this.source);
    if (this.database === db && !this.reader && !own && !db.inTransaction) commits++;
    return run.apply(this, args);
  };
  stop = ((previous) => async () => {
    statement.run = run;
    await previous?.();
  })(stop);
  return { count: () => commits };
}

describe('a request/reply turn in state.db', () => {
  it('is answered only once its transcript, token counts and /insights row are committed', async () => {
    const { host, adapter, committed, ask } = await startGateway();
    let seenAtAnswer: unknown;
    const send = adapter.send.bind(adapter);
    adapter.send = async (chat, msg) => {
      seenAtAnswer = {
        transcript: committed
          .prepare('SELECT role, content FROM messages ORDER BY id')
          .all()
          .map((r) => Object.values(r as object).join(':')),
        tokens: (committed.prepare('SELECT total_tokens AS n FROM sessions').get() as { n: number }).n,
        turns: (committed.prepare('SELECT COUNT(*) AS n FROM turns').get() as { n: number }).n,
        journal: (committed.prepare('SELECT state FROM inbound').get() as { state: string }).state,
      };
      return send(chat, msg);
    };
    const res = await ask('durable-1');
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expect(answer.choices[0]?.message.content).toBe('hello');
    expect(seenAtAnswer).toEqual({
      transcript: ['user:hi', 'assistant:hello'],
      tokens: expect.any(Number),
      turns: 1,
      journal: 'done',
    });
    expect((seenAtAnswer as { tokens: number }).tokens).toBeGreaterThan(0);
    expect(await host.runtime.sessions.count()).toBe(1);
  });

  it('takes 3 commits for a turn in a new session (was 12: one per write, then 7)', async () => {
    const { host, ask } = await startGateway();
    const commits = countCommits((host.runtime.storage as SqliteStorage).db);
    // Statements the stores prepared before the counter was installed are counted too: it patches the
    // statement prototype, and the first request below is not counted.
    await (await ask('warm')).arrayBuffer();
    const before = commits.count();
    for (let i = 0; i < 3; i++) expect((await ask(`count-${i}`)).status).toBe(200);
    // inbound journal, new session + user message + turn start, answer + tokens + /insights row + journal
    // close. The answer goes to the waiting client with no outbox row (nothing a restart could deliver).
    expect((commits.count() - before) / 3).toBe(3);
    expect(await host.runtime.storage.outbox.countByState()).toMatchObject({ pending: 0, sent: 0 });
  });

  it('leaves no user message behind when the turn start cannot be recorded', async () => {
    const { host, committed, ask, logger } = await startGateway({ runTimeoutMs: 1000 });
    const journal = (host.runtime.storage as SqliteStorage).stores.journal;
    const markTurnStart = journal.markTurnStart.bind(journal);
    journal.markTurnStart = () => {
      journal.markTurnStart = markTurnStart;
      throw new Error('disk I/O error');
    };
    const res = await ask('atomic-1');
    expect(res.status).toBe(504);
    expect(logger.find('error', 'agent run failed')).toHaveLength(1);
    expect(committed.prepare("SELECT COUNT(*) AS n FROM messages WHERE role = 'user'").get()).toEqual({
      n: 0,
    });
  });
});
