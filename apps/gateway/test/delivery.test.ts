import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdapterError } from '@hermes/adapter-core';
import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { MemoryAdapter } from './support/memory-adapter.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('reply delivery', () => {
  it('retries a network failure and honours retry_after, delivering exactly once', async () => {
    h = await startHarness();
    h.adapter.failNextSends.push(
      new AdapterError('network', 'connection reset before the request was written'),
      new AdapterError('rate_limited', 'slow down', { retryAfterMs: 300 }),
    );
    h.fake.script(step.text('eventually delivered'));
    const started = Date.now();
    h.adapter.inject({ text: 'hi' });
    await waitFor(() => h!.adapter.texts().includes('eventually delivered'), 'delivery after retries');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(h.adapter.texts().filter((t) => t === 'eventually delivered')).toHaveLength(1);
    expect((await h.host.runtime.outbox.countByState()).sent).toBe(1);
  });

  it('re-sends once as plain text when the platform rejects the formatting', async () => {
    h = await startHarness();
    h.adapter.failNextSends.push(new AdapterError('formatting_rejected', "can't parse entities"));
    h.fake.script(step.text('**bold** reply'));
    h.adapter.inject({ text: 'hi' });
    await waitFor(() => h!.adapter.sent.length > 0, 'plain re-send');
    expect(h.adapter.sent).toHaveLength(1);
    expect(h.adapter.sent[0]?.message.format).toBe('plain');
  });

  it('never re-sends after an ambiguous timeout', async () => {
    h = await startHarness();
    h.adapter.failNextSends.push(new AdapterError('timeout_ambiguous', 'sent, no answer'));
    h.fake.script(step.text('maybe delivered'));
    h.adapter.inject({ text: 'hi' });
    await waitFor(async () => (await h!.host.runtime.outbox.countByState()).ambiguous === 1, 'ambiguous row');
    await new Promise((r) => setTimeout(r, 200));
    expect(h.adapter.sent).toHaveLength(0);
    expect(h.logger.find('error', 'reply not delivered')).toHaveLength(1);
  });

  it('sends MEDIA: files from a reply as native media after the text', async () => {
    h = await startHarness();
    const file = join(h.workDir, 'chart.png');
    writeFileSync(file, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    h.fake.script(step.text(`Here is the chart.\nMEDIA:${file}`));
    h.adapter.inject({ text: 'chart please' });
    await waitFor(() => h!.adapter.sent.length >= 2, 'text and media');
    expect(h.adapter.sent[0]?.message.text).toBe('Here is the chart.');
    expect(h.adapter.sent[1]?.message.media).toEqual([{ kind: 'image', path: file, name: 'chart.png' }]);
  });

  it('splits a long reply to the adapter limit; only the first chunk replies to the user message', async () => {
    const adapter = new MemoryAdapter('memory', { maxMessageLength: 200, lengthUnit: 'utf16' });
    h = await startHarness({ adapter });
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
    h.fake.script(step.text(words.join(' ')));
    const msg = adapter.inject({ text: 'long please' });
    await waitFor(() => adapter.texts().join(' ').includes('w299'), 'all chunks');
    for (const s of adapter.sent) expect((s.message.text ?? '').length).toBeLessThanOrEqual(200);
    expect(adapter.sent[0]?.message.replyTo).toBe(msg.id);
    expect(adapter.sent.slice(1).every((s) => s.message.replyTo === undefined)).toBe(true);
    expect(adapter.texts().join(' ').split(/\s+/)).toEqual(words);
  });
});
