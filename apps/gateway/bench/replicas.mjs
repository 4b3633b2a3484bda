// Replicas on PostgreSQL (issue 15): API-server turns/s with one replica on PostgreSQL against one on
// SQLite, then two and three replicas; the takeover time after kill -9 of the connection owner (median and
// max of 10); what one journal and one outbox write cost on each engine; what a send through another
// replica's connection costs. Every process is started here,
// on 127.0.0.1, and stopped before the script ends. PostgreSQL runs with its own durability on (fsync,
// synchronous commit), as an operator runs it; state.db with the gateway's WAL + synchronous=NORMAL.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startFakeTelegram } from '@hermes/adapter-telegram/testing';
import { postgresAvailability, startTestPostgres } from '@hermes/state-postgres/testing';
import { loadConfig, openStateStorage } from '../dist/index.js';
import { startInstantModel } from './api-gateway.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, '../dist/cli.js');
const TURNS = Number(process.env.BENCH_REPLICA_TURNS ?? 1200);
const CLIENTS = Number(process.env.BENCH_REPLICA_CLIENTS ?? 16);
const TAKEOVERS = Number(process.env.BENCH_TAKEOVERS ?? 10);
const LEASE_SECONDS = Number(process.env.BENCH_LEASE_SECONDS ?? 2);
const WRITES = Number(process.env.BENCH_STATE_WRITES ?? 2000);
const CALLS = Number(process.env.BENCH_PLATFORM_CALLS ?? 500);

/** Resolves with the first line `child` prints that parses as JSON; rejects on exit or after `ms`. */
function firstJsonLine(child, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from the replica within ${ms} ms`)), ms);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const value = JSON.parse(line);
        clearTimeout(timer);
        resolve(value);
      } catch {
        // Not the line we wait for.
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited with ${code} before it answered`));
    });
  });
}

async function startApiReplica(modelUrl, stateEnv) {
  const child = spawn(process.execPath, [join(HERE, 'replica-child.mjs')], {
    env: { ...process.env, BENCH_MODEL_URL: modelUrl, BENCH_STATE_ENV: JSON.stringify(stateEnv) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { url } = await firstJsonLine(child, 30_000);
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** CLIENTS concurrent clients, each request to the next replica in turn; turns per second over TURNS. */
async function turnsPerSecond(urls, label) {
  const body = JSON.stringify({ model: 'hermes-agent', messages: [{ role: 'user', content: 'hi' }] });
  let next = 0;
  const one = async (i) => {
    const res = await fetch(urls[i % urls.length], {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Hermes-Session-Id': `${label}-${i}` },
      body,
    });
    const answer = await res.text();
    if (res.status !== 200 || JSON.parse(answer).choices?.[0]?.message?.content !== 'hello')
      throw new Error(`${urls[i % urls.length]} answered ${res.status}: ${answer.slice(0, 200)}`);
  };
  for (let i = 0; i < 2 * CLIENTS; i++) await one(1_000_000 + i); // warm-up, not counted
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < TURNS) await one(next++);
    }),
  );
  return TURNS / ((performance.now() - start) / 1000);
}

async function benchTurns(pg) {
  const model = await startInstantModel();
  const run = async (label, count, stateEnv) => {
    const replicas = [];
    try {
      for (let i = 0; i < count; i++) replicas.push(await startApiReplica(model.baseURL, stateEnv(i)));
      return await turnsPerSecond(
        replicas.map((r) => r.url),
        label,
      );
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  };
  const sqlite = await run('sqlite', 1, () => ({}));
  const results = { sqlite };
  for (const count of [1, 2, 3]) {
    const url = await pg.createDatabase(`bench_turns_${count}`);
    results[`pg${count}`] = await run(`pg${count}`, count, (i) => ({
      HERMES_DATABASE_URL: url,
      HERMES_REPLICA_ID: `bench-${count}-${i}`,
    }));
  }
  await model.close();
  return results;
}

function ownsTelegram(home) {
  try {
    const file = JSON.parse(readFileSync(join(home, 'gateway_state.json'), 'utf8'));
    return Array.isArray(file.replica?.owns) && file.replica.owns.includes('telegram');
  } catch {
    return false; // missing or caught half-written
  }
}

async function until(what, check, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A real `hermes gateway` process holding (or waiting for) the Telegram connection of the fake. */
async function startTelegramReplica(o) {
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-takeover-'));
  const child = spawn(process.execPath, [CLI, 'gateway'], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      HERMES_HOME: home,
      HERMES_LOG_LEVEL: 'warn',
      HERMES_DATABASE_URL: o.databaseUrl,
      HERMES_CONNECTION_LEASE_SECONDS: String(LEASE_SECONDS),
      TELEGRAM_BOT_TOKEN: o.telegram.token,
      TELEGRAM_API_ROOT: o.telegram.apiRoot,
      OPENAI_BASE_URL: o.modelUrl,
      OPENAI_API_KEY: 'sk-bench-0123456789',
      HERMES_MODEL: 'fake-model',
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const replica = { home, child, alive: true };
  child.once('exit', () => {
    replica.alive = false;
  });
  // Up once its status file exists (it writes it when running, owner or standby).
  await until(
    'a replica to start',
    () => readFileSafe(join(home, 'gateway_state.json')) || !replica.alive,
    30_000,
  );
  if (!replica.alive) throw new Error('a gateway replica exited at start');
  return replica;
}

function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8').length > 0;
  } catch {
    return false;
  }
}

async function benchTakeover(pg) {
  const telegram = await startFakeTelegram();
  const model = await startInstantModel();
  const databaseUrl = await pg.createDatabase('bench_takeover');
  const o = { telegram, modelUrl: model.baseURL, databaseUrl };
  const replicas = [];
  const times = [];
  try {
    for (let i = 0; i < 3; i++) replicas.push(await startTelegramReplica(o));
    for (let n = 0; n < TAKEOVERS; n++) {
      const owner = await until(
        'exactly one owner',
        () => {
          const owners = replicas.filter((r) => r.alive && ownsTelegram(r.home));
          return owners.length === 1 ? owners[0] : undefined;
        },
        LEASE_SECONDS * 1000 * 5 + 10_000,
      );
      const killedAt = performance.now();
      owner.child.kill('SIGKILL');
      owner.alive = false;
      await until(
        'another replica to take the connection over',
        () => replicas.some((r) => r.alive && ownsTelegram(r.home)),
        LEASE_SECONDS * 1000 * 5 + 10_000,
      );
      times.push(performance.now() - killedAt);
      rmSync(owner.home, { recursive: true, force: true });
      replicas.splice(replicas.indexOf(owner), 1);
      replicas.push(await startTelegramReplica(o));
    }
  } finally {
    for (const r of replicas) if (r.alive) r.child.kill('SIGKILL');
    await Promise.all(
      replicas.map((r) => (r.alive ? new Promise((resolve) => r.child.once('exit', resolve)) : undefined)),
    );
    for (const r of replicas) rmSync(r.home, { recursive: true, force: true });
    await model.close();
    await telegram.close();
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], max: times.at(-1) };
}

/** µs per sequential write: a journal record, then a reply's outbox row from enqueue to sent. */
async function writeCost(env) {
  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-writes-'));
  const storage = await openStateStorage(loadConfig({ HERMES_HOME: home, ...env }));
  const chat = { platform: 'bench', chatId: '1', chatType: 'dm' };
  try {
    let t = performance.now();
    for (let i = 0; i < WRITES; i++) await storage.journal.record(`bench:1:${i}`, 'bench', '{"text":"hi"}');
    const journal = ((performance.now() - t) * 1000) / WRITES;
    t = performance.now();
    for (let i = 0; i < WRITES; i++) {
      const [id] = await storage.outbox.enqueue(chat, [{ text: 'hello' }], 'turn');
      await storage.outbox.markSending(id);
      await storage.outbox.markSent(id, [`m${i}`]);
    }
    const outbox = ((performance.now() - t) * 1000) / WRITES;
    return { journal, outbox };
  } finally {
    await storage.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * µs per adapter call forwarded to the replica holding the connection (a reply sent by a replica running a
 * turn for a connection it does not hold), sequential, against the floor of the same number of plain round
 * trips: record the call, the holder takes it, answers, the caller reads the answer (4 round trips).
 */
async function platformCallCost(url) {
  const homes = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'hermes-bench-calls-')));
  const [holder, caller] = await Promise.all(
    homes.map((home, i) =>
      openStateStorage(
        loadConfig({ HERMES_HOME: home, HERMES_DATABASE_URL: url, HERMES_REPLICA_ID: `bench-${i}` }),
      ),
    ),
  );
  const server = holder.replicas.calls.serve({
    platforms: () => ['bench'],
    run: async () => ({ ok: true, result: { ok: true, messageIds: ['m'] } }),
  });
  try {
    const args = { chat: { platform: 'bench', chatId: '1', chatType: 'dm' }, message: { text: 'hello' } };
    for (let i = 0; i < 20; i++) await caller.replicas.calls.call('bench', 'send', args, 10_000);
    let t = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const outcome = await caller.replicas.calls.call('bench', 'send', args, 10_000);
      if (outcome.state !== 'done') throw new Error(`forwarded call ended ${outcome.state}`);
    }
    const forwarded = ((performance.now() - t) * 1000) / CALLS;
    t = performance.now();
    for (let i = 0; i < CALLS; i++) for (let k = 0; k < 4; k++) await caller.kv.get('bench:none');
    const floor = ((performance.now() - t) * 1000) / CALLS;
    return { forwarded, floor };
  } finally {
    await server.close();
    await Promise.all([holder.close(), caller.close()]);
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  }
}

const avail = postgresAvailability();
if (!avail.ok) {
  console.log(`\nReplica benchmarks skipped: ${avail.reason}\n`);
  process.exit(0);
}
const pg = await startTestPostgres({ durable: true });
try {
  const turns = await benchTurns(pg);
  const takeover = await benchTakeover(pg);
  const sqliteWrites = await writeCost({});
  const pgWrites = await writeCost({ HERMES_DATABASE_URL: await pg.createDatabase('bench_writes') });
  const calls = await platformCallCost(await pg.createDatabase('bench_calls'));
  const f = (n) => n.toFixed(0);
  const r = (a, b) => `${(a / b).toFixed(2)}×`;
  console.log(
    `\nReplicas on PostgreSQL (${TURNS} turns, ${CLIENTS} clients, durable commits on both engines)\n`,
  );
  console.log('| measure | PostgreSQL | baseline | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(
    `| API turns/s, 1 replica (vs 1 on SQLite) | ${f(turns.pg1)} | ${f(turns.sqlite)} | ${r(turns.pg1, turns.sqlite)} |`,
  );
  console.log(
    `| API turns/s, 2 replicas (vs 1 on PostgreSQL) | ${f(turns.pg2)} | ${f(turns.pg1)} | ${r(turns.pg2, turns.pg1)} |`,
  );
  console.log(
    `| API turns/s, 3 replicas (vs 1 on PostgreSQL) | ${f(turns.pg3)} | ${f(turns.pg1)} | ${r(turns.pg3, turns.pg1)} |`,
  );
  console.log(
    `| takeover ms after kill -9, median of ${TAKEOVERS} (vs the ${LEASE_SECONDS} s lease) | ${f(takeover.median)} | ${LEASE_SECONDS * 1000} | ${r(takeover.median, LEASE_SECONDS * 1000)} |`,
  );
  console.log(
    `| takeover ms after kill -9, max of ${TAKEOVERS} (vs the lease) | ${f(takeover.max)} | ${LEASE_SECONDS * 1000} | ${r(takeover.max, LEASE_SECONDS * 1000)} |`,
  );
  console.log(
    `| journal record µs (vs state.db) | ${f(pgWrites.journal)} | ${f(sqliteWrites.journal)} | ${r(pgWrites.journal, sqliteWrites.journal)} |`,
  );
  console.log(
    `| outbox enqueue+sending+sent µs (vs state.db) | ${f(pgWrites.outbox)} | ${f(sqliteWrites.outbox)} | ${r(pgWrites.outbox, sqliteWrites.outbox)} |`,
  );
  console.log(
    `| send through another replica's connection µs (vs 4 plain round trips) | ${f(calls.forwarded)} | ${f(calls.floor)} | ${r(calls.forwarded, calls.floor)} |`,
  );
} finally {
  await pg.stop();
}
