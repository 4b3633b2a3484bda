import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef } from '@hermes/adapter-core';
import { sleep } from '@hermes/adapter-testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAdapter } from '../src/adapter.js';
import { MESSAGE_CREATE_ROUTE } from '../src/testing/index.js';
import { type DiscordTestRig, startRig } from './support.js';

const group = (chatId: string): ChatRef => ({ platform: 'discord', chatId, chatType: 'group' });

describe('outbound', () => {
  let rig: DiscordTestRig | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'discord-out-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  const posts = (r: DiscordTestRig) =>
    r.fake.requests.filter((q) => q.method === 'POST' && q.route?.endsWith('/messages'));

  it('Markdown goes through unchanged; allowed_mentions, nonce and enforce_nonce are set', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    const result = await adapter.send(group(fake.ids.channels.general), {
      text: '**bold** and `code` <@1200000000000000202>',
    });
    expect(result.ok).toBe(true);
    const body = posts(rig)[0]!.json<Record<string, unknown>>();
    expect(body['content']).toBe('**bold** and `code` <@1200000000000000202>');
    expect(body['allowed_mentions']).toEqual({ parse: ['users'], replied_user: true });
    expect(body['enforce_nonce']).toBe(true);
    expect(typeof body['nonce']).toBe('string');
    expect((body['nonce'] as string).length).toBeLessThanOrEqual(25);
  });

  it('a files upload goes out as multipart with its caption; a long caption is sent first as text', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    const path = join(dir, 'report.pdf');
    await writeFile(path, Buffer.from('%PDF-1.7 fake'));
    const short = await adapter.send(group(fake.ids.channels.general), {
      media: [{ kind: 'file', path, mime: 'application/pdf', caption: 'the report' }],
    });
    expect(short.ok).toBe(true);
    const long = await adapter.send(group(fake.ids.channels.general), {
      media: [{ kind: 'file', path, name: 'second.pdf', caption: 'x '.repeat(1500) }],
    });
    expect(long.ok).toBe(true);
    const sent = fake.botMessages();
    expect(sent[0]).toMatchObject({ content: 'the report' });
    expect(sent[0]!.files).toEqual([
      { name: 'report.pdf', bytes: Buffer.from('%PDF-1.7 fake'), contentType: 'application/pdf' },
    ]);
    expect(sent.slice(1).map((m) => m.files.length)).toEqual([0, 1]);
    expect(sent.slice(1).every((m) => [...m.content].length <= 2000)).toBe(true);
    expect(posts(rig)[0]!.parts?.map((p) => p.name)).toEqual(['files[0]', 'payload_json']);
  });

  it('a file over the upload limit is refused before anything is sent', async () => {
    rig = await startRig({ maxUploadBytes: 1024 });
    const { fake, adapter } = rig;
    const path = join(dir, 'big.bin');
    await writeFile(path, Buffer.alloc(4096, 1));
    const result = await adapter.send(group(fake.ids.channels.general), {
      text: 'here',
      media: [{ kind: 'file', path }],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('too_large');
      expect(result.error.fix).toMatch(/max_upload_bytes/);
    }
    expect(posts(rig)).toHaveLength(0);
  });

  it('a timeout is ambiguous: reported, never resent (the platform did post it)', async () => {
    rig = await startRig({ restTimeoutMs: 300 });
    const { fake, adapter } = rig;
    fake.faults.next({ kind: 'delay', ms: 800 }, { match: MESSAGE_CREATE_ROUTE });
    const result = await adapter.send(group(fake.ids.channels.general), { text: 'slow one' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('timeout_ambiguous');
      expect(result.error.retryable).toBe(false);
    }
    await sleep(900);
    expect(posts(rig)).toHaveLength(1);
    expect(fake.botMessages().map((m) => m.content)).toEqual(['slow one']);
  });

  it('a connection cut after Discord posted: the retry carries the same nonce and Discord returns the first message', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    fake.faults.next({ kind: 'drop-after' }, { match: MESSAGE_CREATE_ROUTE });
    const result = await adapter.send(group(fake.ids.channels.general), { text: 'exactly once' });
    expect(result.ok).toBe(true);
    const attempts = posts(rig);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.json<{ nonce: string }>().nonce).toBe(attempts[1]!.json<{ nonce: string }>().nonce);
    expect(fake.botMessages().map((m) => m.content)).toEqual(['exactly once']);
    if (result.ok) expect(result.messageIds).toEqual([fake.botMessages()[0]!.id]);
  });

  it('a 5xx or a connection dropped before Discord acted is retried once', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    fake.faults.next(
      { kind: 'status', status: 502, body: { message: 'Bad Gateway', code: 0 } },
      { match: MESSAGE_CREATE_ROUTE },
    );
    fake.faults.next({ kind: 'drop' }, { match: MESSAGE_CREATE_ROUTE });
    const result = await adapter.send(group(fake.ids.channels.general), { text: 'persistent' });
    expect(result.ok).toBe(true);
    expect(posts(rig)).toHaveLength(3);
    expect(fake.botMessages().map((m) => m.content)).toEqual(['persistent']);
  });

  it('Discord errors come back with a code and a fix', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    const unknown = await adapter.send(group('1299999999999999999'), { text: 'x' });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) {
      expect(unknown.error.code).toBe('not_found');
      expect(unknown.error.fix).toMatch(/channel id/);
    }
    fake.faults.next(
      { kind: 'status', status: 403, body: { message: 'Missing Permissions', code: 50013 } },
      { match: MESSAGE_CREATE_ROUTE },
    );
    const forbidden = await adapter.send(group(fake.ids.channels.general), { text: 'x' });
    expect(forbidden.ok).toBe(false);
    if (!forbidden.ok) {
      expect(forbidden.error.code).toBe('forbidden');
      expect(forbidden.error.fix).toMatch(/Send Messages/);
    }
    expect(posts(rig)).toHaveLength(2);
  });

  it('a failure after some chunks were posted is not retryable, so the host does not repost them', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    fake.faults.next(
      { kind: 'status', status: 403, body: { message: 'Missing Permissions', code: 50013 } },
      { match: (q) => q.method === 'POST' && /\/messages$/.test(q.route) && fake.botMessages().length === 1 },
    );
    const text = Array.from({ length: 30 }, (_, i) => `paragraph ${i} ${'words '.repeat(20)}`).join('\n\n');
    const result = await adapter.send(group(fake.ids.channels.general), { text });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.retryable).toBe(false);
      expect(result.error.message).toMatch(/already posted/);
    }
    expect(fake.botMessages()).toHaveLength(1);
  });

  it('edit, typing, reactions (add and take back) and delete', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    const chat = group(fake.ids.channels.general);
    const sent = await adapter.send(chat, { text: 'draft' });
    if (!sent.ok) throw sent.error;
    const id = sent.messageIds[0]!;
    expect(await adapter.edit(chat, id, 'final **answer**')).toEqual({ ok: true, messageIds: [id] });
    expect(fake.edits).toEqual([
      expect.objectContaining({ channelId: chat.chatId, messageId: id, content: 'final **answer**' }),
    ]);
    const tooLong = await adapter.edit(chat, id, 'y'.repeat(2500));
    expect(tooLong.ok).toBe(false);
    if (!tooLong.ok) expect(tooLong.error.code).toBe('too_large');
    expect(fake.edits).toHaveLength(1);
    await adapter.typing(chat);
    expect(fake.typing.map((t) => t.channelId)).toEqual([chat.chatId]);
    await adapter.react(chat, id, '👀');
    await adapter.unreact(chat, id, '👀');
    await adapter.react(chat, id, '✅');
    expect(fake.reactions.map((r) => `${r.op} ${r.emoji}`)).toEqual(['add 👀', 'remove 👀', 'add ✅']);
    expect(await adapter.delete(chat, id)).toBe(true);
    expect(await adapter.delete(chat, id)).toBe(false);
    await expect(adapter.react(chat, '1299999999999999998', '❌')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('before start() sends fail with not_connected instead of throwing', async () => {
    const adapter = new DiscordAdapter({ token: 'x' });
    const result = await adapter.send(group('1'), { text: 'x' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('not_connected');
  });
});
