import type { ChatRef, OutboundMessage } from '@hermes/adapter-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StateStorage } from './storage.js';
import type { TurnRecord } from './turn-log.js';

/** One engine's state, fresh and empty, plus a way to open the same state again (a restart). */
export interface OpenedStorage {
  storage: StateStorage;
  reopen(): Promise<StateStorage>;
  /** Removes what the factory made (temp dirs); the suite closes every storage itself. */
  cleanup(): Promise<void>;
}

export interface StorageContractOptions {
  /** When set, the suite is registered skipped and this reason is part of its name. */
  skipReason?: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Every test runs on a fake `Date` from here: both engines stamp rows with the gateway's clock. */
const T0 = Date.UTC(2026, 11, 1, 12);

const NO_OUTBOX_ROWS = { pending: 0, sending: 0, sent: 0, failed: 0, ambiguous: 0 };

const chat: ChatRef = { platform: 'telegram', chatId: '99', chatType: 'dm' };
const KEY = 'agent:main:telegram:dm:99';

/** A finished turn at T0, for either engine's turn log; `o` overrides any field. */
export const turnRecord = (o: Partial<TurnRecord> = {}): TurnRecord => ({
  sessionId: 's1',
  platform: 'telegram',
  model: 'm1',
  startedAt: T0,
  durationMs: 1000,
  promptTokens: 100,
  completionTokens: 20,
  tools: [],
  error: undefined,
  interrupted: false,
  ...o,
});

/**
 * What every engine of `StateStorage` promises, as the SQLite stores (`session-store.ts`, `inbound-journal.ts`,
 * `outbox.ts`, `kv-store.ts`, `turn-log.ts`, `response-store.ts`) behave today. Registered once per engine.
 */
export function storageContract(
  engine: string,
  open: () => Promise<OpenedStorage>,
  options: StorageContractOptions = {},
): void {
  const name = options.skipReason
    ? `StateStorage contract: ${engine} (skipped: ${options.skipReason})`
    : `StateStorage contract: ${engine}`;

  describe.skipIf(options.skipReason !== undefined)(name, () => {
    let opened: OpenedStorage;
    let s: StateStorage;
    const toClose: StateStorage[] = [];
    const at = (ms: number) => vi.setSystemTime(T0 + ms);

    beforeEach(async () => {
      // Only Date: timers stay real, so the drivers' own timeouts keep working.
      vi.useFakeTimers({ toFake: ['Date'], now: T0 });
      opened = await open();
      s = opened.storage;
      toClose.push(s);
    });
    afterEach(async () => {
      for (const storage of toClose.splice(0)) await storage.close();
      await opened.cleanup();
      vi.useRealTimers();
    });

    describe('sessions', () => {
      it('returns the created session as stored, with the Python gateway id format', async () => {
        const created = await s.sessions.create(KEY, chat, '99', { reason: 'idle' });
        expect(created.id).toMatch(/^\d{8}_\d{6}_[0-9a-f]{8}$/);
        expect(created).toMatchObject({
          sessionKey: KEY,
          platform: 'telegram',
          chatType: 'dm',
          chatId: '99',
          userId: '99',
          title: null,
          model: null,
          createdAt: T0,
          updatedAt: T0,
          endedAt: null,
          endReason: null,
          wasAutoReset: true,
          autoResetReason: 'idle',
          inputTokens: 0,
          outputTokens: 0,
          totalTokens: 0,
        });
        expect(await s.sessions.get(created.id)).toEqual(created);
        const plain = await s.sessions.create(KEY, chat, undefined);
        expect(plain).toMatchObject({ userId: null, wasAutoReset: false, autoResetReason: null });
        expect(await s.sessions.get('no-such-session')).toBeUndefined();
        expect(await s.sessions.count()).toBe(2);
      });

      it('takes the newest open session of a key by creation time', async () => {
        at(2 * HOUR);
        const newer = await s.sessions.create(KEY, chat, '99');
        at(HOUR);
        const older = await s.sessions.create(KEY, chat, '99');
        await s.sessions.create('agent:main:telegram:dm:other', chat, '1');
        expect((await s.sessions.active(KEY))?.id).toBe(newer.id);
        await s.sessions.end(newer.id, 'reset');
        expect((await s.sessions.active(KEY))?.id).toBe(older.id);
        await s.sessions.end(older.id, 'reset');
        expect(await s.sessions.active(KEY)).toBeUndefined();
        expect(await s.sessions.active('agent:main:nobody')).toBeUndefined();
      });

      it('ends a session once: ending it again keeps the first reason and time', async () => {
        const created = await s.sessions.create(KEY, chat, '99');
        at(HOUR);
        await s.sessions.end(created.id, 'reset');
        at(2 * HOUR);
        await s.sessions.end(created.id, 'idle');
        expect(await s.sessions.get(created.id)).toMatchObject({ endedAt: T0 + HOUR, endReason: 'reset' });
      });

      it('switchTo ends the active session and reopens the target under the key', async () => {
        const first = await s.sessions.create(KEY, chat, '99');
        await s.sessions.end(first.id, 'reset');
        at(HOUR);
        const second = await s.sessions.create(KEY, chat, '99');
        at(2 * HOUR);
        const resumed = await s.sessions.switchTo(KEY, first.id);
        expect(resumed).toMatchObject({
          id: first.id,
          endedAt: null,
          endReason: null,
          updatedAt: T0 + 2 * HOUR,
        });
        expect(await s.sessions.get(second.id)).toMatchObject({
          endedAt: T0 + 2 * HOUR,
          endReason: 'session_switch',
        });
        expect((await s.sessions.active(KEY))?.id).toBe(first.id);
        // Resuming the active session keeps it open and ends nothing.
        expect((await s.sessions.switchTo(KEY, first.id))?.endedAt).toBeNull();
        // Another key's session moves to this key.
        const elsewhere = await s.sessions.create('agent:main:slack:dm:1', chat, '1');
        at(3 * HOUR);
        expect((await s.sessions.switchTo(KEY, elsewhere.id))?.sessionKey).toBe(KEY);
        expect((await s.sessions.get(first.id))?.endReason).toBe('session_switch');
      });

      it('switchTo an unknown session changes nothing and returns undefined', async () => {
        const current = await s.sessions.create(KEY, chat, '99');
        expect(await s.sessions.switchTo(KEY, 'no-such-session')).toBeUndefined();
        expect(await s.sessions.get(current.id)).toEqual(current);
      });

      it('lists recent sessions of a key newest first, bounded by the limit (10 by default)', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) {
          at(i * HOUR);
          ids.push((await s.sessions.create(KEY, chat, '99')).id);
        }
        await s.sessions.create('agent:main:other', chat, '1');
        const newestFirst = [...ids].reverse();
        expect((await s.sessions.recent(KEY)).map((r) => r.id)).toEqual(newestFirst.slice(0, 10));
        expect((await s.sessions.recent(KEY, 3)).map((r) => r.id)).toEqual(newestFirst.slice(0, 3));
        expect(await s.sessions.recent('agent:main:nobody')).toEqual([]);
      });

      it('touches, titles and adds token usage', async () => {
        const created = await s.sessions.create(KEY, chat, '99');
        at(HOUR);
        await s.sessions.touch(created.id);
        await s.sessions.setTitle(created.id, 'Trip plans');
        await s.sessions.addUsage(
          created.id,
          { promptTokens: 300, completionTokens: 20, totalTokens: 320 },
          180,
        );
        await s.sessions.addUsage(created.id, { promptTokens: 5, completionTokens: 1, totalTokens: 6 });
        expect(await s.sessions.get(created.id)).toMatchObject({
          updatedAt: T0 + HOUR,
          title: 'Trip plans',
          inputTokens: 305,
          outputTokens: 21,
          totalTokens: 326,
        });
      });

      it('appends messages in order, bumps updated_at, and keeps extra as JSON', async () => {
        const created = await s.sessions.create(KEY, chat, '99');
        at(HOUR);
        const a = await s.sessions.append(created.id, 'user', 'hi');
        const b = await s.sessions.append(created.id, 'assistant', null, { tool_calls: [{ id: 'c1' }] });
        expect(b).toBeGreaterThan(a);
        expect((await s.sessions.get(created.id))?.updatedAt).toBe(T0 + HOUR);
        at(2 * HOUR);
        await s.sessions.appendMany(created.id, [
          { role: 'tool', content: 'result', extra: { tool_call_id: 'c1' } },
          { role: 'assistant', content: 'done' },
          { role: 'system', content: 'note' },
        ]);
        const transcript = await s.sessions.transcript(created.id);
        expect(transcript).toEqual([
          { id: a, role: 'user', content: 'hi', extra: null, createdAt: T0 + HOUR },
          {
            id: b,
            role: 'assistant',
            content: null,
            extra: { tool_calls: [{ id: 'c1' }] },
            createdAt: T0 + HOUR,
          },
          {
            id: expect.any(Number),
            role: 'tool',
            content: 'result',
            extra: { tool_call_id: 'c1' },
            createdAt: T0 + 2 * HOUR,
          },
          {
            id: expect.any(Number),
            role: 'assistant',
            content: 'done',
            extra: null,
            createdAt: T0 + 2 * HOUR,
          },
          { id: expect.any(Number), role: 'system', content: 'note', extra: null, createdAt: T0 + 2 * HOUR },
        ]);
        const ids = transcript.map((m) => m.id);
        expect([...ids].sort((x, y) => x - y)).toEqual(ids);
        expect((await s.sessions.get(created.id))?.updatedAt).toBe(T0 + 2 * HOUR);
        // Nothing to append: nothing changes, not even updated_at.
        at(3 * HOUR);
        await s.sessions.appendMany(created.id, []);
        expect((await s.sessions.get(created.id))?.updatedAt).toBe(T0 + 2 * HOUR);
        expect(await s.sessions.transcript('no-such-session')).toEqual([]);
      });

      it('refuses a message for a session that does not exist', async () => {
        await expect(s.sessions.append('no-such-session', 'user', 'hi')).rejects.toThrow();
        await expect(
          s.sessions.appendMany('no-such-session', [{ role: 'user', content: 'hi' }]),
        ).rejects.toThrow();
      });

      it('truncates from a message id on, only in that session, and says how many went', async () => {
        const one = await s.sessions.create(KEY, chat, '99');
        const two = await s.sessions.create('agent:main:other', chat, '1');
        await s.sessions.append(one.id, 'user', 'a');
        const from = await s.sessions.append(one.id, 'assistant', 'b');
        await s.sessions.append(two.id, 'user', 'other');
        await s.sessions.append(one.id, 'user', 'c');
        expect(await s.sessions.truncateFrom(one.id, from)).toBe(2);
        expect((await s.sessions.transcript(one.id)).map((m) => m.content)).toEqual(['a']);
        expect((await s.sessions.transcript(two.id)).map((m) => m.content)).toEqual(['other']);
        expect(await s.sessions.truncateFrom(one.id, from)).toBe(0);
      });

      it('undo drops everything from the last user message on and returns it (without extra)', async () => {
        const created = await s.sessions.create(KEY, chat, '99');
        await s.sessions.append(created.id, 'user', 'hi');
        await s.sessions.append(created.id, 'assistant', 'hello');
        at(HOUR);
        const again = await s.sessions.append(created.id, 'user', 'again', { attachments: 1 });
        await s.sessions.append(created.id, 'assistant', 'yes', { tool_calls: [] });
        expect(await s.sessions.truncateAtLastUserMessage(created.id)).toEqual({
          id: again,
          role: 'user',
          content: 'again',
          extra: null,
          createdAt: T0 + HOUR,
        });
        expect((await s.sessions.transcript(created.id)).map((m) => m.content)).toEqual(['hi', 'hello']);
        await s.sessions.truncateAtLastUserMessage(created.id);
        expect(await s.sessions.transcript(created.id)).toEqual([]);
        const lone = await s.sessions.create('agent:main:lone', chat, '1');
        await s.sessions.append(lone.id, 'assistant', 'unprompted');
        expect(await s.sessions.truncateAtLastUserMessage(lone.id)).toBeUndefined();
        expect((await s.sessions.transcript(lone.id)).map((m) => m.content)).toEqual(['unprompted']);
      });
    });

    describe('journal', () => {
      it('records once per dedupe key and lists unfinished entries oldest first', async () => {
        const first = await s.journal.record('telegram:1', 'telegram', '{"a":1}');
        expect(first).toBeTypeOf('number');
        expect(await s.journal.record('telegram:1', 'telegram', '{"again":true}')).toBeUndefined();
        at(1);
        const second = await s.journal.record('telegram:2', 'slack', '{}');
        expect(second).toBeGreaterThan(first!);
        expect(await s.journal.open()).toEqual([
          {
            id: first,
            dedupeKey: 'telegram:1',
            platform: 'telegram',
            sessionKey: null,
            payload: '{"a":1}',
            state: 'received',
            receivedAt: T0,
            attempts: 0,
          },
          {
            id: second,
            dedupeKey: 'telegram:2',
            platform: 'slack',
            sessionKey: null,
            payload: '{}',
            state: 'received',
            receivedAt: T0 + 1,
            attempts: 0,
          },
        ]);
        await s.journal.finish([first!]);
        expect((await s.journal.open()).map((e) => e.dedupeKey)).toEqual(['telegram:2']);
        await s.journal.finish([second!], 'abandoned');
        expect(await s.journal.open()).toEqual([]);
        // Finished is still remembered for dedupe.
        expect(await s.journal.record('telegram:2', 'slack', '{}')).toBeUndefined();
        await s.journal.finish([]);
      });

      it('records the parts of a merged message with it: each is known and a duplicate on its own', async () => {
        expect(await s.journal.known(['t:1', 't:2', 't:3'])).toEqual([]);
        const id = await s.journal.record('t:1', 'telegram', '{"text":"a b"}', ['t:2']);
        expect(id).toBeTypeOf('number');
        expect((await s.journal.known(['t:1', 't:2', 't:3'])).sort()).toEqual(['t:1', 't:2']);
        expect(await s.journal.record('t:2', 'telegram', '{"text":"b"}')).toBeUndefined();
        // Only the entry is open (replayed after a crash), never its parts.
        expect((await s.journal.open()).map((e) => e.dedupeKey)).toEqual(['t:1']);
        // A redelivered entry records none of its parts either.
        expect(await s.journal.record('t:1', 'telegram', '{}', ['t:3'])).toBeUndefined();
        expect(await s.journal.known(['t:3'])).toEqual([]);
      });

      it("writes a message's session key with its turn start, not before", async () => {
        const created = await s.sessions.create(KEY, chat, '99');
        const id = (await s.journal.record('telegram:1', 'telegram', '{}'))!;
        s.journal.setSessionKey(id, KEY);
        expect((await s.journal.open())[0]?.sessionKey).toBeNull();
        const messageId = await s.units.startTurn(created.id, 'hi', [id]);
        expect(await s.journal.open()).toMatchObject([
          { id, sessionKey: KEY, attempts: 1, turnStart: { sessionId: created.id, messageId } },
        ]);
        // Written once: a second attempt keeps it and counts again.
        const retried = await s.units.startTurn(created.id, 'hi', [id]);
        expect(await s.journal.open()).toMatchObject([
          { id, sessionKey: KEY, attempts: 2, turnStart: { sessionId: created.id, messageId: retried } },
        ]);
      });

      it('prunes finished entries past the window, never open ones, and forgets their keys', async () => {
        const done = (await s.journal.record('k:done', 'telegram', '{}'))!;
        await s.journal.finish([done], 'failed');
        await s.journal.record('k:open', 'telegram', '{}');
        at(HOUR);
        const young = (await s.journal.record('k:young', 'telegram', '{}'))!;
        await s.journal.finish([young], 'ignored');
        // Past the window for k:done (received at T0), not yet for k:young (received an hour later).
        at(7 * DAY + HOUR / 2);
        expect(await s.journal.prune(7 * DAY)).toBe(1);
        expect((await s.journal.open()).map((e) => e.dedupeKey)).toEqual(['k:open']);
        expect(await s.journal.record('k:done', 'telegram', '{}')).toBeTypeOf('number');
        expect(await s.journal.record('k:young', 'telegram', '{}')).toBeUndefined();
        at(8 * DAY);
        expect(await s.journal.prune(7 * DAY)).toBe(1);
        expect(await s.journal.prune(0)).toBe(0);
      });
      it('lists the open entries of a recovery scope: its platforms only', async () => {
        const telegram = (await s.journal.record('telegram:1', 'telegram', '{}'))!;
        const slack = (await s.journal.record('slack:1', 'slack', '{}'))!;
        const discord = (await s.journal.record('discord:1', 'discord', '{}'))!;
        expect((await s.journal.open({ platforms: ['discord', 'slack'] })).map((e) => e.id)).toEqual([
          slack,
          discord,
        ]);
        expect(await s.journal.open({ platforms: [] })).toEqual([]);
        expect((await s.journal.open()).map((e) => e.id)).toEqual([telegram, slack, discord]);
      });
    });

    describe('outbox', () => {
      it('records every chunk before sending and quarantines in-flight rows after a crash', async () => {
        const messages: OutboundMessage[] = [{ text: 'one' }, { text: 'two' }, { text: 'three' }];
        const ids = await s.outbox.enqueue(chat, messages, 'turn-1');
        expect(ids).toHaveLength(3);
        expect([...ids].sort((x, y) => x - y)).toEqual(ids);
        const [a, b, c] = ids as [number, number, number];
        expect(await s.outbox.get(c)).toEqual({
          id: c,
          platform: 'telegram',
          chat,
          message: { text: 'three' },
          state: 'pending',
          turnRef: 'turn-1',
          attempts: 0,
          createdAt: T0,
        });
        await s.outbox.markSending(a);
        await s.outbox.markSent(a, ['m1']);
        await s.outbox.markSending(b);
        // crash here: b is in flight, c never tried
        expect(await s.outbox.quarantineInFlight()).toBe(1);
        expect(await s.outbox.quarantineInFlight()).toBe(0);
        expect((await s.outbox.pending()).map((e) => e.message.text)).toEqual(['three']);
        expect(await s.outbox.get(b)).toMatchObject({ state: 'ambiguous', attempts: 1 });
        expect(await s.outbox.countByState()).toEqual({
          pending: 1,
          sending: 0,
          sent: 1,
          failed: 0,
          ambiguous: 1,
        });
        expect(await s.outbox.get(9_999_999)).toBeUndefined();
      });

      it('counts every state, zeros included, on an empty outbox; nothing to enqueue gives no ids', async () => {
        expect(await s.outbox.countByState()).toEqual(NO_OUTBOX_ROWS);
        expect(await s.outbox.enqueue(chat, [])).toEqual([]);
        expect(await s.outbox.pending()).toEqual([]);
      });

      it('retries back to pending, fails as failed or ambiguous, and lists pending oldest first', async () => {
        const [a, b, c] = (await s.outbox.enqueue(chat, [{ text: 'a' }, { text: 'b' }, { text: 'c' }])) as [
          number,
          number,
          number,
        ];
        const [d] = (await s.outbox.enqueue({ ...chat, chatId: '100' }, [{ text: 'd' }], undefined)) as [
          number,
        ];
        await s.outbox.markSending(a);
        await s.outbox.markRetry(a, 'rate limited');
        await s.outbox.markSending(a);
        await s.outbox.markRetry(a, 'rate limited again');
        await s.outbox.markSending(b);
        await s.outbox.markFailed(b, 'chat not found');
        await s.outbox.markSending(c);
        await s.outbox.markFailed(c, 'timeout', 'ambiguous');
        expect((await s.outbox.pending()).map((e) => [e.id, e.attempts])).toEqual([
          [a, 2],
          [d, 0],
        ]);
        expect(await s.outbox.get(d)).toMatchObject({ turnRef: null, chat: { chatId: '100' } });
        expect(await s.outbox.countByState()).toEqual({
          pending: 2,
          sending: 0,
          sent: 0,
          failed: 1,
          ambiguous: 1,
        });
      });

      it('lists pending rows of the given platforms untouched for a while (for the connection holder to send)', async () => {
        const [old, retried] = (await s.outbox.enqueue(chat, [{ text: 'old' }, { text: 'retried' }])) as [
          number,
          number,
        ];
        const [elsewhere] = (await s.outbox.enqueue({ ...chat, platform: 'other' }, [{ text: 'x' }])) as [
          number,
        ];
        at(60_000);
        await s.outbox.markSending(retried);
        await s.outbox.markRetry(retried, 'not connected here');
        at(80_000);
        const [fresh] = (await s.outbox.enqueue(chat, [{ text: 'fresh' }])) as [number];
        at(90_000);
        expect((await s.outbox.stale([chat.platform], 30_000)).map((e) => e.id)).toEqual([old, retried]);
        expect((await s.outbox.stale([chat.platform], 60_000)).map((e) => e.id)).toEqual([old]);
        expect((await s.outbox.stale(['other'], 30_000)).map((e) => e.id)).toEqual([elsewhere]);
        expect(await s.outbox.stale([], 0)).toEqual([]);
        expect(fresh).toBeGreaterThan(old);
      });

      it('resumes rows left sending within a window (a platform that dedupes on keys), not older ones', async () => {
        const [old] = (await s.outbox.enqueue(chat, [{ text: 'old' }])) as [number];
        at(120_000);
        const [recent, finished] = (await s.outbox.enqueue(chat, [{ text: 'recent' }, { text: 'done' }])) as [
          number,
          number,
        ];
        const [other] = (await s.outbox.enqueue({ ...chat, platform: 'other' }, [{ text: 'x' }])) as [number];
        for (const id of [old, recent, finished, other]) await s.outbox.markSending(id);
        await s.outbox.markSent(finished, ['m1']);
        at(150_000);
        expect(await s.outbox.resumeInFlight(chat.platform, 60_000)).toBe(1);
        expect((await s.outbox.get(recent))?.state).toBe('pending');
        expect((await s.outbox.get(old))?.state).toBe('sending');
        expect((await s.outbox.get(other))?.state).toBe('sending');
        expect((await s.outbox.get(recent))?.createdAt).toBe(T0 + 120_000);
      });

      it('prunes finished rows past their age by last update, never pending or sending ones', async () => {
        const [sent, failed, pending, sending, recent] = (await s.outbox.enqueue(chat, [
          { text: 'sent' },
          { text: 'failed' },
          { text: 'pending' },
          { text: 'sending' },
          { text: 'recent' },
        ])) as [number, number, number, number, number];
        await s.outbox.markSending(sent);
        await s.outbox.markSent(sent, ['m']);
        await s.outbox.markFailed(failed, 'x');
        await s.outbox.markSending(sending);
        at(2 * DAY);
        await s.outbox.markSent(recent, ['r']);
        at(8 * DAY);
        expect(await s.outbox.prune(7 * DAY)).toBe(2);
        expect(await s.outbox.get(sent)).toBeUndefined();
        expect(await s.outbox.get(failed)).toBeUndefined();
        expect((await s.outbox.get(pending))?.state).toBe('pending');
        expect((await s.outbox.get(sending))?.state).toBe('sending');
        expect((await s.outbox.get(recent))?.state).toBe('sent');
      });
      it('recovers within a scope: pending rows and in-flight rows of its platforms only', async () => {
        const slackChat: ChatRef = { platform: 'slack', chatId: 'C1', chatType: 'channel' };
        const [t1, t2] = (await s.outbox.enqueue(chat, [{ text: 't1' }, { text: 't2' }])) as [number, number];
        const [s1, s2] = (await s.outbox.enqueue(slackChat, [{ text: 's1' }, { text: 's2' }])) as [
          number,
          number,
        ];
        await s.outbox.markSending(t1);
        await s.outbox.markSending(s1);
        expect((await s.outbox.pending({ platforms: ['slack'] })).map((e) => e.id)).toEqual([s2]);
        expect(await s.outbox.pending({ platforms: [] })).toEqual([]);
        expect(await s.outbox.quarantineInFlight({ platforms: ['telegram'] })).toBe(1);
        expect(await s.outbox.get(t1)).toMatchObject({ state: 'ambiguous' });
        expect(await s.outbox.get(s1)).toMatchObject({ state: 'sending' });
        expect(await s.outbox.quarantineInFlight({ platforms: [] })).toBe(0);
        expect((await s.outbox.pending()).map((e) => e.id)).toEqual([t2, s2]);
      });
    });

    describe('kv', () => {
      it('keeps JSON values, overwrites, deletes keys that exist and ignores ones that never did', async () => {
        expect(await s.kv.get('home:telegram')).toBeUndefined();
        await s.kv.set('home:telegram', { chatId: '1' });
        await s.kv.set('home:telegram', { chatId: '2', thread: null });
        await s.kv.set('voice', 'on');
        await s.kv.set('count', 3);
        expect(await s.kv.get('home:telegram')).toEqual({ chatId: '2', thread: null });
        expect(await s.kv.get<string>('voice')).toBe('on');
        expect(await s.kv.get<number>('count')).toBe(3);
        await s.kv.delete('never-set');
        await s.kv.delete('voice');
        expect(await s.kv.get('voice')).toBeUndefined();
        expect(await s.kv.get('count')).toBe(3);
      });

      it('update is a unit: concurrent read-change-writes lose nothing; undefined deletes', async () => {
        await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            s.kv.update<string[]>('approved', (list) => [...(list ?? []), `user-${i}`]),
          ),
        );
        expect((await s.kv.get<string[]>('approved'))?.sort()).toEqual(
          Array.from({ length: 25 }, (_, i) => `user-${i}`).sort(),
        );
        expect(await s.kv.update<number>('n', (n) => (n ?? 0) + 1)).toBe(1);
        expect(await s.kv.update('approved', () => undefined)).toBeUndefined();
        expect(await s.kv.get('approved')).toBeUndefined();
      });
    });

    describe('turn log', () => {
      it('groups turns by day, platform and model with tokens, errors and medians; counts tools', async () => {
        await s.turns.record(turnRecord({ durationMs: 1000, tools: ['terminal', 'terminal'] }));
        await s.turns.record(
          turnRecord({ durationMs: 3000, platform: 'slack', error: 'rate_limited', tools: ['send_message'] }),
        );
        await s.turns.record(turnRecord({ durationMs: 2000.4, startedAt: T0 + DAY, model: 'm2' }));
        await s.turns.record(turnRecord({ startedAt: T0 + DAY + 1, model: undefined, interrupted: true }));
        await s.turns.record(turnRecord({ startedAt: T0 - 30 * DAY }));
        const i = await s.turns.insights(T0 - DAY);
        expect(i).toMatchObject({ turns: 4, tokens: 480, errors: 1, medianMs: 1500 });
        expect(i.byDay.map((g) => [g.key, g.turns, g.medianMs])).toEqual([
          ['2026-12-01', 2, 2000],
          ['2026-12-02', 2, 1500],
        ]);
        expect(i.byPlatform.map((g) => [g.key, g.turns, g.tokens, g.errors])).toEqual([
          ['telegram', 3, 360, 0],
          ['slack', 1, 120, 1],
        ]);
        expect(i.byModel.map((g) => g.key)).toEqual(['m1', 'm2', '(default)']);
        expect(i.byTool).toEqual([
          { tool: 'terminal', calls: 2 },
          { tool: 'send_message', calls: 1 },
        ]);
      });

      it('reports zeros when there were no turns', async () => {
        expect(await s.turns.insights(0)).toEqual({
          turns: 0,
          tokens: 0,
          errors: 0,
          medianMs: 0,
          byDay: [],
          byPlatform: [],
          byModel: [],
          byTool: [],
        });
      });
    });

    describe('units', () => {
      it('startTurn appends the user message and marks its journal entries started, in one commit', async () => {
        const created = await s.sessions.create(KEY, chat, '99');
        const a = (await s.journal.record('k:a', 'telegram', '{}'))!;
        const b = (await s.journal.record('k:b', 'telegram', '{}'))!;
        at(HOUR);
        const messageId = await s.units.startTurn(created.id, 'hello', [a, b]);
        expect(await s.sessions.transcript(created.id)).toEqual([
          { id: messageId, role: 'user', content: 'hello', extra: null, createdAt: T0 + HOUR },
        ]);
        expect((await s.sessions.get(created.id))?.updatedAt).toBe(T0 + HOUR);
        const turnStart = { sessionId: created.id, messageId };
        expect(await s.journal.open()).toMatchObject([
          { id: a, attempts: 1, turnStart },
          { id: b, attempts: 1, turnStart },
        ]);
      });

      it('startTurn for a session that does not exist writes nothing; the session key waits for the next write', async () => {
        const id = (await s.journal.record('k:a', 'telegram', '{}'))!;
        s.journal.setSessionKey(id, KEY);
        await expect(s.units.startTurn('no-such-session', 'hello', [id])).rejects.toThrow();
        const [entry] = await s.journal.open();
        expect(entry).toMatchObject({ id, attempts: 0, sessionKey: null });
        expect(entry?.turnStart).toBeUndefined();
        const created = await s.sessions.create(KEY, chat, '99');
        await s.units.startTurn(created.id, 'hello', [id]);
        expect(await s.journal.open()).toMatchObject([{ id, attempts: 1, sessionKey: KEY }]);
        expect((await s.sessions.transcript(created.id)).map((m) => m.content)).toEqual(['hello']);
      });

      it('finishTurn writes the messages, the token counts and the /insights row together', async () => {
        const created = await s.sessions.create(KEY, chat, '99');
        await s.units.startTurn(created.id, 'hi', []);
        at(HOUR);
        await s.units.finishTurn({
          sessionId: created.id,
          messages: [
            { role: 'assistant', content: null, extra: { tool_calls: [{ id: 't1' }] } },
            { role: 'tool', content: 'ok', extra: { tool_call_id: 't1' } },
            { role: 'assistant', content: 'done' },
          ],
          usage: { promptTokens: 50, completionTokens: 7, totalTokens: 57, lastPromptTokens: 30 },
          record: turnRecord({ sessionId: created.id, tools: ['terminal'] }),
        });
        expect((await s.sessions.transcript(created.id)).map((m) => [m.role, m.content])).toEqual([
          ['user', 'hi'],
          ['assistant', null],
          ['tool', 'ok'],
          ['assistant', 'done'],
        ]);
        expect(await s.sessions.get(created.id)).toMatchObject({
          inputTokens: 50,
          outputTokens: 7,
          totalTokens: 57,
          updatedAt: T0 + HOUR,
        });
        expect(await s.turns.insights(0)).toMatchObject({
          turns: 1,
          byTool: [{ tool: 'terminal', calls: 1 }],
        });
        // Without a model call: no usage, tokens unchanged.
        await s.units.finishTurn({
          sessionId: created.id,
          messages: [{ role: 'assistant', content: 'cached' }],
          record: turnRecord({ sessionId: created.id }),
        });
        expect((await s.sessions.get(created.id))?.totalTokens).toBe(57);
        expect((await s.turns.insights(0)).turns).toBe(2);
        // Usage without messages: the sums grow, updated_at stays (nothing was appended).
        at(2 * HOUR);
        await s.units.finishTurn({
          sessionId: created.id,
          messages: [],
          usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5, lastPromptTokens: 3 },
          record: turnRecord({ sessionId: created.id }),
        });
        expect(await s.sessions.get(created.id)).toMatchObject({ totalTokens: 62, updatedAt: T0 + HOUR });
      });

      it('finishTurn keeps the transcript when the /insights row cannot be written', async () => {
        const created = await s.sessions.create(KEY, chat, '99');
        // A NOT NULL column left null: the statistics row fails, the turn must not.
        const broken = turnRecord({ sessionId: created.id, platform: null as unknown as string });
        await s.units.finishTurn({
          sessionId: created.id,
          messages: [{ role: 'assistant', content: 'kept' }],
          usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2, lastPromptTokens: 1 },
          record: broken,
        });
        expect((await s.sessions.transcript(created.id)).map((m) => m.content)).toEqual(['kept']);
        expect((await s.sessions.get(created.id))?.totalTokens).toBe(2);
        expect((await s.turns.insights(0)).turns).toBe(0);
      });

      it('finishTurn for a session that does not exist writes nothing', async () => {
        await expect(
          s.units.finishTurn({
            sessionId: 'no-such-session',
            messages: [{ role: 'assistant', content: 'lost' }],
            record: turnRecord({ sessionId: 'no-such-session' }),
          }),
        ).rejects.toThrow();
        expect((await s.turns.insights(0)).turns).toBe(0);
      });

      it('startTurn with a drafted session writes the session and the message together, or neither', async () => {
        const id = (await s.journal.record('k:opens', 'telegram', '{}'))!;
        const draft = s.sessions.draft(KEY, chat, '99');
        expect(await s.sessions.active(KEY)).toBeUndefined();
        await s.units.startTurn(draft.row.id, 'hello', [id], draft);
        expect(await s.sessions.active(KEY)).toEqual(draft.row);
        expect((await s.sessions.transcript(draft.row.id)).map((m) => m.content)).toEqual(['hello']);
        expect(await s.journal.open()).toMatchObject([{ id, attempts: 1 }]);
        // The same draft again: its session row exists, so the unit fails whole and adds no message.
        await expect(s.units.startTurn(draft.row.id, 'again', [], draft)).rejects.toThrow();
        expect((await s.sessions.transcript(draft.row.id)).map((m) => m.content)).toEqual(['hello']);
        expect(await s.sessions.count()).toBe(1);
      });

      it('finishTurn closes the journal entries it is given in the same commit, or none when it fails', async () => {
        const created = await s.sessions.create(KEY, chat, '99');
        const answered = (await s.journal.record('k:answered', 'api_server', '{}'))!;
        const left = (await s.journal.record('k:left', 'api_server', '{}'))!;
        const other = (await s.journal.record('k:other', 'api_server', '{}'))!;
        s.journal.setSessionKey(answered, KEY);
        await s.units.finishTurn({
          sessionId: created.id,
          messages: [{ role: 'assistant', content: 'answer' }],
          record: turnRecord({ sessionId: created.id }),
          closeJournal: { ids: [answered], state: 'done' },
        });
        await s.units.finishTurn({
          sessionId: created.id,
          messages: [],
          record: turnRecord({ sessionId: created.id }),
          closeJournal: { ids: [left], state: 'abandoned' },
        });
        // A turn whose writes are refused closes nothing: its entry stays open for the replay.
        await expect(
          s.units.finishTurn({
            sessionId: 'no-such-session',
            messages: [{ role: 'assistant', content: 'lost' }],
            record: turnRecord({ sessionId: 'no-such-session' }),
            closeJournal: { ids: [other], state: 'done' },
          }),
        ).rejects.toThrow();
        expect((await s.journal.open()).map((e) => e.id)).toEqual([other]);
        expect((await s.sessions.transcript(created.id)).map((m) => m.content)).toEqual(['answer']);
      });

      it('recordReply enqueues the chunks, finishes the journal entries and keeps the streamed message', async () => {
        const a = (await s.journal.record('k:a', 'telegram', '{}'))!;
        const b = (await s.journal.record('k:b', 'telegram', '{}'))!;
        const open = (await s.journal.record('k:open', 'telegram', '{}'))!;
        s.journal.setSessionKey(a, KEY);
        const ids = await s.units.recordReply({
          chat,
          messages: [{ text: 'part 1' }, { text: 'part 2' }],
          turnRef: 'session-1',
          journalIds: [a, b],
          streamed: { kvKey: (first) => `stream:${first}`, value: { messageId: 'm-streamed' } },
        });
        expect(ids).toHaveLength(2);
        expect((await s.outbox.pending()).map((e) => [e.id, e.message.text, e.turnRef])).toEqual([
          [ids[0], 'part 1', 'session-1'],
          [ids[1], 'part 2', 'session-1'],
        ]);
        expect((await s.journal.open()).map((e) => e.id)).toEqual([open]);
        expect(await s.kv.get(`stream:${ids[0]}`)).toEqual({ messageId: 'm-streamed' });
        expect(await s.kv.get(`stream:${ids[1]}`)).toBeUndefined();
      });

      it('recordReply with no chunks still finishes the journal entries and stores no streamed key', async () => {
        const a = (await s.journal.record('k:a', 'telegram', '{}'))!;
        const kvKey = vi.fn((first: number) => `stream:${first}`);
        expect(
          await s.units.recordReply({ chat, messages: [], journalIds: [a], streamed: { kvKey, value: 1 } }),
        ).toEqual([]);
        expect(kvKey).not.toHaveBeenCalled();
        expect(await s.journal.open()).toEqual([]);
        expect(await s.outbox.countByState()).toEqual(NO_OUTBOX_ROWS);
      });

      it('recordOnce is true the first time only, and leaves nothing open to replay', async () => {
        expect(await s.units.recordOnce('press:1', 'telegram', '{"action":"ok"}')).toBe(true);
        expect(await s.units.recordOnce('press:1', 'telegram', '{"action":"ok"}')).toBe(false);
        expect(await s.journal.record('press:1', 'telegram', '{}')).toBeUndefined();
        expect(await s.journal.open()).toEqual([]);
        const id = (await s.journal.record('msg:1', 'telegram', '{}'))!;
        expect(await s.units.recordOnce('msg:1', 'telegram', '{}')).toBe(false);
        expect((await s.journal.open()).map((e) => e.id)).toEqual([id]);
        // Finished entries age out of the dedupe window like any other.
        at(8 * DAY);
        expect(await s.journal.prune(7 * DAY)).toBe(1);
        expect(await s.units.recordOnce('press:1', 'telegram', '{}')).toBe(true);
      });
    });

    describe('responses', () => {
      const store = (maxResponses = 3, maxAgeMs = DAY, platform = 'request_platform') =>
        s.responses(platform, { maxResponses, maxAgeMs });

      it('finds a response only in its scope and platform, and across a restart', async () => {
        await store().put('resp_1', 'key:aaa', '{"n":1}');
        expect(await store().get('resp_1', 'key:aaa')).toBe('{"n":1}');
        expect(await store().get('resp_1', 'key:bbb')).toBeUndefined();
        expect(await store().get('resp_2', 'key:aaa')).toBeUndefined();
        expect(await store(3, DAY, 'other_platform').get('resp_1', 'key:aaa')).toBeUndefined();
        await s.close();
        s = await opened.reopen();
        toClose.push(s);
        expect(await store().get('resp_1', 'key:aaa')).toBe('{"n":1}');
      });

      it('keeps only the newest maxResponses of its platform; a re-put keeps its place', async () => {
        const other = store(3, DAY, 'other_platform');
        await other.put('other_1', 'open', '{}');
        for (let i = 1; i <= 5; i++) await store().put(`resp_${i}`, 'open', `{"n":${i}}`);
        const kept = await Promise.all([1, 2, 3, 4, 5].map((i) => store().get(`resp_${i}`, 'open')));
        expect(kept).toEqual([undefined, undefined, '{"n":3}', '{"n":4}', '{"n":5}']);
        expect(await other.get('other_1', 'open')).toBe('{}');
        // resp_3 is overwritten (new body and scope) but stays the oldest: the next put pushes it out.
        await store().put('resp_3', 'key:new', '{"n":33}');
        expect(await store().get('resp_3', 'key:new')).toBe('{"n":33}');
        expect(await store().get('resp_3', 'open')).toBeUndefined();
        await store().put('resp_6', 'open', '{"n":6}');
        expect(await store().get('resp_3', 'key:new')).toBeUndefined();
        expect(await store().get('resp_4', 'open')).toBe('{"n":4}');
      });

      it('never returns a response past maxAgeMs, and deletes it on the next put', async () => {
        await store(100, DAY).put('resp_old', 'open', '{}');
        at(DAY - 1);
        expect(await store(100, DAY).get('resp_old', 'open')).toBe('{}');
        at(DAY + 1);
        expect(await store(100, DAY).get('resp_old', 'open')).toBeUndefined();
        // Still stored until a put prunes it: a store with a longer retention sees it.
        expect(await store(100, 10 * DAY).get('resp_old', 'open')).toBe('{}');
        await store(100, DAY).put('resp_new', 'open', '{}');
        expect(await store(100, 10 * DAY).get('resp_old', 'open')).toBeUndefined();
        expect(await store(100, DAY).get('resp_new', 'open')).toBe('{}');
      });
    });

    describe('lifecycle', () => {
      it('keeps everything across close and reopen', async () => {
        const created = await s.sessions.create(KEY, chat, '99');
        await s.sessions.append(created.id, 'user', 'hi');
        const open = await s.journal.record('k:1', 'telegram', '{}');
        const [out] = await s.outbox.enqueue(chat, [{ text: 'x' }]);
        await s.kv.set('k', { v: 1 });
        await s.turns.record(turnRecord());
        await s.close();
        s = await opened.reopen();
        toClose.push(s);
        expect(await s.sessions.active(KEY)).toEqual(created);
        expect((await s.sessions.transcript(created.id)).map((m) => m.content)).toEqual(['hi']);
        expect((await s.journal.open()).map((e) => e.id)).toEqual([open]);
        expect((await s.outbox.get(out!))?.message).toEqual({ text: 'x' });
        expect(await s.kv.get('k')).toEqual({ v: 1 });
        expect((await s.turns.insights(0)).turns).toBe(1);
        // New ids continue past the old ones.
        const next = await s.journal.record('k:2', 'telegram', '{}');
        expect(next).toBeGreaterThan(open!);
      });

      it('rejects calls after close, and closing twice is harmless', async () => {
        expect(['sqlite', 'postgres']).toContain(s.engine);
        expect(s.location).not.toBe('');
        await s.close();
        await s.close();
        await expect(s.kv.get('k')).rejects.toThrow();
        await expect(s.sessions.count()).rejects.toThrow();
      });
    });
  });
}
