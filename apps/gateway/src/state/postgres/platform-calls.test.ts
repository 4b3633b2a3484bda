import { afterEach, describe, expect, it } from 'vitest';
import type { PlatformCallRun, PlatformCallServer, PlatformCalls, StateStorage } from '../storage.js';
import { openPostgresStorage } from './index.js';
import { PgPlatformCalls } from './platform-calls.js';
import {
  asAdmin,
  freshSchemaUrl,
  openReplicaCalls,
  pgSuiteName,
  postgres,
} from './test-support/pg-fixture.js';

const suite = describe.skipIf(!postgres.ok);

interface Ran {
  platform: string;
  op: string;
  args: unknown;
}

/** Resolves when `check` holds, polling; fails the test after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

suite(pgSuiteName('PostgreSQL platform calls: adapter calls forwarded to the connection holder'), () => {
  const opened: StateStorage[] = [];
  const servers: PlatformCallServer[] = [];
  const releases: Array<() => void> = [];
  afterEach(async () => {
    for (const release of releases.splice(0)) release();
    for (const s of servers.splice(0)) await s.close();
    for (const s of opened.splice(0)) await s.close();
  });

  const replica = (url: string, id: string): Promise<PlatformCalls> => openReplicaCalls(url, id, opened);

  /** A holder serving `platforms` with `run`, recording every call it runs. */
  const serve = (
    calls: PlatformCalls,
    platforms: () => readonly string[],
    run: (c: Ran) => Promise<PlatformCallRun> = async () => ({ ok: true, result: { fine: true } }),
    ran: Ran[] = [],
  ) => {
    const server = calls.serve({
      platforms,
      run: (platform, op, args) => {
        ran.push({ platform, op, args });
        return run({ platform, op, args });
      },
      lane: (platform, _op, args) => `${platform}:${(args as { chat?: string }).chat ?? ''}`,
    });
    servers.push(server);
    return ran;
  };

  /** A run that waits until the test releases it (released in afterEach at the latest). */
  const hanging = () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    releases.push(release);
    return { gate, release };
  };

  /** A holder of telegram whose call number 1 hangs until released; the others answer `result(n)` at once. */
  const serveHoldingFirst = (on: PlatformCalls, result: (n: number) => unknown) => {
    const { gate, release } = hanging();
    const ran = serve(
      on,
      () => ['telegram'],
      async ({ args }) => {
        const n = (args as { n: number }).n;
        if (n === 1) await gate;
        return { ok: true, result: result(n) };
      },
    );
    return { ran, release };
  };

  const rows = (schema: string) =>
    asAdmin(async (c) => {
      const r = await c.query<{ id: string; state: string; taken_by: string | null; caller: string }>(
        `SELECT id, state, taken_by, caller FROM ${schema}.platform_calls ORDER BY id`,
      );
      return r.rows;
    });

  it('a call made on B runs on A, which holds the platform, and B gets A’s result', async () => {
    const { url, schema } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    const ran = serve(
      a,
      () => ['telegram'],
      async ({ args }) => ({
        ok: true,
        result: { echoed: args, ids: ['m1', 'm2'] },
      }),
    );

    const started = Date.now();
    const outcome = await b.call('telegram', 'send', { chat: 'c1', text: 'hello' }, 10_000);
    expect(outcome).toEqual({
      state: 'done',
      result: { echoed: { chat: 'c1', text: 'hello' }, ids: ['m1', 'm2'] },
    });
    // Woken by NOTIFY on both sides, not by the end of the timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ran).toEqual([{ platform: 'telegram', op: 'send', args: { chat: 'c1', text: 'hello' } }]);
    expect(await rows(schema)).toEqual([
      expect.objectContaining({ state: 'done', taken_by: 'replica-a', caller: 'replica-b' }),
    ]);
  });

  it('a failure on the holder comes back with its code and retry delay; a throw keeps its code', async () => {
    const { url } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    serve(
      a,
      () => ['telegram'],
      async ({ op }) => {
        if (op === 'throw') throw Object.assign(new Error('socket gone'), { code: 'network' });
        return { ok: false, error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 1_500 } };
      },
    );

    expect(await b.call('telegram', 'send', {}, 10_000)).toEqual({
      state: 'failed',
      error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 1_500 },
    });
    expect(await b.call('telegram', 'throw', {}, 10_000)).toEqual({
      state: 'failed',
      error: { code: 'network', message: 'socket gone' },
    });
  });

  it('nobody serving: the call times out untaken and is withdrawn, so a holder starting later never runs it', async () => {
    const { url, schema } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    // A serves another platform only: telegram calls are not its to take.
    const ranBefore = serve(a, () => ['slack']);

    const started = Date.now();
    expect(await b.call('telegram', 'send', { chat: 'c1' }, 300)).toEqual({ state: 'timeout', taken: false });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(ranBefore).toEqual([]);
    expect(await rows(schema)).toEqual([expect.objectContaining({ state: 'expired', taken_by: null })]);

    const ranAfter = serve(a, () => ['telegram']);
    await sleep(1_200);
    expect(ranAfter).toEqual([]);
    expect(await rows(schema)).toEqual([expect.objectContaining({ state: 'expired', taken_by: null })]);
  });

  it('a holder that takes the call and never answers: timeout with taken, never withdrawn', async () => {
    const { url, schema } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    const { gate } = hanging();
    const ran = serve(
      a,
      () => ['telegram'],
      async () => {
        await gate;
        return { ok: true, result: null };
      },
    );

    expect(await b.call('telegram', 'send', { chat: 'c1' }, 1_500)).toEqual({
      state: 'timeout',
      taken: true,
    });
    expect(ran).toHaveLength(1);
    expect(await rows(schema)).toEqual([expect.objectContaining({ state: 'taken', taken_by: 'replica-a' })]);
  });

  it('a lost NOTIFY (the platform was not held yet when the call came) is made up for by polling', async () => {
    const { url } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    let held: string[] = [];
    const ran = serve(a, () => held);

    const pending = b.call('telegram', 'send', { chat: 'c1' }, 10_000);
    await sleep(300);
    expect(ran).toEqual([]);
    held = ['telegram'];
    expect(await pending).toEqual({ state: 'done', result: { fine: true } });
    expect(ran).toHaveLength(1);
  });

  it('a holder that starts serving after the call was made takes it', async () => {
    const { url } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    const pending = b.call('telegram', 'typing', { chat: 'c1' }, 10_000);
    await sleep(300);
    const ran = serve(a, () => ['telegram']);
    expect(await pending).toEqual({ state: 'done', result: { fine: true } });
    expect(ran.map((r) => r.op)).toEqual(['typing']);
  });

  it('a chat’s calls run in order; another chat’s do not wait behind them', async () => {
    const { url } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    const { ran, release } = serveHoldingFirst(a, (n) => n);

    const first = b.call('telegram', 'send', { chat: 'c1', n: 1 }, 10_000);
    await until(() => ran.length === 1);
    const second = b.call('telegram', 'send', { chat: 'c1', n: 2 }, 10_000);
    const other = await b.call('telegram', 'send', { chat: 'c2', n: 3 }, 10_000);
    expect(other).toEqual({ state: 'done', result: 3 });
    // c1's second call waits behind its first, still running.
    expect(ran.map((r) => (r.args as { n: number }).n)).toEqual([1, 3]);
    release();
    expect(await first).toEqual({ state: 'done', result: 1 });
    expect(await second).toEqual({ state: 'done', result: 2 });
    expect(ran.map((r) => (r.args as { n: number }).n)).toEqual([1, 3, 2]);
  });

  it('a call whose deadline passed while it waited behind another of its chat is never run late', async () => {
    const { url, schema } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    const { ran, release } = serveHoldingFirst(a, () => null);

    const first = b.call('telegram', 'send', { chat: 'c1', n: 1 }, 10_000);
    await until(() => ran.length === 1);
    // Taken (queued behind n=1), so the caller cannot know it never ran: reported as taken.
    expect(await b.call('telegram', 'send', { chat: 'c1', n: 2 }, 1_000)).toEqual({
      state: 'timeout',
      taken: true,
    });
    release();
    expect(await first).toEqual({ state: 'done', result: null });
    await until(async () => (await rows(schema))[1]?.state === 'expired');
    expect(ran).toHaveLength(1);
  });

  it('a holder that stops gives back the calls it took but had not started; the next holder runs them', async () => {
    const { url } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    const c = await replica(url, 'replica-c');
    const { ran: ranOnA, release } = serveHoldingFirst(a, () => 'from a');
    const first = b.call('telegram', 'send', { chat: 'c1', n: 1 }, 10_000);
    await until(() => ranOnA.length === 1);
    const second = b.call('telegram', 'send', { chat: 'c1', n: 2 }, 10_000);
    await sleep(200);

    // A loses the connection: it stops serving (its running call finishes), C takes over.
    const stopping = servers.shift()?.close();
    release();
    await stopping;
    const ranOnC = serve(
      c,
      () => ['telegram'],
      async () => ({ ok: true, result: 'from c' }),
    );
    expect(await first).toEqual({ state: 'done', result: 'from a' });
    expect(await second).toEqual({ state: 'done', result: 'from c' });
    expect(ranOnA).toHaveLength(1);
    expect(ranOnC.map((r) => (r.args as { n: number }).n)).toEqual([2]);
  });

  it('a caller closing withdraws its waiting calls: nobody runs them after it stopped waiting', async () => {
    const { url, schema } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const storageB = await openPostgresStorage(url, { replicaId: 'replica-b' });
    opened.push(storageB);
    const pending = storageB.replicas?.calls?.call('telegram', 'send', { chat: 'c1' }, 10_000);
    await until(async () => (await rows(schema)).length === 1);
    await storageB.close();
    expect(await pending).toEqual({ state: 'timeout', taken: false });
    expect(await rows(schema)).toEqual([expect.objectContaining({ state: 'expired' })]);
    const ran = serve(a, () => ['telegram']);
    await sleep(800);
    expect(ran).toEqual([]);
  });

  it('the LISTEN connection dropping does not lose calls: polling carries on and it reconnects', async () => {
    const { url } = await freshSchemaUrl();
    const a = await replica(url, 'replica-pc-drop-a');
    const b = await replica(url, 'replica-pc-drop-b');
    serve(a, () => ['telegram']);
    expect(await b.call('telegram', 'send', { chat: 'c1' }, 10_000)).toMatchObject({ state: 'done' });

    const killed = await asAdmin(async (c) => {
      const r = await c.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name LIKE 'hermes-platform-calls:replica-pc-drop-%'`,
      );
      return r.rowCount;
    });
    expect(killed).toBe(2);
    expect(await b.call('telegram', 'send', { chat: 'c1' }, 10_000)).toMatchObject({ state: 'done' });
    // Both listeners come back.
    await until(async () => {
      const n = await asAdmin(async (c) => {
        const r = await c.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE application_name LIKE 'hermes-platform-calls:replica-pc-drop-%'`,
        );
        return (r.rows[0] as { n: number }).n;
      });
      return n === 2;
    });
  });

  it('prune deletes finished calls only', async () => {
    const { url, schema } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    expect(b).toBeInstanceOf(PgPlatformCalls);
    serve(a, () => ['telegram']);
    await b.call('telegram', 'send', { chat: 'c1' }, 10_000);
    await b.call('slack', 'send', { chat: 'c1' }, 200);
    const open = b.call('discord', 'send', { chat: 'c1' }, 10_000);
    await until(async () => (await rows(schema)).length === 3);

    expect(await (b as PgPlatformCalls).prune(60_000)).toBe(0);
    expect(await (b as PgPlatformCalls).prune(0)).toBe(2);
    expect((await rows(schema)).map((r) => r.state)).toEqual(['pending']);
    serve(a, () => ['discord']);
    expect(await open).toMatchObject({ state: 'done' });
  });
});
