import { type AddressInfo, createServer } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectionTarget,
  openPostgresStorage,
  type PostgresStorageOptions,
  STATE_SCOPE,
  StatePostgresStorageError,
  stateMigrations,
} from './postgres/index.js';
import {
  adminUrl,
  asAdmin,
  freshSchemaUrl,
  pgSuiteName,
  postgres,
} from './postgres/test-support/pg-fixture.js';
import type { StateStorage } from './storage.js';
import { storageContract } from './storage-contract.js';

storageContract(
  'postgres',
  async () => {
    const { url } = await freshSchemaUrl();
    return {
      storage: await openPostgresStorage(url),
      reopen: () => openPostgresStorage(url),
      cleanup: async () => {},
    };
  },
  postgres.ok ? {} : { skipReason: postgres.reason },
);

const suite = describe.skipIf(!postgres.ok);

suite(pgSuiteName('PostgreSQL storage engine'), () => {
  const opened: StateStorage[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  const open = async (url: string, options?: PostgresStorageOptions): Promise<StateStorage> => {
    const s = await openPostgresStorage(url, options);
    opened.push(s);
    return s;
  };
  const failure = async (url: string, options?: PostgresStorageOptions) => {
    const error = await openPostgresStorage(url, { connectTimeoutMs: 3_000, ...options }).then(
      (s) => {
        opened.push(s);
        throw new Error('expected openPostgresStorage to fail');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StatePostgresStorageError);
    return error as StatePostgresStorageError;
  };
  const port = () => Number(new URL(adminUrl()).port);

  it('says where its state is without the password', async () => {
    const { url } = await freshSchemaUrl();
    const withPassword = url.replace('postgres://postgres@', 'postgres://postgres:hunter2-secret@');
    const s = await open(`${withPassword}&application_name=hermes`);
    expect(s.engine).toBe('postgres');
    expect(s.location).not.toContain('hunter2-secret');
    expect(s.location).toContain(`postgres://postgres@127.0.0.1:${port()}/postgres?`);
    expect(s.location).toContain('application_name=hermes');
  });

  it('names host:port/database and the fix when nothing listens there', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address() as AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
    const error = await failure(`postgres://hermes:hunter2-secret@127.0.0.1:${closedPort}/hermes`);
    expect(error.code).toBe('state_db_unreachable');
    expect(error.where).toBe(`127.0.0.1:${closedPort}/hermes`);
    expect(error.message).toContain(`PostgreSQL at 127.0.0.1:${closedPort}/hermes is unreachable`);
    expect(error.message).toContain('start it or fix the host and port in HERMES_DATABASE_URL');
    expect(error.message).not.toContain('hunter2-secret');
  });

  it('says how to create the database when it does not exist', async () => {
    const error = await failure(`postgres://postgres@127.0.0.1:${port()}/no_such_db`);
    expect(error.code).toBe('state_db_missing');
    expect(error.message).toContain(`PostgreSQL at 127.0.0.1:${port()} has no database "no_such_db"`);
    expect(error.message).toContain(`createdb -h 127.0.0.1 -p ${port()} no_such_db`);
  });

  it('refuses a URL that is not a postgres:// URL without echoing it', async () => {
    const error = await failure('mysql://root:hunter2-secret@127.0.0.1/db');
    expect(error.code).toBe('state_db_url_invalid');
    expect(error.message).not.toContain('hunter2-secret');
    expect(error.message).toContain('postgres://user:password@host:5432/database');
  });

  it('refuses a database migrated by a newer release', async () => {
    const { url, schema } = await freshSchemaUrl();
    await (await open(url)).close();
    await asAdmin((c) =>
      c.query(
        `INSERT INTO ${schema}.schema_migrations (scope, version, name) VALUES ('${STATE_SCOPE}', 99, 'from-the-future')`,
      ),
    );
    const error = await failure(url);
    expect(error.code).toBe('state_db_too_new');
    expect(error.message).toContain(
      `the state database 127.0.0.1:${port()}/postgres was migrated by a newer`,
    );
    expect(error.message).toContain('run that release or newer');
  });

  it('says the credentials were refused, never showing the password', async () => {
    const role = 'hermes_pw_test';
    // Password auth for this one role only (the shared cluster trusts everyone else): a new pg_hba.conf,
    // written by the server itself, then reloaded.
    await asAdmin(async (c) => {
      await c.query(`DROP ROLE IF EXISTS ${role}`);
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'right-password'`);
      const hba = (await c.query<{ f: string }>("SELECT current_setting('hba_file') AS f")).rows[0]!.f;
      const lines = [
        `host all ${role} 127.0.0.1/32 scram-sha-256`,
        'local all all trust',
        'host all all 127.0.0.1/32 trust',
        'host all all ::1/128 trust',
      ];
      await c.query(
        `COPY (SELECT * FROM (VALUES ${lines.map((l) => `('${l}')`).join(', ')}) AS t) TO '${hba}'`,
      );
      await c.query('SELECT pg_reload_conf()');
    });
    const wrong = `postgres://${role}:hunter2-secret@127.0.0.1:${port()}/postgres`;
    // The reload is asynchronous: wait (bounded) until the new rule is in force.
    const deadline = Date.now() + 10_000;
    let error = await failure(wrong).catch((e: unknown) => e);
    while (!(error instanceof StatePostgresStorageError && error.code === 'state_db_auth_failed')) {
      if (Date.now() > deadline) throw new Error(`pg_hba.conf reload not seen: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 100));
      error = await failure(wrong).catch((e: unknown) => e);
    }
    expect(error.message).toContain(`PostgreSQL at 127.0.0.1:${port()}/postgres refused user "${role}"`);
    expect(error.message).toContain('check the user and password in HERMES_DATABASE_URL');
    expect(error.message).not.toContain('hunter2-secret');
  });

  it('survives the server dropping its idle connections, and keeps working', async () => {
    const { url } = await freshSchemaUrl();
    const errors: Error[] = [];
    const s = await open(`${url}&application_name=hermes_dropped`, {
      onBackgroundError: (e) => errors.push(e),
    });
    await Promise.all([s.kv.set('a', 1), s.kv.set('b', 2), s.sessions.count()]);
    const killed = await asAdmin(async (c) => {
      const r = await c.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hermes_dropped'",
      );
      return r.rowCount ?? 0;
    });
    expect(killed).toBeGreaterThan(0);
    // Each dropped idle connection reports once, and only then has the pool let go of it: until every one
    // has, a query could still be handed one of them (CI took the first report as the all-clear once).
    const deadline = Date.now() + 5_000;
    while (errors.length < killed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(errors).toHaveLength(killed);
    expect(errors[0]).toBeInstanceOf(StatePostgresStorageError);
    expect((errors[0] as StatePostgresStorageError).code).toBe('state_db_unreachable');
    expect(await s.kv.get('b')).toBe(2);
  });

  it('close() waits a bounded time for a stuck write, then cuts it', async () => {
    const { url, schema } = await freshSchemaUrl();
    const s = await openPostgresStorage(url, { closeTimeoutMs: 200 });
    const locker = new pg.Client({ connectionString: adminUrl() });
    locker.on('error', () => {});
    await locker.connect();
    try {
      await locker.query(`BEGIN; LOCK TABLE ${schema}.kv IN ACCESS EXCLUSIVE MODE`);
      const stuck = s.kv.set('k', 'v').then(
        () => 'written',
        (e: unknown) => e,
      );
      // Still locked while close() runs: it must return on its own bound, not when the lock goes.
      await s.close();
      expect(await stuck).toBeInstanceOf(Error);
      await expect(s.kv.get('k')).rejects.toMatchObject({ code: 'state_db_closed' });
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  });

  it('replicas starting together migrate once, and a dedupe key is recorded by exactly one of them', async () => {
    const { url, schema } = await freshSchemaUrl();
    const replicas = await Promise.all([open(url), open(url), open(url)]);
    const versions = await asAdmin((c) =>
      c.query(`SELECT version FROM ${schema}.schema_migrations WHERE scope = $1`, [STATE_SCOPE]),
    );
    expect(versions.rows).toEqual(stateMigrations.map((m) => ({ version: m.version })));
    const ids = await Promise.all(
      replicas.flatMap((r) => [1, 2, 3].map(() => r.journal.record('telegram:dup', 'telegram', '{}'))),
    );
    expect(ids.filter((id) => id !== undefined)).toHaveLength(1);
    const once = await Promise.all(replicas.map((r) => r.units.recordOnce('press:1', 'telegram', '{}')));
    expect(once.filter(Boolean)).toHaveLength(1);
  });
});

suite(pgSuiteName('PostgreSQL storage engine: recovery scopes across replicas'), () => {
  it("a replica's writtenBy scope finds the rows it recorded, not another replica's", async () => {
    const { url } = await freshSchemaUrl();
    const a = await openPostgresStorage(url, { replicaId: 'replica-a' });
    const b = await openPostgresStorage(url, { replicaId: 'replica-b' });
    try {
      const chat = { platform: 'slack', chatId: 'C1', chatType: 'channel' } as const;
      const fromA = (await a.journal.record('slack:1', 'slack', '{}'))!;
      const fromB = (await b.journal.record('slack:2', 'slack', '{}'))!;
      const [outA] = await a.outbox.enqueue(chat, [{ text: 'a' }]);
      const [outB] = await b.units.recordReply({ chat, messages: [{ text: 'b' }], journalIds: [] });
      await a.outbox.markSending(outA!);
      await b.outbox.markSending(outB!);
      const mine = { platforms: ['slack'], writtenBy: 'replica-a' };
      expect((await a.journal.open(mine)).map((e) => e.id)).toEqual([fromA]);
      expect((await a.journal.open({ platforms: ['slack'] })).map((e) => e.id)).toEqual([fromA, fromB]);
      expect(await a.outbox.quarantineInFlight(mine)).toBe(1);
      expect(await b.outbox.get(outB!)).toMatchObject({ state: 'sending' });
      await b.outbox.markRetry(outB!, 'retry');
      expect(
        (await b.outbox.pending({ platforms: ['slack'], writtenBy: 'replica-b' })).map((e) => e.id),
      ).toEqual([outB]);
      expect(await a.units.recordOnce('press:1', 'slack', '{}')).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('connectionTarget (no server needed)', () => {
  it('drops the password and password-like parameters from what it shows', () => {
    const t = connectionTarget(
      'postgres://hermes:s3cret@db.internal:5433/state?password=x&sslpassword=y&sslmode=require',
    );
    expect(t).toMatchObject({
      where: 'db.internal:5433/state',
      host: 'db.internal',
      port: 5433,
      database: 'state',
      user: 'hermes',
    });
    expect(t?.location).toBe('postgres://hermes@db.internal:5433/state?sslmode=require');
  });

  it('defaults the port to 5432 and the database to the user, and refuses what is not a postgres URL', () => {
    expect(connectionTarget('postgresql://hermes@10.0.0.5')?.where).toBe('10.0.0.5:5432/hermes');
    expect(connectionTarget('host=db user=hermes')).toBeUndefined();
    expect(connectionTarget('https://example.org/db')).toBeUndefined();
  });
});
