import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef, OutboundMessage } from '@hermes/adapter-core';
import { createTestContext, type TestContext } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { FeishuAdapter } from './adapter.js';
import { FEISHU_IDEMPOTENT_SEND_WINDOW_MS } from './constants.js';
import { FEISHU_UUID_MAX_CHARS, uuidBase } from './outbound.js';
import { fakeConfig, type Rig, sleep, startRig } from './test-support.js';

const dm: ChatRef = { platform: 'feishu', chatId: 'oc_dm_idem', chatType: 'dm' };
/** The shape of the gateway host's keys (≤ 20 chars). */
const KEY = 'h-2n9c-lq8x0v2k';

let rig: Rig | undefined;
let restarted: { adapter: FeishuAdapter; context: TestContext } | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (restarted) {
    await restarted.adapter.stop();
    await restarted.context.cleanup();
    restarted = undefined;
  }
  await rig?.close();
  rig = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The uuid of every create/reply request the fake received, in order. */
function sendUuids(r: Rig): string[] {
  return r.fake.server.requests
    .filter((q) => q.method === 'POST' && /^\/open-apis\/im\/v1\/messages(\/[^/]+\/reply)?$/.test(q.path))
    .map((q) => q.json<{ uuid?: string }>().uuid ?? '<none>');
}

/** A second adapter on the same fake, as after the gateway crashed and came back. */
async function restartedAdapter(r: Rig): Promise<FeishuAdapter> {
  await r.adapter.stop();
  const adapter = new FeishuAdapter(fakeConfig(r.fake));
  const context = createTestContext();
  restarted = { adapter, context };
  await adapter.start(context.ctx);
  return adapter;
}

/** About 12,000 characters in three paragraphs: split into at least three 4000-char messages. */
const LONG = Array.from({ length: 3 }, (_, i) => `Part ${i}: ${'lorem ipsum '.repeat(330)}`).join('\n\n');

describe('feishu idempotent send (uuid from OutboundMessage.idempotencyKey)', () => {
  it('declares the capability with a window inside Feishu’s one hour', async () => {
    rig = await startRig();
    const window = rig.adapter.capabilities.idempotentSend?.windowMs;
    expect(window).toBe(FEISHU_IDEMPOTENT_SEND_WINDOW_MS);
    expect(window).toBeGreaterThan(0);
    expect(window).toBeLessThan(60 * 60 * 1000);
  });

  it('a keyed send whose every answer was lost fails; the host’s repeat shows once and names that message', async () => {
    rig = await startRig();
    // The adapter tries a send 4 times (its pacer's maxAttempts): every answer lost, the outcome is unknown.
    rig.fake.loseNextSendAnswer(4);
    const message: OutboundMessage = { text: 'exactly once, keyed', idempotencyKey: KEY };
    const first = await rig.adapter.send(dm, message);
    expect(first.ok).toBe(false);
    const created = rig.fake.sentMessages();
    expect(created.map((m) => m.text)).toEqual(['exactly once, keyed']);
    const again = await rig.adapter.send(dm, message);
    expect(again).toEqual({ ok: true, messageIds: [created[0]!.messageId] });
    expect(rig.fake.sentMessages()).toHaveLength(1);
    // Every try, the adapter's own and the host's, carried the uuid derived from the key.
    const uuids = sendUuids(rig);
    expect(uuids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(uuids)).toEqual(new Set([`${KEY}.0`]));
  }, 20_000);

  it('a long keyed reply: one uuid per part, the first part a reply; a restarted adapter’s repeat creates nothing', async () => {
    rig = await startRig();
    const inbound = await rig.fake.deliverDm('tell me everything', { chatId: dm.chatId });
    await rig.context.waitForReceived((m) => m.id === inbound, 5_000);
    const message: OutboundMessage = { text: LONG, replyTo: inbound, idempotencyKey: KEY };
    const first = await rig.adapter.send(dm, message);
    if (!first.ok) throw new Error(`keyed send failed: ${first.error.message}`);
    const sent = rig.fake.sentMessages();
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent.map((m) => m.uuid)).toEqual(sent.map((_, i) => `${KEY}.${i}`));
    expect(sent[0]).toMatchObject({ replyTo: inbound, chatId: dm.chatId });
    expect(sent.slice(1).every((m) => m.replyTo === undefined)).toBe(true);

    const adapter = await restartedAdapter(rig);
    const again = await adapter.send(dm, message);
    expect(again).toEqual(first);
    expect(rig.fake.sentMessages()).toHaveLength(sent.length);
    // The repeat really went to Feishu (the reply route included) with the same uuids, and was deduped there.
    const replyUuids = rig.fake.server.requests
      .filter((q) => q.method === 'POST' && q.path === `/open-apis/im/v1/messages/${inbound}/reply`)
      .map((q) => q.json<{ uuid?: string }>().uuid);
    expect(replyUuids).toEqual([`${KEY}.0`, `${KEY}.0`]);
  });

  it('a keyed reply in a thread is deduped on the reply route too', async () => {
    rig = await startRig();
    rig.fake.seedMessage('om_root_idem', 'oc_group_idem', 'thread root');
    const thread: ChatRef = {
      platform: 'feishu',
      chatId: 'oc_group_idem',
      chatType: 'group',
      threadId: 'om_root_idem',
    };
    const message: OutboundMessage = { text: 'in the thread, once', idempotencyKey: KEY };
    const first = await rig.adapter.send(thread, message);
    const again = await rig.adapter.send(thread, message);
    expect(first.ok && again.ok).toBe(true);
    expect(again).toEqual(first);
    expect(rig.fake.sentMessages().map((m) => [m.text, m.replyTo, m.threadId, m.uuid])).toEqual([
      ['in the thread, once', 'om_root_idem', 'om_root_idem', `${KEY}.0`],
    ]);
  });

  it('media and captions get uuids of their own; a repeat uploads again but posts nothing new', async () => {
    rig = await startRig();
    dir = await mkdtemp(join(tmpdir(), 'feishu-idem-'));
    await writeFile(join(dir, 'a.png'), Buffer.from('png bytes'));
    await writeFile(join(dir, 'b.pdf'), Buffer.from('pdf bytes'));
    const message: OutboundMessage = {
      text: 'here you go',
      media: [
        { kind: 'image', path: join(dir, 'a.png'), mime: 'image/png' },
        { kind: 'file', path: join(dir, 'b.pdf'), caption: 'the report' },
      ],
      idempotencyKey: KEY,
    };
    const first = await rig.adapter.send(dm, message);
    expect(first.ok).toBe(true);
    const sent = rig.fake.sentMessages();
    expect(sent.map((m) => [m.msgType, m.uuid])).toEqual([
      ['text', `${KEY}.0`],
      ['image', `${KEY}.m0`],
      ['file', `${KEY}.m1`],
      ['text', `${KEY}.c1`],
    ]);
    const again = await rig.adapter.send(dm, message);
    expect(again).toEqual(first);
    expect(rig.fake.sentMessages()).toHaveLength(4);
    // Uploads carry no uuid: the repeat's uploads are orphans Feishu never shows (the cost of a repeat).
    expect(rig.fake.uploads.size).toBe(4);
  });

  it('a key too long or with other characters is hashed: the same each try, within 50 chars, distinct per key', async () => {
    rig = await startRig();
    const keys = ['x'.repeat(80), `${'x'.repeat(79)}y`, 'key with spaces/and:colons'];
    for (const [i, idempotencyKey] of keys.entries()) {
      for (let attempt = 0; attempt < 2; attempt++)
        expect((await rig.adapter.send(dm, { text: `keyed ${i}`, idempotencyKey })).ok).toBe(true);
    }
    const sent = rig.fake.sentMessages();
    expect(sent.map((m) => m.text)).toEqual(['keyed 0', 'keyed 1', 'keyed 2']);
    const uuids = sent.map((m) => m.uuid ?? '');
    expect(new Set(uuids).size).toBe(3);
    for (const uuid of uuids) {
      expect(uuid.length).toBeLessThanOrEqual(FEISHU_UUID_MAX_CHARS);
      expect(uuid).toMatch(/^[A-Za-z0-9_-]{36}\.0$/);
    }
  });

  it('uuidBase: a host key as is, a long one hashed the same every time, no key random per call', () => {
    expect(uuidBase(KEY)).toBe(KEY);
    const long = 'k'.repeat(33);
    expect(uuidBase(long)).toBe(uuidBase(long));
    expect(uuidBase(long)).toHaveLength(36);
    expect(uuidBase(long)).not.toBe(uuidBase('k'.repeat(34)));
    expect(uuidBase(undefined)).not.toBe(uuidBase(undefined));
    expect(uuidBase(undefined)).toMatch(/^[0-9a-f]{24}$/);
  });

  it('without a key, the same text sent twice is two messages', async () => {
    rig = await startRig();
    expect((await rig.adapter.send(dm, { text: 'twice on purpose' })).ok).toBe(true);
    expect((await rig.adapter.send(dm, { text: 'twice on purpose' })).ok).toBe(true);
    const sent = rig.fake.sentMessages();
    expect(sent).toHaveLength(2);
    expect(sent[0]!.uuid).not.toBe(sent[1]!.uuid);
  });

  it('past the window the uuid is forgotten (as Feishu after an hour): why the host must not repeat later', async () => {
    rig = await startRig({}, { uuidWindowMs: 300 });
    const message: OutboundMessage = { text: 'keyed, then too late', idempotencyKey: KEY };
    const first = await rig.adapter.send(dm, message);
    const within = await rig.adapter.send(dm, message);
    expect(within).toEqual(first);
    expect(rig.fake.sentMessages()).toHaveLength(1);
    await sleep(400);
    const late = await rig.adapter.send(dm, message);
    expect(late.ok).toBe(true);
    expect(rig.fake.sentMessages()).toHaveLength(2);
  });
});
