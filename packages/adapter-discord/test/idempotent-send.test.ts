import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef } from '@hermes/adapter-core';
import { createTestContext } from '@hermes/adapter-testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAdapter } from '../src/adapter.js';
import { DISCORD_IDEMPOTENT_SEND_WINDOW_MS } from '../src/constants.js';
import { MESSAGE_CREATE_ROUTE } from '../src/testing/index.js';
import { type DiscordTestRig, startRig, testConfig } from './support.js';

const group = (chatId: string): ChatRef => ({ platform: 'discord', chatId, chatType: 'group' });

/** Three messages' worth of text: core splits it at 2000 characters. */
const longText = Array.from({ length: 45 }, (_, i) => `paragraph ${i} ${'words '.repeat(20)}`).join('\n\n');

interface CreateBody {
  nonce?: string;
  enforce_nonce?: boolean;
  content?: string;
}

describe('idempotent sends (OutboundMessage.idempotencyKey → nonce + enforce_nonce)', () => {
  let rig: DiscordTestRig | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'discord-idem-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  /** The bodies of every message create the fake received, retries and deduped repeats included. */
  const creates = (r: DiscordTestRig): CreateBody[] =>
    r.fake.requests
      .filter(
        (q) => q.method === 'POST' && q.route !== undefined && /^\/channels\/\d+\/messages$/.test(q.route),
      )
      .map((q) => {
        const payload = q.parts?.find((p) => p.name === 'payload_json');
        return payload ? (JSON.parse(payload.data.toString('utf8')) as CreateBody) : q.json<CreateBody>();
      });

  it('declares the capability with a window shorter than Discord’s few minutes', async () => {
    const adapter = new DiscordAdapter({ token: 'x' });
    expect(adapter.capabilities.idempotentSend).toEqual({ windowMs: DISCORD_IDEMPOTENT_SEND_WINDOW_MS });
    expect(DISCORD_IDEMPOTENT_SEND_WINDOW_MS).toBeLessThanOrEqual(3 * 60_000);
  });

  it('an answer lost to the client’s timeout: the repeat with the same key gets the first message, nothing new', async () => {
    rig = await startRig({ restTimeoutMs: 300 });
    const { fake, adapter } = rig;
    const chat = group(fake.ids.channels.general);
    // Discord creates the message but answers after the client gave up.
    fake.faults.next({ kind: 'delay', ms: 700 }, { match: MESSAGE_CREATE_ROUTE });
    const key = 'h-2n9c-lq8x0v2k';
    const first = await adapter.send(chat, { text: 'exactly once', idempotencyKey: key });
    expect(first.ok).toBe(false);
    if (!first.ok) expect(first.error.code).toBe('timeout_ambiguous');
    const posted = await fake.waitForBotMessage((m) => m.content === 'exactly once', 3_000);

    const again = await adapter.send(chat, { text: 'exactly once', idempotencyKey: key });
    expect(again).toEqual({ ok: true, messageIds: [posted.id] });
    expect(fake.botMessages().map((m) => m.content)).toEqual(['exactly once']);
    expect(creates(rig).map((b) => [b.nonce, b.enforce_nonce])).toEqual([
      [`${key}.0`, true],
      [`${key}.0`, true],
    ]);
  });

  it('a connection lost after Discord posted, on every try: a restarted adapter repeats the send and it shows once', async () => {
    rig = await startRig();
    const { fake } = rig;
    const chat = group(fake.ids.channels.general);
    // Every one of the adapter's own tries loses its answer; the first one created the message.
    fake.faults.next({ kind: 'drop-after' }, { match: MESSAGE_CREATE_ROUTE, count: 3 });
    const key = 'h-crash-0001';
    const first = await rig.adapter.send(chat, { text: 'survives a crash', idempotencyKey: key });
    expect(first.ok).toBe(false);
    expect(fake.botMessages()).toHaveLength(1);
    const tries = creates(rig).length;
    expect(tries).toBeGreaterThanOrEqual(2);
    await rig.adapter.stop();

    // A new process: nothing of the first adapter's state is left, only the key the host stored.
    const restarted = new DiscordAdapter(testConfig(fake));
    const context = createTestContext();
    try {
      await restarted.start(context.ctx);
      const again = await restarted.send(chat, { text: 'survives a crash', idempotencyKey: key });
      expect(again).toEqual({ ok: true, messageIds: [fake.botMessages()[0]!.id] });
    } finally {
      await restarted.stop();
      await context.cleanup();
    }
    expect(fake.botMessages().map((m) => m.content)).toEqual(['survives a crash']);
    expect(creates(rig)).toHaveLength(tries + 1);
    expect(new Set(creates(rig).map((b) => b.nonce))).toEqual(new Set([`${key}.0`]));
  });

  it('every message of a split reply with a file carries its own nonce from the key', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    const chat = group(fake.ids.channels.general);
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'attached');
    const key = 'h-split-7';
    const result = await adapter.send(chat, {
      text: longText,
      media: [{ kind: 'file', path, caption: 'the notes' }],
      idempotencyKey: key,
    });
    if (!result.ok) throw result.error;
    const bodies = creates(rig);
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    expect(bodies.map((b) => b.nonce)).toEqual(bodies.map((_, i) => `${key}.${i}`));
    expect(bodies.every((b) => b.enforce_nonce === true)).toBe(true);
    expect(fake.botMessages().map((m) => m.nonce)).toEqual(bodies.map((b) => b.nonce));
    expect(
      fake
        .botMessages()
        .at(-1)!
        .files.map((f) => f.name),
    ).toEqual(['notes.txt']);
  });

  it('a key too long for `key.index` gets hashed nonces: distinct, at most 25 characters, the same on a repeat', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    const chat = group(fake.ids.channels.general);
    const key = 'a-host-key-longer-than-20';
    const first = await adapter.send(chat, { text: longText, idempotencyKey: key });
    if (!first.ok) throw first.error;
    const nonces = creates(rig).map((b) => b.nonce!);
    expect(nonces.length).toBeGreaterThanOrEqual(3);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(nonces.every((n) => n.length <= 25 && !n.includes('.'))).toBe(true);
    const again = await adapter.send(chat, { text: longText, idempotencyKey: key });
    expect(again).toEqual(first);
    expect(
      creates(rig)
        .slice(nonces.length)
        .map((b) => b.nonce),
    ).toEqual(nonces);
    expect(fake.botMessages()).toHaveLength(nonces.length);
  });

  it('a keyed reply stopped part way stays retryable, and the repeat posts only the missing parts', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    const chat = group(fake.ids.channels.general);
    // Part 2 meets a 503 on each of the adapter's tries; part 1 is already on Discord.
    fake.faults.next(
      { kind: 'status', status: 503, body: { message: 'Service Unavailable', code: 0 } },
      {
        count: 3,
        match: (q) => q.method === 'POST' && /\/messages$/.test(q.route) && fake.botMessages().length === 1,
      },
    );
    const key = 'h-part-way';
    const first = await adapter.send(chat, { text: longText, idempotencyKey: key });
    expect(first.ok).toBe(false);
    if (!first.ok) {
      expect(first.error.code).toBe('server_error');
      expect(first.error.retryable).toBe(true);
      expect(first.error.message).toMatch(/already posted; a repeat with the same idempotency key/);
    }
    expect(fake.botMessages()).toHaveLength(1);
    const partOne = fake.botMessages()[0]!.id;

    const again = await adapter.send(chat, { text: longText, idempotencyKey: key });
    if (!again.ok) throw again.error;
    expect(again.messageIds[0]).toBe(partOne);
    expect(fake.botMessages().map((m) => m.id)).toEqual(again.messageIds);
    expect(new Set(fake.botMessages().map((m) => m.nonce)).size).toBe(again.messageIds.length);
  });

  it('without a key every send is new: the same text twice is two messages', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    const chat = group(fake.ids.channels.general);
    const a = await adapter.send(chat, { text: 'same words' });
    const b = await adapter.send(chat, { text: 'same words' });
    if (!a.ok || !b.ok) throw new Error('unkeyed sends failed');
    expect(a.messageIds).not.toEqual(b.messageIds);
    expect(fake.botMessages()).toHaveLength(2);
    const [n1, n2] = creates(rig).map((x) => x.nonce);
    expect(n1).not.toBe(n2);
  });
});
