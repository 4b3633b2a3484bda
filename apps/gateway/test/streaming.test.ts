import { AdapterError, type Capabilities } from '@hermes/adapter-core';
import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { MemoryAdapter, MemoryNativeStreamAdapter } from './support/memory-adapter.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A fast platform budget so tests stream in well under a second per edit. */
const FAST: Partial<Capabilities> = { chatRateLimit: { messages: 1, perMs: 100 } };

function words(count: number, prefix = 'w'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
}

/** Chunks of `perChunk` words each, as a model streams them (each chunk ends with a space or newline). */
function chunked(all: string[], perChunk: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < all.length; i += perChunk) {
    const piece = all.slice(i, i + perChunk);
    out.push(`${piece.join(' ')}${(i / perChunk) % 12 === 11 ? '\n\n' : ' '}`);
  }
  return out;
}

/** Every write the reply cost: sends plus edits of the reply's messages. */
function writes(adapter: MemoryAdapter): number {
  return adapter.sent.length + adapter.edits.length;
}

describe('streamed chat replies (issue 9 §3)', () => {
  it('a long reply grows by edits far below one per token and ends as ONE message equal to the final reply', async () => {
    const adapter = new MemoryAdapter('memory', FAST);
    h = await startHarness({ adapter });
    const chunks = words(300).map((w) => `${w} `);
    h.fake.script(step.stream(chunks, { delayMs: 4 }));
    h.adapter.inject({ text: 'tell me a long story' });
    const final = chunks.join('').trim();
    await waitFor(() => adapter.shown().some((m) => m.text === final), 'final text in the streamed message');
    await new Promise((r) => setTimeout(r, 150));
    expect(adapter.sent).toHaveLength(1);
    expect(adapter.shown()).toEqual([{ id: adapter.sent[0]!.id, text: final }]);
    // It did grow: at least one edit before the end, each edit showing more than the last.
    expect(adapter.edits.length).toBeGreaterThan(1);
    expect(adapter.sent[0]!.message.text!.length).toBeLessThan(final.length);
    expect(adapter.sent[0]!.message.replyTo).toBeDefined();
    expect(writes(adapter)).toBeLessThan(chunks.length / 4);
  });

  it('a 20,000-char reply continues in new messages past the limit, every word arriving exactly once', async () => {
    const adapter = new MemoryAdapter('memory', { ...FAST, maxMessageLength: 4000 });
    h = await startHarness({ adapter });
    const all = words(3400);
    const chunks = chunked(all, 10);
    expect(chunks.join('').length).toBeGreaterThan(20_000);
    h.fake.script(step.stream(chunks, { delayMs: 3 }));
    h.adapter.inject({ text: 'a very long answer please' });
    const last = all.at(-1)!;
    await waitFor(
      () => adapter.shown().some((m) => m.text.trimEnd().endsWith(last)),
      'the last word shown',
      20_000,
    );
    await new Promise((r) => setTimeout(r, 200));
    const shown = adapter.shown();
    expect(shown.length).toBeGreaterThanOrEqual(6);
    for (const m of shown) expect(m.text.length).toBeLessThanOrEqual(4000);
    const seen = shown.flatMap((m) => m.text.split(/\s+/).filter(Boolean));
    expect(seen).toEqual(all);
    expect(writes(adapter)).toBeLessThan(chunks.length);
  });

  it('rate-limited edits (429 with retry-after) are skipped and merged, and the final text is never lost', async () => {
    const adapter = new MemoryAdapter('memory', FAST);
    h = await startHarness({ adapter });
    for (let i = 0; i < 6; i++)
      adapter.failNextEdits.push(
        new AdapterError('rate_limited', 'Too Many Requests', { retryable: true, retryAfterMs: 60 }),
      );
    const chunks = words(120).map((w) => `${w} `);
    h.fake.script(step.stream(chunks, { delayMs: 5 }));
    h.adapter.inject({ text: 'go' });
    const final = chunks.join('').trim();
    await waitFor(() => adapter.shown().some((m) => m.text === final), 'final text shown', 15_000);
    expect(adapter.failNextEdits).toHaveLength(0);
    // Whatever the 429s cost, the reply is not duplicated: one message, or the streamed one plus a fallback.
    expect(adapter.shown().filter((m) => m.text === final)).toHaveLength(1);
  });

  it('a model error leaves the partial message marked with the error, not dangling', async () => {
    const adapter = new MemoryAdapter('memory', FAST);
    h = await startHarness({ adapter });
    // The model writes a first sentence, runs a tool, then fails on its next call.
    h.fake.script(
      step.toolCalls([{ name: 'terminal', arguments: { command: 'sleep 0.4' } }], {
        text: 'The answer starts here, ',
      }),
      step.error(500, 'upstream exploded'),
    );
    h.adapter.inject({ text: 'go' });
    const marked = await waitFor(
      () => adapter.shown().find((m) => m.text.includes('⚠️')),
      'error mark on the streamed message',
    );
    expect(marked.text.startsWith('The answer starts here')).toBe(true);
    expect(adapter.shown().filter((m) => m.text.includes('The answer starts here'))).toHaveLength(1);
  });

  it('an interrupt leaves the partial message marked "⚡ Interrupted" and the next turn answers', async () => {
    const adapter = new MemoryAdapter('memory', FAST);
    h = await startHarness({ adapter });
    const chunks = words(400, 'slow').map((w) => `${w} `);
    h.fake.script(step.stream(chunks, { delayMs: 20 }), step.text('fresh answer'));
    h.adapter.inject({ text: 'first' });
    await waitFor(() => adapter.sent.length > 0, 'the streamed message appears');
    h.adapter.inject({ text: 'second' });
    await waitFor(() => adapter.texts().includes('fresh answer'), 'answer of the interrupting turn');
    const partial = adapter.shown()[0]!;
    expect(partial.text.startsWith('slow00000')).toBe(true);
    expect(partial.text.trimEnd().endsWith('⚡ Interrupted')).toBe(true);
    expect(partial.text).not.toContain(chunks.at(-1)!.trim());
  });

  it('uses the native stream when the platform has one: updates under the budget, then finish(final)', async () => {
    const adapter = new MemoryNativeStreamAdapter('memory', FAST);
    h = await startHarness({ adapter });
    const chunks = words(200).map((w) => `${w} `);
    h.fake.script(step.stream(chunks, { delayMs: 4 }));
    h.adapter.inject({ text: 'go' });
    const final = chunks.join('').trim();
    await waitFor(() => adapter.streams[0]?.finished, 'native stream finished');
    const stream = adapter.streams[0]!;
    expect(stream.finished).toBe(final);
    expect(stream.updates.length).toBeGreaterThan(0);
    expect(stream.updates.length).toBeLessThan(chunks.length / 4);
    expect(adapter.sent).toHaveLength(0);
    expect(adapter.edits).toHaveLength(0);
  });

  it('falls back to edit streaming when startStream refuses (e.g. unsupported in a group)', async () => {
    const adapter = new MemoryNativeStreamAdapter('memory', FAST);
    adapter.refuse = true;
    h = await startHarness({ adapter });
    const chunks = words(150).map((w) => `${w} `);
    h.fake.script(step.stream(chunks, { delayMs: 4 }));
    h.adapter.inject({ text: 'go' });
    const final = chunks.join('').trim();
    await waitFor(() => adapter.shown().some((m) => m.text === final), 'final text by edits');
    expect(adapter.streams).toHaveLength(0);
    expect(adapter.sent).toHaveLength(1);
    expect(adapter.edits.length).toBeGreaterThan(0);
    expect(
      h.logger.find('info', 'native stream refused; streaming by edits for this reply'),
    ).not.toHaveLength(0);
  });

  it('display.streaming: off sends the reply once, with no edits', async () => {
    const adapter = new MemoryAdapter('memory', FAST);
    h = await startHarness({ adapter, files: { 'config.yaml': 'display:\n  streaming: off\n' } });
    const chunks = words(100).map((w) => `${w} `);
    h.fake.script(step.stream(chunks, { delayMs: 3 }));
    h.adapter.inject({ text: 'go' });
    const final = chunks.join('').trim();
    await waitFor(() => adapter.texts().includes(final), 'the one reply');
    expect(adapter.sent).toHaveLength(1);
    expect(adapter.edits).toHaveLength(0);
  });

  it('a platform override beats HERMES_STREAMING, which beats display.streaming', async () => {
    const adapter = new MemoryNativeStreamAdapter('memory', FAST);
    h = await startHarness({
      adapter,
      env: { HERMES_STREAMING: 'off' },
      files: { 'config.yaml': 'display:\n  streaming: native\nplatforms:\n  memory:\n    streaming: edit\n' },
    });
    const chunks = words(80).map((w) => `${w} `);
    h.fake.script(step.stream(chunks, { delayMs: 4 }));
    h.adapter.inject({ text: 'go' });
    const final = chunks.join('').trim();
    await waitFor(() => adapter.shown().some((m) => m.text === final), 'reply streamed by edits');
    expect(adapter.streams).toHaveLength(0);
    expect(adapter.sent).toHaveLength(1);
  });
});
