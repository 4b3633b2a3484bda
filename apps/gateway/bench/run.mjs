// Gateway benchmarks. Every figure is reported next to a baseline measured in the same run on the same
// machine, so the ratios mean something even on a loaded CI box. Only 127.0.0.1 is touched.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateDb, SessionStore } from '../dist/index.js';
import {
  openHostStorage,
  startApiGateway,
  startBareAnswer,
  startBareProxy,
  startInstantModel,
} from './api-gateway.mjs';
import { benchStreaming } from './streaming.mjs';

const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 400);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 20_000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);

/** Each figure's median over rounds. */
function medianOf(rounds) {
  const mid = (key) => rounds.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
  return { p50: mid('p50'), p99: mid('p99'), rps: mid('rps') };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Sequential round trips (latency) then 8 concurrent clients (throughput), same payload each time. */
async function drive(url, bodyFor, headersFor) {
  const latencies = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t = process.hrtime.bigint();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headersFor(i) },
      body: bodyFor(i),
    });
    const answer = await res.text();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    // The model's answer, not a refusal or a pairing code, or the figures would measure the wrong path.
    if (i === 0 && JSON.parse(answer).choices?.[0]?.message?.content !== 'hello')
      throw new Error(`${url} did not answer with the model's reply: ${answer.slice(0, 200)}`);
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < ROUND_TRIPS) {
        const i = next++;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headersFor(i + 1_000_000) },
          body: bodyFor(i),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`status ${res.status}`);
      }
    }),
  );
  const rps = ROUND_TRIPS / ((performance.now() - start) / 1000);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps };
}

async function benchRoundTrips() {
  const model = await startInstantModel();
  const bare = await startBareAnswer();
  const proxy = await startBareProxy(model);
  const gateway = await startApiGateway(model);
  const body = () => JSON.stringify({ model: 'hermes-agent', messages: [{ role: 'user', content: 'hi' }] });
  // Warm-up, then three rounds with the sides taking turns, each figure the median of its three (a
  // moment of machine load then hits every side alike); the gateway uses a fresh session per request.
  const session = (i) => ({ 'X-Hermes-Session-Id': `bench-${i}` });
  await drive(bare.url, body, () => ({}));
  await drive(proxy.url, body, () => ({}));
  await drive(gateway.url, body, (i) => session(-i - 1));
  const rounds = { base: [], proxy: [], gw: [] };
  for (let r = 0; r < 3; r++) {
    rounds.base.push(await drive(bare.url, body, () => ({})));
    rounds.proxy.push(await drive(proxy.url, body, () => ({})));
    rounds.gw.push(await drive(gateway.url, body, (i) => session(`${r}-${i}`)));
  }
  const base = medianOf(rounds.base);
  const viaProxy = medianOf(rounds.proxy);
  const gw = medianOf(rounds.gw);
  await gateway.stop();
  await proxy.stop();
  await bare.stop();
  await model.close();
  return { base, proxy: viaProxy, gw };
}

function benchAppends() {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-bench-db-'));
  const db = openStateDb(join(dir, 'state.db'));
  const store = new SessionStore(db);
  const s = store.create('agent:main:bench:dm:1', { platform: 'bench', chatId: '1', chatType: 'dm' }, 'u');
  const text = 'a typical chat message of about eighty characters, give or take a few words here.';
  let t = performance.now();
  for (let i = 0; i < APPENDS; i++) store.append(s.id, i % 2 ? 'assistant' : 'user', text);
  const sqlitePerSec = APPENDS / ((performance.now() - t) / 1000);
  // Baseline: the Python original's transcript format, one JSON line appended per message.
  const jsonl = join(dir, 'transcript.jsonl');
  const jsonlPerSec = jsonlAppendsPerSec(jsonl, text);
  // What a turn with tools writes when it ends: assistant tool calls, tool results and the answer (6 rows)
  // in one commit, against the same 6 JSON lines appended.
  const TURN = 6;
  const turns = Math.floor(APPENDS / TURN);
  const rows = Array.from({ length: TURN }, (_, i) => ({
    role: i % 2 ? 'tool' : 'assistant',
    content: text,
  }));
  t = performance.now();
  for (let i = 0; i < turns; i++) store.appendMany(s.id, rows);
  const sqliteTurnPerSec = (turns * TURN) / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 0; i < turns; i++)
    for (const r of rows) appendFileSync(jsonl, `${JSON.stringify({ ...r, ts: Date.now() })}\n`);
  const jsonlTurnPerSec = (turns * TURN) / ((performance.now() - t) / 1000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { sqlitePerSec, jsonlPerSec, sqliteTurnPerSec, jsonlTurnPerSec };
}

/**
 * Appends the way the host makes them, through its state storage (each resolves once committed): one chat
 * awaiting each append, then 8 chats appending at once, each awaiting its own. Against the same JSONL
 * appends, measured here again so both sides share this moment's machine load.
 */
async function benchStorageAppends() {
  const { storage, close } = await openHostStorage();
  const text = 'a typical chat message of about eighty characters, give or take a few words here.';
  const WRITERS = 8;
  const sessions = [];
  for (let w = 0; w < WRITERS; w++)
    sessions.push(
      await storage.sessions.create(
        `agent:main:bench:dm:${w}`,
        { platform: 'bench', chatId: String(w), chatType: 'dm' },
        'u',
      ),
    );
  let t = performance.now();
  for (let i = 0; i < APPENDS; i++)
    await storage.sessions.append(sessions[0].id, i % 2 ? 'assistant' : 'user', text);
  const onePerSec = APPENDS / ((performance.now() - t) / 1000);
  t = performance.now();
  await Promise.all(
    sessions.map(async (s) => {
      for (let i = 0; i < APPENDS / WRITERS; i++)
        await storage.sessions.append(s.id, i % 2 ? 'assistant' : 'user', text);
    }),
  );
  const eightPerSec = APPENDS / ((performance.now() - t) / 1000);
  await close();
  const dir = mkdtempSync(join(tmpdir(), 'hermes-bench-jsonl-'));
  const jsonl = join(dir, 'transcript.jsonl');
  const jsonlPerSec = jsonlAppendsPerSec(jsonl, text);
  rmSync(dir, { recursive: true, force: true });
  return { onePerSec, eightPerSec, jsonlPerSec };
}

function benchMemory() {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-bench-mem-'));
  const db = openStateDb(join(dir, 'state.db'));
  const store = new SessionStore(db);
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const insert = db.transaction(() => {
    for (let i = 0; i < SESSIONS; i++) {
      const chat = { platform: 'bench', chatId: String(i), chatType: 'dm' };
      const s = store.create(`agent:main:bench:dm:${i}`, chat, String(i));
      store.append(s.id, 'user', 'hello');
      store.append(s.id, 'assistant', 'hi there');
    }
  });
  insert();
  // Touch every session the way the host does on a message (look up the active one).
  for (let i = 0; i < SESSIONS; i += 7) store.active(`agent:main:bench:dm:${i}`);
  globalThis.gc?.();
  const after = process.memoryUsage().rss;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { before, after };
}

const fmt = (n, d = 1) => n.toFixed(d);
// Memory first: RSS per session means something only before the other runs have grown the heap.
const mem = benchMemory();
const { base, proxy, gw } = await benchRoundTrips();
const appends = benchAppends();
const viaStorage = await benchStorageAppends();
const stream = await benchStreaming();
console.log(
  `\nGateway benchmarks (${ROUND_TRIPS} round trips per side, medians of 3 rounds; ${APPENDS} appends, ${SESSIONS} sessions)\n`,
);
console.log('| measure | gateway | baseline | ratio |');
console.log('| --- | ---: | ---: | ---: |');
console.log(
  `| chat completion p50 (ms), API server + host + instant model vs bare node:http proxy to the same model | ${fmt(gw.p50, 2)} | ${fmt(proxy.p50, 2)} | ${fmt(gw.p50 / proxy.p50)}× |`,
);
console.log(
  `| chat completion p99 (ms), same | ${fmt(gw.p99, 2)} | ${fmt(proxy.p99, 2)} | ${fmt(gw.p99 / proxy.p99)}× |`,
);
console.log(
  `| round trips/s, 8 concurrent clients, same | ${fmt(gw.rps, 0)} | ${fmt(proxy.rps, 0)} | ${fmt(gw.rps / proxy.rps, 3)}× |`,
);
console.log(
  `| round trips/s, 8 concurrent clients, vs bare node:http answering itself (no model) | ${fmt(gw.rps, 0)} | ${fmt(base.rps, 0)} | ${fmt(gw.rps / base.rps, 3)}× |`,
);
console.log(
  `| transcript appends/s, SQLite session store vs JSONL append | ${fmt(appends.sqlitePerSec, 0)} | ${fmt(appends.jsonlPerSec, 0)} | ${fmt(appends.sqlitePerSec / appends.jsonlPerSec, 2)}× |`,
);
console.log(
  `| transcript messages/s written per turn (6 in one commit) vs JSONL append | ${fmt(appends.sqliteTurnPerSec, 0)} | ${fmt(appends.jsonlTurnPerSec, 0)} | ${fmt(appends.sqliteTurnPerSec / appends.jsonlTurnPerSec, 2)}× |`,
);
console.log(
  `| transcript appends/s through the host's storage, one chat awaiting each vs JSONL append | ${fmt(viaStorage.onePerSec, 0)} | ${fmt(viaStorage.jsonlPerSec, 0)} | ${fmt(viaStorage.onePerSec / viaStorage.jsonlPerSec, 2)}× |`,
);
console.log(
  `| transcript appends/s through the host's storage, 8 chats at once (group commit) vs JSONL append | ${fmt(viaStorage.eightPerSec, 0)} | ${fmt(viaStorage.jsonlPerSec, 0)} | ${fmt(viaStorage.eightPerSec / viaStorage.jsonlPerSec, 2)}× |`,
);
console.log(
  `| RSS (MB) with ${SESSIONS} sessions vs before creating them | ${fmt(mem.after / 1e6)} | ${fmt(mem.before / 1e6)} | +${fmt((mem.after - mem.before) / SESSIONS, 0)} B/session |`,
);
console.log(
  `| streamed ${stream.chars}-char reply: writes (sends + edits) vs tokens received | ${stream.writes} | ${stream.tokens} | ${fmt(stream.writes / stream.tokens, 4)}× |`,
);
console.log(
  `| time to first visible text (ms) vs the model's time to first token, bare client | ${fmt(stream.gwFirstVisible, 1)} | ${fmt(stream.baseTtft, 1)} | ${fmt(stream.gwFirstVisible / stream.baseTtft)}× |`,
);

/** Baseline: the Python original's transcript format, one JSON line appended per message. */
function jsonlAppendsPerSec(jsonl, text) {
  const t = performance.now();
  for (let i = 0; i < APPENDS; i++)
    appendFileSync(
      jsonl,
      `${JSON.stringify({ role: i % 2 ? 'assistant' : 'user', content: text, ts: Date.now() })}\n`,
    );
  return APPENDS / ((performance.now() - t) / 1000);
}
