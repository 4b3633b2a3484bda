import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatRef, OutboundMessage } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMatrixAdapter, MATRIX_IDEMPOTENT_SEND_WINDOW_MS } from '../src/index.js';
import { keyedTxnId } from '../src/outbound.js';
import { createHarness, type MatrixHarness } from './harness.js';

/** Three paragraphs of about 3000 characters: split into three messages at the 4000-character limit. */
const THREE_PARTS = [0, 1, 2].map((n) => `part ${n}: ${'lorem ipsum '.repeat(250)}`).join('\n\n');

describe('keyed transaction ids', () => {
  it('are the same for the same key and index, distinct per index and per key, and URL-safe', () => {
    expect(keyedTxnId('h-2n9c-lq8x0v2k', 0)).toBe(keyedTxnId('h-2n9c-lq8x0v2k', 0));
    expect(keyedTxnId('h-2n9c-lq8x0v2k', 0)).not.toBe(keyedTxnId('h-2n9c-lq8x0v2k', 1));
    expect(keyedTxnId('h-2n9c-lq8x0v2k', 0)).not.toBe(keyedTxnId('h-2n9c-lq8x0v2j', 0));
    // A key outside the URL-safe set is encoded, and can never come out equal to a raw key's id.
    const odd = keyedTxnId('a/b?c d#é', 2);
    expect(odd).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(odd).not.toBe(keyedTxnId('a/b?c d#é', 3));
    for (const id of [keyedTxnId('x', 0), odd]) expect(encodeURIComponent(id)).toBe(id);
  });
});

describe('idempotent sends (fake homeserver)', () => {
  let h: MatrixHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('declares the window without E2EE and none with it (a new device per start would not dedupe)', () => {
    const base = { homeserver: 'http://127.0.0.1:1', userId: '@bot:127.0.0.1', password: 'pw' };
    expect(createMatrixAdapter(base).capabilities.idempotentSend).toEqual({
      windowMs: MATRIX_IDEMPOTENT_SEND_WINDOW_MS,
    });
    expect(createMatrixAdapter({ ...base, encryption: true }).capabilities.idempotentSend).toBeUndefined();
  });

  it('a keyed reply cut off after its first part, repeated by the restarted adapter on the same device, shows each part once', async () => {
    h = await createHarness();
    const fake = h.fake;
    const chat: ChatRef = { platform: 'matrix', chatId: fake.dmRoomId, chatType: 'dm' };
    const inChat = () => fake.sentMessages().filter((m) => m.chatId === chat.chatId);
    const reply: OutboundMessage = { text: THREE_PARTS, idempotencyKey: 'h-2n9c-lq8x0v2k' };

    const first = await h.start();
    // Part 2 is refused once (not retried by the pacer): the try ends with part 1 in the room and no ids
    // for the host, which cannot tell how far it got (as after a crash or a lost answer).
    fake.server.faults.next(
      { kind: 'status', status: 403, body: { errcode: 'M_FORBIDDEN', error: 'refused once' } },
      1,
      (r) => r.method === 'PUT' && r.path.includes('/send/') && r.path.endsWith('.1'),
    );
    const cut = await first.adapter.send(chat, reply);
    expect(cut.ok).toBe(false);
    expect(inChat()).toHaveLength(1);
    const landedId = (inChat()[0]!.raw as { event_id: string }).event_id;

    await h.stop(first);
    const second = await h.start();
    expect(fake.logins, 'the restart reuses the stored device (transaction ids are per device)').toBe(1);
    const repeated = await second.adapter.send(chat, reply);
    if (!repeated.ok) throw repeated.error;
    expect(repeated.messageIds).toHaveLength(3);
    expect(repeated.messageIds[0], 'part 1 is the event the first try created').toBe(landedId);
    expect(inChat().map((m) => m.text?.slice(0, 10))).toEqual(['<p>part 0:', '<p>part 1:', '<p>part 2:']);

    // Its answer lost again: the next repeat names the same three events and creates none.
    const again = await second.adapter.send(chat, reply);
    if (!again.ok) throw again.error;
    expect(again.messageIds).toEqual(repeated.messageIds);
    expect(inChat()).toHaveLength(3);

    // The dedupe comes from the key: the same text without one is a new reply.
    const unkeyed = await second.adapter.send(chat, { text: THREE_PARTS });
    expect(unkeyed.ok).toBe(true);
    expect(inChat()).toHaveLength(6);
  });

  it('a keyed reply with text and media, sent twice, shows its text and its file once each', async () => {
    h = await createHarness();
    const fake = h.fake;
    const { adapter } = await h.start();
    const chat: ChatRef = { platform: 'matrix', chatId: fake.groupRoomId, chatType: 'group' };
    const path = join(h.stateDir, 'report.txt');
    await writeFile(path, 'the report');
    const reply: OutboundMessage = {
      text: 'here is the report',
      media: [{ kind: 'file', path, mime: 'text/plain', name: 'report.txt' }],
      idempotencyKey: 'h-media-0001',
    };
    const first = await adapter.send(chat, reply);
    if (!first.ok) throw first.error;
    const again = await adapter.send(chat, reply);
    if (!again.ok) throw again.error;
    expect(again.messageIds).toEqual(first.messageIds);
    const sent = fake.sentMessages().filter((m) => m.chatId === chat.chatId);
    expect(sent.map((m) => m.mediaName ?? m.text)).toEqual(['<p>here is the report</p>', 'report.txt']);
  });
});
