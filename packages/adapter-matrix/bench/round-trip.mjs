// Round trips through a real Synapse on 127.0.0.1: alice sends, the bot answers, alice sees the answer.
// Measured once with the adapter (matrix-js-sdk underneath) and once with a bare fetch /sync + PUT client
// doing only what an echo bot must, in the same run against the same server; prints the ratio.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@hermes/adapter-core';
import { createMatrixAdapter } from '../dist/index.js';
import { startSynapse, synapseAvailability } from '../dist/testing/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const WARMUP = 10;

async function api(url, token, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A /sync loop that calls onEvent for each timeline event of the room (new ones only). */
function syncLoop(url, token, roomId, onEvent) {
  let stopped = false;
  const controller = new AbortController();
  const done = (async () => {
    let since = (
      await api(
        url,
        token,
        'GET',
        '/_matrix/client/v3/sync?timeout=0&filter={"room":{"timeline":{"limit":0}}}',
      )
    ).next_batch;
    while (!stopped) {
      try {
        const res = await fetch(`${url}/_matrix/client/v3/sync?timeout=30000&since=${since}`, {
          headers: { authorization: `Bearer ${token}` },
          signal: controller.signal,
        });
        const body = await res.json();
        since = body.next_batch;
        for (const event of body.rooms?.join?.[roomId]?.timeline?.events ?? []) onEvent(event);
      } catch (error) {
        if (!stopped) throw error;
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      controller.abort();
      await done.catch(() => {});
    },
  };
}

/** The baseline bot: bare /sync, answer every alice message with one PUT. */
function bareBot(url, bot, roomId, aliceId) {
  return syncLoop(url, bot.accessToken, roomId, (event) => {
    if (event.sender !== aliceId || event.type !== 'm.room.message') return;
    void api(
      url,
      bot.accessToken,
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${randomUUID()}`,
      {
        msgtype: 'm.text',
        body: `echo ${event.content.body}`,
      },
    );
  });
}

async function adapterBot(url, bot, stateDir) {
  const adapter = createMatrixAdapter({
    homeserver: url,
    userId: bot.userId,
    password: bot.password,
    stateDir,
  });
  const ctx = {
    logger: createMemoryLogger(),
    mediaCache: { dir: join(stateDir, 'media'), pathFor: (name) => join(stateDir, 'media', name) },
    signal: new AbortController().signal,
    status: () => {},
    receive: (msg) => void adapter.send(msg.chat, { text: `echo ${msg.text}`, format: 'plain' }),
  };
  await adapter.start(ctx);
  return { stop: () => adapter.stop() };
}

/** Alice: sequential round trips, each waiting for the echo in her own /sync. */
async function measure(url, alice, roomId, botId) {
  const waiting = new Map();
  const loop = syncLoop(url, alice.accessToken, roomId, (event) => {
    if (event.sender !== botId) return;
    const key = String(event.content?.body ?? '').replace(/^echo /, '');
    waiting.get(key)?.();
  });
  await new Promise((r) => setTimeout(r, 300));
  const times = [];
  for (let i = 0; i < ROUNDS + WARMUP; i += 1) {
    const key = `ping-${randomUUID()}`;
    const seen = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no echo for ${key} within 15 s`)), 15_000);
      waiting.set(key, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const started = performance.now();
    await api(
      url,
      alice.accessToken,
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${randomUUID()}`,
      {
        msgtype: 'm.text',
        body: key,
      },
    );
    await seen;
    if (i >= WARMUP) times.push(performance.now() - started);
  }
  await loop.stop();
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { mean, p50: times[Math.floor(times.length / 2)], p95: times[Math.floor(times.length * 0.95)] };
}

export async function run() {
  const availability = synapseAvailability();
  if (!availability.ok)
    return {
      name: 'round-trip vs bare fetch /sync (real Synapse)',
      lines: [`SKIPPED: ${availability.reason}`],
    };
  const synapse = await startSynapse();
  const stateDir = mkdtempSync(join(tmpdir(), 'hermes-matrix-bench-'));
  try {
    const bot = await synapse.register('benchbot');
    const alice = await synapse.register('benchalice');
    const { room_id: roomId } = await api(
      synapse.url,
      alice.accessToken,
      'POST',
      '/_matrix/client/v3/createRoom',
      {
        preset: 'trusted_private_chat',
        is_direct: true,
        invite: [bot.userId],
      },
    );
    await api(
      synapse.url,
      bot.accessToken,
      'POST',
      `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`,
      {},
    );
    const bare = bareBot(synapse.url, bot, roomId, alice.userId);
    const baseline = await measure(synapse.url, alice, roomId, bot.userId);
    await bare.stop();
    const client = await adapterBot(synapse.url, bot, stateDir);
    const measured = await measure(synapse.url, alice, roomId, bot.userId);
    await client.stop();
    const f = (n) => `${n.toFixed(1)} ms`;
    return {
      name: `round-trip vs bare fetch /sync (real Synapse, ${ROUNDS} sequential, ${WARMUP} warm-up)`,
      lines: [
        `bare fetch bot: mean ${f(baseline.mean)}, p50 ${f(baseline.p50)}, p95 ${f(baseline.p95)}`,
        `adapter:        mean ${f(measured.mean)}, p50 ${f(measured.p50)}, p95 ${f(measured.p95)}`,
        `ratio adapter / bare: mean ${(measured.mean / baseline.mean).toFixed(2)}x, p95 ${(measured.p95 / baseline.p95).toFixed(2)}x`,
      ],
    };
  } finally {
    await synapse.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
