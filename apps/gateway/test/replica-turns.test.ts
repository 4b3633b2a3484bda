import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdapterError,
  type ChatRef,
  type OutboundMessage,
  type PlatformAgentTool,
  type SendResult,
} from '@hermes/adapter-core';
import { type FakeOpenAI, lastUserText, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '../src/state/postgres/index.js';
import { freshSchemaUrl, pgSuiteName, postgres } from '../src/state/postgres/test-support/pg-fixture.js';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { MemoryAdapter, MemoryButtonsAdapter } from './support/memory-adapter.js';

/**
 * Turns across replicas (issue 15): two hosts on one PostgreSQL, one holding the (exclusive) memory platform's
 * connection. Each host has its own fake model, so which replica ran a turn is visible in which model it asked.
 */
const suite = describe.skipIf(!postgres.ok);

const hosts: Harness[] = [];
const fakes: FakeOpenAI[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  for (const f of fakes.splice(0)) await f.close();
});

/**
 * Replica A starts alone, so it holds the connection; `whileAlone` runs before B starts (a turn started then
 * can only run on A). Then B joins.
 */
async function twoReplicas(
  config: string,
  options: {
    adapter?: () => MemoryAdapter;
    whileAlone?: (holder: Harness, fake: FakeOpenAI) => Promise<void>;
    platformTools?: boolean;
  } = {},
): Promise<{ holder: Harness; other: Harness; all: Harness[] }> {
  const { url } = await freshSchemaUrl();
  for (const id of ['replica-a', 'replica-b']) {
    const fake = await startFakeOpenAI();
    // A model that takes a moment, so one replica's room fills and the other takes sessions.
    fake.setDefault((request) => [step.delay(150), step.text(`answer to ${lastUserText(request)}`)]);
    fakes.push(fake);
    const h = await startHarness({
      fake,
      adapter: options.adapter?.() ?? new MemoryAdapter(),
      storage: await openPostgresStorage(url, { replicaId: id }),
      env: { HERMES_CONNECTION_LEASE_SECONDS: '2' },
      files: { 'config.yaml': config },
      staleReplies: { everyMs: 100, afterMs: 500 },
      ...(options.platformTools ? { platformTools: true } : {}),
    });
    hosts.push(h);
    if (id === 'replica-a') {
      await waitFor(() => h.adapter.ctx !== undefined, 'replica A holding the connection');
      await options.whileAlone?.(h, fake);
    }
  }
  return { holder: hosts[0]!, other: hosts[1]!, all: hosts };
}

/** A connection that is reconnecting for some chats: their sends are refused as surely not sent. */
class RefusingAdapter extends MemoryAdapter {
  readonly refused = new Set<string>();
  override async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    if (this.refused.has(chat.chatId))
      return { ok: false, error: new AdapterError('not_connected', 'reconnecting') };
    return super.send(chat, message);
  }
}

/** A platform with a tool of its own (as Home Assistant's `ha_*`), which works only on a live connection. */
class ToolAdapter extends MemoryAdapter {
  readonly ran: Array<Record<string, unknown>> = [];
  constructor() {
    super('memory', { agentTools: true });
  }
  agentTools(): readonly PlatformAgentTool[] {
    return [
      {
        name: 'memory_lamp',
        description: 'Switches the lamp',
        parameters: { type: 'object', properties: { on: { type: 'boolean' } } },
        toolset: 'memory',
        execute: async (args) => {
          if (!this.ctx) return { ok: false, output: 'not connected here' };
          this.ran.push(args);
          return { ok: true, output: `lamp ${args['on'] ? 'on' : 'off'}` };
        },
      },
    ];
  }
}

/** Keeps the holder's one run busy, so the next chat goes to the other replica. */
const busyHolder = async (holder: Harness, fake: FakeOpenAI): Promise<void> => {
  fake.script(step.delay(3000), step.text('slow holder answer'));
  holder.adapter.inject({ text: 'keep the holder busy', chatId: 'busy' });
  await waitFor(() => fake.requests.length === 1, 'holder turn started');
};

suite(pgSuiteName('turns across replicas'), () => {
  it('runs chats on both replicas, answers each message once, and keeps each chat in order', async () => {
    const { holder, all } = await twoReplicas('gateway:\n  max_concurrent_runs: 2\n');
    const chats = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    for (const chatId of chats) holder.adapter.inject({ text: `${chatId} first`, chatId });
    await waitFor(() => holder.adapter.texts().length === chats.length, 'first answers', 20_000);
    for (const chatId of chats) holder.adapter.inject({ text: `${chatId} second`, chatId });
    await waitFor(() => holder.adapter.texts().length === 2 * chats.length, 'second answers', 20_000);

    // Every reply went out once, through the connection holder, in each chat's order.
    for (const chatId of chats) {
      const replies = holder.adapter.sent.filter((s) => s.chat.chatId === chatId).map((s) => s.message.text);
      expect(replies).toEqual([`answer to ${chatId} first`, `answer to ${chatId} second`]);
    }
    // Both replicas ran turns; together exactly one model call per message.
    const ran = fakes.map((f) => f.requests.length);
    expect(ran.every((n) => n > 0)).toBe(true);
    expect(ran.reduce((a, b) => a + b, 0)).toBe(2 * chats.length);
    // The second turn of a chat saw the first one's exchange, whichever replica ran it.
    for (const f of fakes)
      for (const r of f.requests)
        if (lastUserText(r.body).endsWith('second'))
          expect(r.body.messages.some((m) => String(m.content).startsWith('answer to'))).toBe(true);
    expect(all).toHaveLength(2);
  });

  it('a message for a chat whose turn runs on the other replica reaches that turn (interrupt)', async () => {
    // Fill the holder's one run so the next chat goes to the other replica, then interrupt it from the holder.
    const { holder, other } = await twoReplicas('gateway:\n  max_concurrent_runs: 1\n', {
      whileAlone: busyHolder,
    });
    const holderFake = fakes[0]!;
    const otherFake = fakes[1]!;
    otherFake.script(step.delay(3000), step.text('stale'), step.text('both at once'));
    holder.adapter.inject({ text: 'm1', chatId: 'x' });
    await waitFor(() => otherFake.requests.length === 1, 'turn of chat x on the other replica');
    // `hermes status` shows who runs what: the other replica holds chat x's session with its message claimed.
    const replicas = other.host.runtime.storage.replicas!;
    const view = (await replicas.replicas()).find((v) => v.id === replicas.replicaId);
    expect(view).toMatchObject({ sessions: 1, claimedMessages: 1, owns: [] });
    expect(await replicas.queue()).toEqual({ waitingMessages: 0, pendingCalls: 0 });
    holder.adapter.inject({ text: 'm2', chatId: 'x' });
    await waitFor(() => holder.adapter.texts().includes('both at once'), 'answer to both', 15_000);
    const last = otherFake.requests.at(-1)!.body.messages.filter((m) => m.role === 'user');
    expect(last.map((m) => m.content)).toContain('m2');
    expect(holder.adapter.texts()).not.toContain('stale');
    // Chat x never ran on the holder.
    expect(holderFake.requests.every((r) => !lastUserText(r.body).startsWith('m'))).toBe(true);
  });

  it('an attachment of a message run on the other replica is downloaded through the replica that received it', async () => {
    const { holder, other } = await twoReplicas('gateway:\n  max_concurrent_runs: 1\n', {
      whileAlone: busyHolder,
    });
    const otherFake = fakes[1]!;
    // Only the receiving replica can download it: its fetch reads a file in the holder's own home.
    const original = join(holder.home, 'received.png');
    const bytes = Buffer.from('\x89PNG not really, but these exact bytes');
    writeFileSync(original, bytes);
    let downloads = 0;
    await holder.adapter.deliver({
      id: 'with-picture',
      chat: { platform: 'memory', chatId: 'pics', chatType: 'dm' },
      sender: { id: 'user-1', name: 'Alice' },
      text: 'what is in this picture?',
      mentionsBot: false,
      attachments: [
        {
          kind: 'image',
          name: 'received.png',
          fetch: async () => {
            downloads++;
            return original;
          },
        },
      ],
      receivedAt: new Date(),
      raw: null,
    });
    await waitFor(
      () => holder.adapter.texts().some((t) => t.startsWith('answer to') && t.includes('picture')),
      'answer',
      15_000,
    );
    const asked = otherFake.requests.find((r) => lastUserText(r.body).includes('what is in this picture?'));
    expect(asked, 'the picture turn ran on the other replica').toBeDefined();
    const saved = /saved at (\S+)\]/.exec(lastUserText(asked!.body))?.[1];
    expect(saved).toBeDefined();
    expect(saved!.startsWith(other.home)).toBe(true);
    expect(readFileSync(saved!).equals(bytes)).toBe(true);
    expect(downloads).toBe(1);
  });

  it('an approval button pressed on the connection holder answers the turn waiting on the other replica', async () => {
    const { holder } = await twoReplicas('gateway:\n  max_concurrent_runs: 1\n', {
      adapter: () => new MemoryButtonsAdapter(),
      whileAlone: busyHolder,
    });
    const otherFake = fakes[1]!;
    otherFake.script(
      step.toolCall('terminal', { command: 'rm -rf /tmp/hermes-replica-approval' }),
      step.text('deleted it'),
    );
    holder.adapter.inject({ text: 'clean up', chatId: 'ops' });
    const prompt = await waitFor(
      () => holder.adapter.sent.find((s) => s.message.text?.includes('Dangerous command requires approval')),
      'approval prompt, sent through the holder',
      10_000,
    );
    expect(otherFake.requests).toHaveLength(1);
    const approve = prompt.message.actions?.find((a) => a.id.endsWith(':once'))?.id;
    expect(approve).toBeDefined();
    (holder.adapter as MemoryButtonsAdapter).press(prompt.id, approve!, { name: 'Alice' });
    await waitFor(() => holder.adapter.texts().includes('deleted it'), 'final reply', 10_000);
    expect((holder.adapter as MemoryButtonsAdapter).settled).toEqual([
      { chat: prompt.chat, messageId: prompt.id, outcome: '✅ Approved by Alice' },
    ]);
    const toolResult = otherFake.requests[1]!.body.messages.find((m) => m.role === 'tool');
    expect(String(toolResult?.content)).not.toMatch(/denied/i);
  });

  it('a reply the other replica could not get through the holder is sent once by the holder later, labelled', async () => {
    const refusing = new RefusingAdapter();
    refusing.refused.add('late');
    // Without streaming the reply is one outbox row, sent by the turn or, failing that, by the holder's sweep.
    const { holder } = await twoReplicas('gateway:\n  max_concurrent_runs: 1\ndisplay:\n  streaming: off\n', {
      adapter: () => (hosts.length === 0 ? refusing : new MemoryAdapter()),
      whileAlone: busyHolder,
    });
    holder.adapter.inject({ text: 'late one', chatId: 'late' });
    // The other replica ran the turn, tried through the holder, was told "not connected" and kept it pending.
    await waitFor(
      async () =>
        // Tried (attempts ≥ 1) and back to pending: not the moment between recording and the first try.
        (await holder.host.runtime.outbox.stale(['memory'], 0)).some(
          (e) => e.chat.chatId === 'late' && e.attempts >= 1,
        ),
      'the reply kept pending after its tries',
      20_000,
    );
    expect(fakes[1]!.requests.some((r) => lastUserText(r.body) === 'late one')).toBe(true);
    refusing.refused.clear();
    await waitFor(
      () => holder.adapter.texts().some((t) => t.includes('answer to late one')),
      'the reply, sent by the holder once it had waited',
      10_000,
    );
    await new Promise((r) => setTimeout(r, 800));
    const replies = holder.adapter.sent
      .filter((s) => s.chat.chatId === 'late')
      .map((s) => s.message.text ?? '');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain('Delayed reply');
  });

  it("a platform's own tool called in a turn on the other replica runs on the holder's connection", async () => {
    const adapters: ToolAdapter[] = [];
    const { holder } = await twoReplicas('gateway:\n  max_concurrent_runs: 1\n', {
      adapter: () => {
        const a = new ToolAdapter();
        adapters.push(a);
        return a;
      },
      whileAlone: busyHolder,
      platformTools: true,
    });
    fakes[1]!.script(step.toolCall('memory_lamp', { on: true }), step.text('the lamp is on'));
    holder.adapter.inject({ text: 'lamp on please', chatId: 'home' });
    await waitFor(() => holder.adapter.texts().includes('the lamp is on'), 'the answer', 10_000);
    expect(adapters[0]!.ran).toEqual([{ on: true }]);
    expect(adapters[1]!.ran).toEqual([]);
    const toolResult = fakes[1]!.requests[1]!.body.messages.find((m) => m.role === 'tool');
    expect(String(toolResult?.content)).toContain('lamp on');
  });
});
