// A 20,000-char reply streamed to a chat platform that can edit (no chatRateLimit given: the host's default
// budget of one write per second per chat). Baseline, same run: a bare streaming client to the same model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@hermes/adapter-core';
import { createAgent } from '@hermes/agent';
import { startFakeOpenAI } from '@hermes/agent/testing';
import { GatewayHost, loadConfig } from '../dist/index.js';

const TOKENS = Number(process.env.BENCH_STREAM_TOKENS ?? 3000);

const tokens = () => Array.from({ length: TOKENS }, (_, i) => `w${String(i).padStart(5, '0')} `);

/** A chat platform in process: records when the first text became visible and every write. */
function chatAdapter() {
  let seq = 0;
  const a = {
    platform: 'memory',
    capabilities: {
      maxMessageLength: 4096,
      lengthUnit: 'utf16',
      markdown: 'markdown',
      edit: true,
      delete: false,
      typing: false,
      reactions: false,
      threads: false,
      media: { send: [], receive: [] },
    },
    sends: 0,
    edits: 0,
    firstVisibleAt: 0,
    ctx: undefined,
    async start(ctx) {
      a.ctx = ctx;
    },
    async stop() {
      a.ctx = undefined;
    },
    async send(_chat, message) {
      a.sends++;
      if (!a.firstVisibleAt && message.text) a.firstVisibleAt = performance.now();
      return { ok: true, messageIds: [`m${++seq}`] };
    },
    async edit(_chat, messageId) {
      a.edits++;
      return { ok: true, messageIds: [messageId] };
    },
  };
  return a;
}

/** Milliseconds from request to the first content chunk, read straight off the model's SSE stream. */
async function bareFirstToken(fake) {
  const t = performance.now();
  const res = await fetch(`${fake.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify({ model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'go' }] }),
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let first = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (!first && seen.includes('"content":"w')) first = performance.now() - t;
  }
  return first;
}

export async function benchStreaming() {
  const fake = await startFakeOpenAI();
  const chunks = tokens();
  fake.script({ kind: 'stream', chunks, delayMs: 1 });
  const baseTtft = await bareFirstToken(fake);

  const home = mkdtempSync(join(tmpdir(), 'hermes-bench-stream-'));
  const config = loadConfig({ HERMES_HOME: home, MEMORY_ALLOWED_USERS: 'u1' });
  const agent = createAgent({ baseURL: fake.baseURL, apiKey: 'k', model: 'fake-model', maxRetries: 0 });
  const adapter = chatAdapter();
  const host = new GatewayHost({ config, logger: createMemoryLogger(), agent, adapters: [adapter] });
  await host.start();
  fake.script({ kind: 'stream', chunks, delayMs: 1 });
  const t = performance.now();
  adapter.ctx.receive({
    id: 'bench-1',
    chat: { platform: 'memory', chatId: 'c1', chatType: 'dm' },
    sender: { id: 'u1', name: 'Bench' },
    text: 'a long answer please',
    mentionsBot: false,
    attachments: [],
    receivedAt: new Date(),
    raw: null,
  });
  const deadline = Date.now() + 120_000;
  // The reply is done when the outbox holds a sent row for it (the final write finished the stream).
  while ((await host.runtime.outbox.countByState()).sent === 0) {
    if (Date.now() > deadline) throw new Error('streamed reply did not finish within 120 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  const gwFirstVisible = adapter.firstVisibleAt - t;
  await host.stop(2000);
  await fake.close();
  rmSync(home, { recursive: true, force: true });
  return {
    chars: chunks.join('').length,
    tokens: chunks.length,
    writes: adapter.sends + adapter.edits,
    gwFirstVisible,
    baseTtft,
  };
}
