import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeInbound } from '../src/inbound/inbound-codec.js';
import { streamedReplyKey } from '../src/turn/streaming/stream-finish.js';
import { type Harness, onPostgres, startHarness, stateDbOf, waitFor } from './support/harness.js';
import { MemoryRequestAdapter } from './support/memory-adapter.js';

let h: Harness | undefined;
const homes: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const d of homes.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempHome(): string {
  const d = mkdtempSync(join(tmpdir(), 'hermes-recovery-'));
  homes.push(d);
  return d;
}

describe('after an unclean stop', () => {
  // It stages the crash on state.db itself (rows deleted, the file abandoned); PostgreSQL's own crash tests
  // are the replica e2e (kill -9 of real processes).
  it.skipIf(onPostgres)(
    'delivers recorded replies once with a marker, never re-sends one that was mid-send, replays open messages',
    async () => {
      const home = tempHome();
      const first = await startHarness({ home });
      const chat = { platform: 'memory', chatId: 'chat-1', chatType: 'dm' as const };
      const rt = first.host.runtime;
      const [sending] = await rt.outbox.enqueue(chat, [{ text: 'was being sent' }], 'turn-a');
      await rt.outbox.markSending(sending!);
      await rt.outbox.enqueue(chat, [{ text: 'never sent' }], 'turn-b');
      const msg = first.adapter.inject({ id: 'will-replay', text: 'placeholder' });
      // The first turn ends with its reply marked sent: a crash before that commit would leave it ambiguous.
      await waitFor(
        async () => (await rt.journal.open()).length === 0 && (await rt.outbox.countByState()).sent === 1,
        'first turn answered',
      );
      // Recreate the state a crash leaves: an acknowledged message whose turn never finished.
      stateDbOf(first.host).prepare('DELETE FROM inbound').run();
      await rt.journal.record(
        'memory:chat-1:acked-1',
        'memory',
        encodeInbound({ ...msg, id: 'acked-1', text: 'answer me after the crash' }),
      );
      // "kill -9": no stop(), the database is simply abandoned (WAL keeps what was committed).
      stateDbOf(first.host).close();
      await first.fake.close();

      h = await startHarness({ home });
      h.fake.script(step.text('answer after restart'));
      await waitFor(() => h!.adapter.texts().includes('answer after restart'), 'replayed message answered');
      const texts = h.adapter.texts();
      expect(texts.filter((t) => t.includes('never sent'))).toHaveLength(1);
      expect(texts.find((t) => t.includes('never sent'))).toMatch(/^♻️ Recovered reply/);
      expect(texts.some((t) => t.includes('was being sent'))).toBe(false);
      expect((await h.host.runtime.outbox.countByState()).ambiguous).toBe(1);
      expect(String(h.fake.requests[0]!.body.messages.at(-1)!.content)).toBe('answer me after the crash');
    },
  );
});

// Staged on state.db itself (the file abandoned, rows read or aged in SQL): SQLite only.
describe.skipIf(onPostgres)('after an unclean stop mid-stream', () => {
  it('edits the streamed message into the recovered reply instead of sending the reply a second time', async () => {
    const home = tempHome();
    const first = await startHarness({ home });
    const chat = { platform: 'memory', chatId: 'chat-1', chatType: 'dm' as const };
    const rt = first.host.runtime;
    // What a crash between recording the final reply and sending it leaves: the streamed message holds a
    // partial text, the outbox the whole reply, and the kv store which message the reply finishes.
    const streamed = await first.adapter.send(chat, { text: 'The answer is' });
    if (!streamed.ok) throw new Error('memory send failed');
    const [row] = await rt.outbox.enqueue(chat, [{ text: 'The answer is 42.' }], 'turn-s');
    await rt.kv.set(streamedReplyKey(row!), { chat, messageId: streamed.messageIds[0] });
    stateDbOf(first.host).close();
    await first.fake.close();

    h = await startHarness({ home });
    await waitFor(
      () => h!.adapter.edits.some((e) => e.text.includes('The answer is 42.')),
      'the streamed message edited into the recovered reply',
    );
    const edit = h.adapter.edits.find((e) => e.text.includes('The answer is 42.'))!;
    expect(edit.messageId).toBe(streamed.messageIds[0]);
    expect(edit.text).toMatch(/^♻️ Recovered reply/);
    expect(h.adapter.texts().some((t) => t.includes('The answer is 42.'))).toBe(false);
    expect(await h.host.runtime.kv.get(streamedReplyKey(row!))).toBeUndefined();
  });
});

// Staged on state.db itself (the file abandoned, rows read or aged in SQL): SQLite only.
describe.skipIf(onPostgres)('reset policies', () => {
  it('auto-resets an idle session, tells the user, and starts without the old history', async () => {
    h = await startHarness({ files: { 'config.yaml': 'session_reset:\n  mode: idle\n  idle_minutes: 5\n' } });
    h.fake.script(step.text('a1'), step.text('a2'));
    h.adapter.inject({ text: 'remember 42' });
    await waitFor(() => h!.adapter.texts().includes('a1'), 'a1');
    stateDbOf(h.host)
      .prepare('UPDATE sessions SET updated_at = updated_at - ?')
      .run(6 * 60_000);
    h.adapter.inject({ text: 'what number?' });
    await waitFor(() => h!.adapter.texts().includes('a2'), 'a2');
    expect(h.adapter.texts().some((t) => t.startsWith('◐ Session automatically reset (inactive'))).toBe(true);
    const contents = h.fake.requests[1]!.body.messages.map((m) => String(m.content));
    expect(contents.some((c) => c.includes('remember 42'))).toBe(false);
  });
});

// Staged on state.db itself (the file abandoned, rows read or aged in SQL): SQLite only.
describe.skipIf(onPostgres)('replay after kill -9 is idempotent and bounded', () => {
  /** Starts a turn on a hanging model, then abandons the process state mid-turn like kill -9 would. */
  async function crashMidTurn(home: string, text: string, extra = {}) {
    const first = await startHarness({ home, env: { MEMORY_ALLOW_ALL_USERS: 'true' } });
    first.fake.script(step.hang());
    first.adapter.inject({ id: 'mid-turn', text, ...extra });
    await waitFor(() => first.fake.requests.length === 1, 'model called');
    stateDbOf(first.host).close();
    await first.fake.close();
    return first;
  }

  it('stores the interrupted user message once, not twice', async () => {
    const home = tempHome();
    await crashMidTurn(home, 'question before the crash');
    h = await startHarness({ home });
    h.fake.script(step.text('answered once'));
    await waitFor(() => h!.adapter.texts().includes('answered once'), 'replayed answer');
    const rows = stateDbOf(h.host)
      .prepare("SELECT content FROM messages WHERE role = 'user'")
      .all() as Array<{ content: string }>;
    expect(rows.map((r) => r.content)).toEqual(['question before the crash']);
    const sent = h.fake.requests[0]!.body.messages.filter((m) => m.role === 'user').map((m) => m.content);
    expect(sent).toEqual(['question before the crash']);
  });

  it('does not replay a request whose client died with the process', async () => {
    const home = tempHome();
    const env = { MEMREQ_ALLOW_ALL_USERS: 'true' };
    const first = await startHarness({ home, env, adapter: new MemoryRequestAdapter() });
    first.fake.script(step.hang());
    const request = {
      replyMessageId: 'r1',
      stream: false,
      history: [],
      system: [],
      signal: new AbortController().signal,
    };
    first.adapter.inject({ text: 'api question', extra: { request } });
    await waitFor(() => first.fake.requests.length === 1, 'model called');
    stateDbOf(first.host).close();
    await first.fake.close();
    h = await startHarness({ home, env, adapter: new MemoryRequestAdapter() });
    await waitFor(
      () => stateDbOf(h!.host).prepare("SELECT 1 FROM inbound WHERE state = 'abandoned'").get(),
      'abandoned',
    );
    expect(h.fake.requests).toHaveLength(0);
    expect(stateDbOf(h.host).prepare("SELECT COUNT(*) AS n FROM messages WHERE role = 'user'").get()).toEqual(
      { n: 0 },
    );
  });

  it('gives a message up after three crashed attempts instead of replaying it for ever', async () => {
    const home = tempHome();
    await crashMidTurn(home, 'poison');
    for (let i = 0; i < 2; i++) {
      const again = await startHarness({ home });
      again.fake.script(step.hang());
      await waitFor(() => again.fake.requests.length === 1, `replay ${i + 1} called the model`);
      stateDbOf(again.host).close();
      await again.fake.close();
    }
    h = await startHarness({ home });
    await waitFor(() => h!.adapter.texts().some((t) => t.includes('gave up')), 'give-up notice');
    expect(h.fake.requests).toHaveLength(0);
    const row = stateDbOf(h.host).prepare('SELECT state, attempts FROM inbound').get() as {
      state: string;
      attempts: number;
    };
    expect(row).toEqual({ state: 'failed', attempts: 3 });
  });
});
