import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { InboundMessage } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { createTestContext } from './test-context.js';

function message(text: string): InboundMessage {
  return {
    id: text,
    chat: { platform: 'test', chatId: 'c1', chatType: 'dm' },
    sender: { id: 'u1' },
    text,
    mentionsBot: false,
    attachments: [],
    receivedAt: new Date(),
    raw: { text },
  };
}

describe('createTestContext', () => {
  it('records received messages and statuses, and waits for a message', async () => {
    const t = createTestContext();
    try {
      t.ctx.status('connecting');
      t.ctx.status('online', 'session s1');
      setTimeout(() => t.ctx.receive(message('later')), 10);
      const got = await t.waitForReceived((m) => m.text === 'later', 1000);
      expect(got.text).toBe('later');
      expect(t.received).toHaveLength(1);
      expect(t.statuses).toEqual(['connecting', 'online']);
      expect(t.statusLog[1]).toMatchObject({ status: 'online', detail: 'session s1' });
    } finally {
      await t.cleanup();
    }
  });

  it('names what it received when the wait times out', async () => {
    const t = createTestContext();
    t.ctx.receive(message('something else'));
    await expect(t.waitForReceived((m) => m.text === 'never', 50)).rejects.toThrow(
      /waiting for a matching message in ctx.receive; received 1 message\(s\): "something else"/,
    );
    await t.cleanup();
  });

  it('logs into a memory logger the test can search', async () => {
    const t = createTestContext();
    t.ctx.logger.child({ platform: 'test' }).warn('dropped malformed frame', { bytes: 9 });
    expect(t.logger.find('warn', 'malformed')).toHaveLength(1);
    await t.cleanup();
  });

  it('gives a temp media cache whose paths stay inside it, removed by cleanup()', async () => {
    const t = createTestContext();
    const a = t.ctx.mediaCache.pathFor('photo.png');
    const b = t.ctx.mediaCache.pathFor('photo.png');
    expect(a).not.toBe(b);
    expect(dirname(a)).toBe(t.ctx.mediaCache.dir);
    expect(dirname(t.ctx.mediaCache.pathFor('../../etc/passwd'))).toBe(t.ctx.mediaCache.dir);
    await writeFile(a, 'x');
    await t.cleanup();
    expect(existsSync(t.ctx.mediaCache.dir)).toBe(false);
    expect(t.ctx.signal.aborted).toBe(true);
  });

  it('leaves a caller-owned media folder in place and aborts on abort()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'testkit-owned-'));
    const t = createTestContext({ mediaDir: dir });
    t.abort();
    expect(t.ctx.signal.aborted).toBe(true);
    await t.cleanup();
    expect(existsSync(dir)).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });

  it('records button presses and waits for one that matches', async () => {
    const t = createTestContext();
    const press = (actionId: string) => ({
      id: `press-${actionId}`,
      chat: { platform: 'echo', chatId: 'c1', chatType: 'dm' as const },
      sender: { id: 'u1' },
      messageId: 'm1',
      actionId,
      receivedAt: new Date(),
      raw: null,
    });
    const waiting = t.waitForAction((a) => a.actionId === 'deny', 1_000);
    t.ctx.receiveAction?.(press('approve'));
    t.ctx.receiveAction?.(press('deny'));
    expect((await waiting).id).toBe('press-deny');
    expect(t.actions.map((a) => a.actionId)).toEqual(['approve', 'deny']);
    await t.cleanup();
  });
});
