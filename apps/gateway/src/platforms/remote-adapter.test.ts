import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AdapterError, type ChatRef, type OutboundMessage, type SendResult } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MemoryAdapter,
  MemoryButtonsAdapter,
  MemoryNativeStreamAdapter,
  MemoryRequestAdapter,
} from '../../test/support/memory-adapter.js';
import { openPostgresStorage } from '../state/postgres/index.js';
import {
  asAdmin,
  freshSchemaUrl,
  openReplicaCalls,
  pgSuiteName,
  postgres,
} from '../state/postgres/test-support/pg-fixture.js';
import type { PlatformCallServer, PlatformCalls, StateStorage } from '../state/storage.js';
import { remotePlatformAdapter, runPlatformCall, servePlatformCalls } from './remote-adapter.js';

const suite = describe.skipIf(!postgres.ok);
const chat: ChatRef = { platform: 'memory', chatId: 'chat-1', chatType: 'dm' };

interface SeenMedia {
  name: string;
  path: string;
  bytes: Buffer;
  caption?: string;
  mime?: string;
}

/**
 * The in-memory platform with typing, and media read at send time as a real upload would: the file must
 * exist on the holder's disk while its adapter sends.
 */
class HolderAdapter extends MemoryAdapter {
  readonly typed: ChatRef[] = [];
  readonly media: SeenMedia[] = [];
  hang: Promise<void> | undefined;

  constructor(platform = 'memory') {
    super(platform, { typing: true });
  }

  override async send(target: ChatRef, message: OutboundMessage): Promise<SendResult> {
    if (this.hang) await this.hang;
    for (const m of message.media ?? []) {
      const seen: SeenMedia = { name: basename(m.path), path: m.path, bytes: await readFile(m.path) };
      if (m.caption !== undefined) seen.caption = m.caption;
      if (m.mime !== undefined) seen.mime = m.mime;
      this.media.push(seen);
    }
    return super.send(target, message);
  }

  async typing(target: ChatRef): Promise<void> {
    this.typed.push(target);
  }
}

suite(pgSuiteName('remote platform adapter: calls forwarded to the replica holding the connection'), () => {
  const opened: StateStorage[] = [];
  const servers: PlatformCallServer[] = [];
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    for (const s of servers.splice(0)) await s.close();
    for (const s of opened.splice(0)) await s.close();
  });

  const replica = (url: string, id: string): Promise<PlatformCalls> => openReplicaCalls(url, id, opened);

  /** A holds the platform with `live` (started); B runs turns with a remote adapter for it. */
  const pair = async <A extends MemoryAdapter>(
    live: A,
    options?: { timeoutMs?: number; maxInlineMediaBytes?: number },
  ) => {
    const { url, schema } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    servers.push(
      servePlatformCalls(
        a,
        (p) => (p === live.platform ? live : undefined),
        () => [live.platform],
      ),
    );
    // B's own copy of the adapter, configured the same and never started.
    const standby = new (live.constructor as new (platform: string) => A)(live.platform);
    return { a, b, schema, remote: remotePlatformAdapter(standby, b, options) };
  };

  const tempFile = async (bytes: Buffer, name = 'photo.png'): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'remote-adapter-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };

  const callRows = (schema: string) =>
    asAdmin(async (c) => {
      const r = await c.query<{ op: string; state: string }>(
        `SELECT op, state FROM ${schema}.platform_calls ORDER BY id`,
      );
      return r.rows;
    });

  it('a send on B goes out on A’s live adapter and B gets A’s message ids; edit and typing too', async () => {
    const live = new HolderAdapter();
    const { remote, schema } = await pair(live);

    const sent = await remote.send(chat, { text: 'hello from B', replyTo: 'in-7' });
    expect(sent).toEqual({ ok: true, messageIds: ['m1'] });
    expect(live.sent).toEqual([{ chat, message: { text: 'hello from B', replyTo: 'in-7' }, id: 'm1' }]);

    expect(await remote.edit?.(chat, 'm1', 'hello, edited')).toEqual({ ok: true, messageIds: ['m1'] });
    expect(live.shown()).toEqual([{ id: 'm1', text: 'hello, edited' }]);

    await remote.typing?.(chat);
    expect(live.typed).toEqual([chat]);
    expect(await callRows(schema)).toEqual([
      { op: 'send', state: 'done' },
      { op: 'edit', state: 'done' },
      { op: 'typing', state: 'done' },
    ]);
  });

  it('media on B’s disk reaches A’s adapter with the same bytes and name, and A’s copy is removed after', async () => {
    const live = new HolderAdapter();
    const { remote } = await pair(live);
    const bytes = randomBytes(300_000);
    const path = await tempFile(bytes, 'chart.png');

    const sent = await remote.send(chat, {
      text: 'see attached',
      media: [{ kind: 'image', path, mime: 'image/png', caption: 'the chart' }],
    });
    expect(sent).toEqual({ ok: true, messageIds: ['m1'] });
    expect(live.media).toHaveLength(1);
    const seen = live.media[0]!;
    expect(seen.bytes.equals(bytes)).toBe(true);
    expect(seen).toMatchObject({ name: 'chart.png', caption: 'the chart', mime: 'image/png' });
    expect(seen.path).not.toBe(path);
    expect(basename(join(seen.path, '..', '..'))).toMatch(/^hermes-remote-media-/);
    expect(existsSync(seen.path)).toBe(false);
    expect(live.sent[0]?.message.text).toBe('see attached');
  });

  it('media over the inline limit is refused on B with an error naming the limit; nothing is forwarded', async () => {
    const live = new HolderAdapter();
    const { remote, schema } = await pair(live, { maxInlineMediaBytes: 1_000 });
    const path = await tempFile(randomBytes(1_500));

    const sent = await remote.send(chat, { text: 'big', media: [{ kind: 'file', path }] });
    expect(sent.ok).toBe(false);
    if (sent.ok) return;
    expect(sent.error).toBeInstanceOf(AdapterError);
    expect(sent.error).toMatchObject({ code: 'too_large', retryable: false, platform: 'memory' });
    expect(sent.error.message).toContain('1000 bytes');
    expect(sent.error.message).toContain('maxInlineMediaBytes');
    expect(await callRows(schema)).toEqual([]);
    expect(live.sent).toEqual([]);
  });

  it('a failing send on A comes back to B as an AdapterError with its code and retry delay', async () => {
    const live = new HolderAdapter();
    const { remote } = await pair(live);
    live.failNextSends.push(new AdapterError('rate_limited', 'too many messages', { retryAfterMs: 2_000 }));

    const sent = await remote.send(chat, { text: 'hi' });
    expect(sent.ok).toBe(false);
    if (sent.ok) return;
    expect(sent.error).toBeInstanceOf(AdapterError);
    expect(sent.error).toMatchObject({
      code: 'rate_limited',
      message: 'too many messages',
      retryAfterMs: 2_000,
      retryable: true,
      platform: 'memory',
    });
    // The next one goes through: nothing stuck.
    expect(await remote.send(chat, { text: 'hi again' })).toEqual({ ok: true, messageIds: ['m1'] });
  });

  it('nobody holding the platform: a retryable not_connected error, and a holder starting later never sends it', async () => {
    const { url, schema } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    const remote = remotePlatformAdapter(new HolderAdapter(), b, { timeoutMs: 300 });

    const sent = await remote.send(chat, { text: 'into the void' });
    expect(sent.ok).toBe(false);
    if (sent.ok) return;
    expect(sent.error).toMatchObject({ code: 'not_connected', retryable: true });
    expect(sent.error.message).toContain('withdrawn unsent');
    expect(await callRows(schema)).toEqual([{ op: 'send', state: 'expired' }]);

    const live = new HolderAdapter();
    servers.push(
      servePlatformCalls(
        a,
        () => live,
        () => ['memory'],
      ),
    );
    await new Promise((r) => setTimeout(r, 1_200));
    expect(live.sent).toEqual([]);
    expect(await callRows(schema)).toEqual([{ op: 'send', state: 'expired' }]);
  });

  it('A takes the send and never answers: B reports timeout_ambiguous, never retryable', async () => {
    const live = new HolderAdapter();
    let release: () => void = () => {};
    live.hang = new Promise((resolve) => {
      release = resolve;
    });
    cleanups.push(() => release());
    const { remote, schema } = await pair(live, { timeoutMs: 1_500 });

    const sent = await remote.send(chat, { text: 'maybe' });
    expect(sent.ok).toBe(false);
    if (sent.ok) return;
    expect(sent.error).toBeInstanceOf(AdapterError);
    expect(sent.error).toMatchObject({ code: 'timeout_ambiguous', retryable: false });
    expect(await callRows(schema)).toEqual([{ op: 'send', state: 'taken' }]);
  });

  it('buttons are settled on the holder', async () => {
    const live = new MemoryButtonsAdapter();
    const { remote } = await pair(live);
    const sent = await remote.send(chat, { text: 'approve?', actions: [{ id: 'yes', label: 'Yes' }] });
    expect(sent).toEqual({ ok: true, messageIds: ['m1'] });
    expect(live.lastWithActions()?.message.actions).toEqual([{ id: 'yes', label: 'Yes' }]);
    expect(await remote.settleActions?.(chat, 'm1', '✅ Approved')).toEqual({ ok: true, messageIds: ['m1'] });
    expect(live.settled).toEqual([{ chat, messageId: 'm1', outcome: '✅ Approved' }]);
  });

  it('keeps the local adapter’s identity and capabilities and exposes only the forwardable methods', async () => {
    const calls = { call: () => Promise.reject(new Error('not reached')) };
    const streaming = new MemoryNativeStreamAdapter('memory', { typing: false });
    const remote = remotePlatformAdapter(streaming, calls);
    expect(remote.platform).toBe('memory');
    expect(remote.capabilities).toBe(streaming.capabilities);
    expect(remote.startStream).toBeUndefined();
    expect(remote.typing).toBeUndefined();
    expect(remote.edit).toBeTypeOf('function');
    await expect(remote.start(undefined as never)).rejects.toMatchObject({ code: 'unsupported' });
    await expect(remote.stop()).resolves.toBeUndefined();

    const request = remotePlatformAdapter(new MemoryRequestAdapter(), calls);
    for (const local of [
      'reportUsage',
      'reportToolProgress',
      'failRequest',
      'setCommands',
      'agentTools',
    ] as const)
      expect(request[local]).toBeUndefined();

    // A database that cannot record the call: not sent, safe to retry.
    const failed = await request.send(chat, { text: 'x' });
    expect(failed.ok || failed.error.code).toBe('not_connected');
  });

  it('the holder side answers not_connected for a platform it has no live adapter for, unsupported for an unknown op', async () => {
    expect(
      await runPlatformCall(undefined, 'memory', 'send', { chat, message: { text: 'x' } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_connected' },
    });
    expect(await runPlatformCall(new HolderAdapter(), 'memory', 'startStream', { chat })).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    });
    expect(await runPlatformCall(new HolderAdapter(), 'memory', 'send', { chat: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });
});
