// Profiles the gateway alone while 8 clients drive chat completions through its API server, so the profile
// holds the gateway's work and not the clients'. The gateway (API server, host, instant fake model) runs in
// a child process started with BENCH_PROFILE_FLAGS (default `--cpu-prof`; `--heap-prof` works too); the
// profile lands in BENCH_PROFILE_DIR (default ./profiles). With BENCH_COUNT_COMMITS=1 the child counts the
// SQLite commits per request instead (no profile flags needed then). After `pnpm --filter @hermes/gateway build`:
//   node bench/profile-api.mjs [gateway|proxy]
//   BENCH_PROFILE_FLAGS= BENCH_COUNT_COMMITS=1 node bench/profile-api.mjs
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUESTS = Number(process.env.BENCH_ROUND_TRIPS ?? 4000);

/**
 * Counts commits: a write statement run outside a transaction commits on its own, and the outermost call of
 * a `db.transaction()` function commits once. Patched onto better-sqlite3's prototypes before the host opens
 * state.db, so every store is counted; each commit is also tallied by what made it.
 */
async function commitCounter() {
  const { default: Database } = await import('better-sqlite3');
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1'));
  probe.close();
  const by = new Map();
  const count = (what) => by.set(what, (by.get(what) ?? 0) + 1);
  const run = statement.run;
  statement.run = function (...args) {
    // better-sqlite3 runs its own BEGIN/COMMIT/SAVEPOINT statements inside transaction(): not extra commits.
    const own = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/.test(this.source);
    if (!this.reader && !own && !this.database.inTransaction) count(this.source.slice(0, 70));
    return run.apply(this, args);
  };
  const transaction = Database.prototype.transaction;
  Database.prototype.transaction = function (fn) {
    const tx = transaction.call(this, fn);
    return (...args) => {
      if (!this.inTransaction) count(`transaction ${new Error().stack.split('\n')[2]?.trim()}`);
      return tx(...args);
    };
  };
  return { reset: () => by.clear(), read: () => Object.fromEntries(by) };
}

async function serve(what) {
  const counter = process.env.BENCH_COUNT_COMMITS === '1' ? await commitCounter() : undefined;
  const { startApiGateway, startBareProxy, startInstantModel } = await import('./api-gateway.mjs');
  const model = await startInstantModel();
  const server = what === 'proxy' ? await startBareProxy(model) : await startApiGateway(model);
  process.send({ url: server.url });
  let cpu = process.cpuUsage();
  process.on('message', async (msg) => {
    if (msg === 'reset') {
      counter?.reset();
      cpu = process.cpuUsage();
      process.send({ reset: true });
      return;
    }
    const used = process.cpuUsage(cpu);
    const commits = counter?.read();
    await server.stop();
    await model.close();
    process.send({ done: true, commits, cpuMicros: used.user + used.system });
    process.exit(0);
  });
}

async function drive(what) {
  const flags = (process.env.BENCH_PROFILE_FLAGS ?? '--cpu-prof').split(' ').filter(Boolean);
  const dir = resolve(process.env.BENCH_PROFILE_DIR ?? 'profiles');
  const child = fork(fileURLToPath(import.meta.url), ['serve', what], {
    execArgv: [
      ...flags,
      ...(flags.includes('--cpu-prof') ? [`--cpu-prof-dir=${dir}`] : []),
      ...(flags.includes('--heap-prof') ? [`--heap-prof-dir=${dir}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { url } = await new Promise((r) => child.once('message', r));
  const body = JSON.stringify({ model: 'hermes-agent', messages: [{ role: 'user', content: 'hi' }] });
  const post = async (i) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Hermes-Session-Id': `profile-${i}` },
      body,
    });
    const answer = await res.json();
    const text = answer.choices?.[0]?.message?.content;
    if (res.status !== 200 || text !== 'hello')
      throw new Error(`not the model's answer: ${res.status} ${JSON.stringify(answer).slice(0, 200)}`);
  };
  await post(-1);
  child.send('reset');
  await new Promise((r) => child.once('message', r));
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < REQUESTS) await post(next++);
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  child.send('stop');
  const done = await new Promise((r) => child.on('message', (m) => m.done && r(m)));
  await new Promise((r) => child.once('exit', r));
  console.log(
    `${what}: ${REQUESTS} requests, 8 clients: ${(REQUESTS / seconds).toFixed(0)} req/s, ${(done.cpuMicros / REQUESTS).toFixed(0)} µs CPU per request (model included)`,
  );
  if (flags.length > 0) console.log(`profile in ${dir}`);
  if (done.commits) {
    const total = Object.values(done.commits).reduce((a, b) => a + b, 0);
    console.log(`SQLite commits: ${total} (${(total / REQUESTS).toFixed(2)} per request)`);
    for (const [what, n] of Object.entries(done.commits).sort((a, b) => b[1] - a[1]))
      console.log(`  ${(n / REQUESTS).toFixed(2)}  ${what}`);
  }
}

// `proxy` profiles the bare node:http proxy to the same model instead, for the same figures.
const what = (process.argv[2] === 'serve' ? process.argv[3] : process.argv[2]) ?? 'gateway';
if (process.argv[2] === 'serve') await serve(what);
else await drive(what);
