import { seededRandom } from '@hermes/adapter-core';
import { sleep } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type MatrixHarness } from './harness.js';

describe('matrix resilience (fake homeserver)', () => {
  let h: MatrixHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('1,000-message exchange with dropped syncs and lost send answers: zero lost, zero duplicated', async () => {
    h = await createHarness();
    const { adapter, context } = await h.start();
    const random = seededRandom(11);
    const total = 1_000;
    const dropAt = new Set([
      Math.floor(total * (0.2 + random() * 0.2)),
      Math.floor(total * (0.6 + random() * 0.2)),
    ]);
    for (let n = 0; n < total; n += 1) {
      if (dropAt.has(n)) {
        // Cut the long poll (or the next one) while messages keep arriving.
        if (h.fake.dropSyncs() === 0) {
          h.fake.server.faults.next({ kind: 'drop' }, 1, { method: 'GET', path: '/_matrix/client/v3/sync' });
        }
      }
      await h.fake.deliverDm(`question ${n}`);
      if (n % 100 === 99) await sleep(5);
    }
    await context.waitForReceived((m) => m.text === `question ${total - 1}`, 30_000);
    await sleep(300);
    const texts = context.received.map((m) => m.text);
    expect(new Set(texts).size, 'duplicates reached the host').toBe(texts.length);
    expect(texts.length, 'messages were lost').toBe(total);

    // Answers: some answers from the homeserver are lost after the event was stored; the retry reuses
    // the transaction id, so the room still gets each answer exactly once.
    h.fake.loseSendAnswers(2);
    const results = await Promise.all(
      context.received.map((m) => adapter.send(m.chat, { text: `answer ${m.text}`, format: 'plain' })),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const answers = h.fake.sentMessages().map((s) => s.text);
    expect(answers.length).toBe(total);
    expect(new Set(answers).size).toBe(total);
  }, 60_000);

  it('M_LIMIT_EXCEEDED without retry_after_ms still waits (Retry-After header or 1 s) and lands once', async () => {
    h = await createHarness();
    const { adapter } = await h.start();
    h.fake.server.faults.next(
      { kind: 'status', status: 429, body: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests' } },
      1,
      { method: 'PUT', path: /\/send\// },
    );
    const started = Date.now();
    const result = await adapter.send(
      { platform: 'matrix', chatId: h.fake.dmRoomId, chatType: 'dm' },
      { text: 'limited' },
    );
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(h.fake.sentMessages().filter((m) => m.text?.includes('limited'))).toHaveLength(1);
  });
});
