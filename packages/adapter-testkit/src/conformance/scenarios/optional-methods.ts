import type { Capabilities, PlatformAdapter } from '@hermes/adapter-core';
import { expect } from 'vitest';
import { waitFor, withTimeout } from '../../wait-for.js';
import { type Scenario, type ScenarioRun, uniqueToken } from '../scenario.js';

type Flag = 'edit' | 'delete' | 'typing' | 'reactions';
const METHOD: Record<Flag, keyof PlatformAdapter> = {
  edit: 'edit',
  delete: 'delete',
  typing: 'typing',
  reactions: 'react',
};

/** The contract rule: a capability flag is true exactly when the method exists. */
function checkFlagMatchesMethod(adapter: PlatformAdapter, flag: Flag): boolean {
  const method = METHOD[flag];
  const present = typeof adapter[method] === 'function';
  const declared = adapter.capabilities[flag];
  expect(
    present,
    declared
      ? `capabilities.${flag} is true but adapter.${method} is not a function`
      : `capabilities.${flag} is false but adapter.${method} exists: drop the method or set the flag`,
  ).toBe(declared);
  return declared;
}

async function sendProbe(s: ScenarioRun, label: string): Promise<string> {
  const text = `${label} ${uniqueToken('op')}`;
  const result = await withTimeout(
    s.harness.adapter.send(s.harness.chats.dm, { text }),
    s.timeouts.receiveMs,
    'adapter.send()',
  );
  if (!result.ok) throw new Error(`send failed: ${result.error.code}: ${result.error.message}`);
  expect(result.messageIds.length, 'SendResult.messageIds').toBeGreaterThanOrEqual(1);
  return result.messageIds[0]!;
}

export const capabilitiesShape: Scenario = {
  id: 'capabilities',
  title: 'capabilities: sane values, and equal to what the driver declares',
  async run({ harness, driver }) {
    const caps: Capabilities = harness.adapter.capabilities;
    expect(
      Number.isInteger(caps.maxMessageLength) && caps.maxMessageLength > 0,
      'maxMessageLength must be a positive integer',
    ).toBe(true);
    expect(['char', 'utf16', 'byte'], 'lengthUnit').toContain(caps.lengthUnit);
    expect(
      Array.isArray(caps.media.send) && Array.isArray(caps.media.receive),
      'media.send and media.receive must be arrays',
    ).toBe(true);
    if (driver.capabilities !== undefined) {
      expect(
        caps,
        'adapter.capabilities must equal driver.capabilities (the suite chose its skips from them)',
      ).toEqual(driver.capabilities);
    }
  },
};

export const editScenario: Scenario = {
  id: 'edit',
  title: 'edit: capabilities.edit true exactly when adapter.edit exists; if so, editing a sent message works',
  async run(s) {
    const { harness } = s;
    if (!checkFlagMatchesMethod(harness.adapter, 'edit')) return;
    const id = await sendProbe(s, 'original text');
    const changed = `edited text ${uniqueToken('ed')}`;
    const result = await withTimeout(
      harness.adapter.edit!(harness.chats.dm, id, changed),
      s.timeouts.receiveMs,
      'adapter.edit()',
    );
    if (!result.ok) throw new Error(`edit failed: ${result.error.code}: ${result.error.message}`);
    if (harness.observedEdits) {
      await waitFor(
        async () =>
          (await harness.observedEdits!()).find(
            (e) => e.chatId === harness.chats.dm.chatId && e.text.includes(changed),
          ),
        { timeoutMs: s.timeouts.receiveMs, what: 'the fake to observe the edit' },
      );
    }
  },
};

export const deleteScenario: Scenario = {
  id: 'delete',
  title:
    'delete: capabilities.delete true exactly when adapter.delete exists; if so, deleting a sent message works',
  async run(s) {
    const { harness } = s;
    if (!checkFlagMatchesMethod(harness.adapter, 'delete')) return;
    const id = await sendProbe(s, 'to be deleted');
    const deleted = await withTimeout(
      harness.adapter.delete!(harness.chats.dm, id),
      s.timeouts.receiveMs,
      'adapter.delete()',
    );
    expect(deleted, 'delete() of a message the bot just sent must return true').toBe(true);
    if (harness.observedDeletes) {
      await waitFor(
        async () => (await harness.observedDeletes!()).find((d) => d.chatId === harness.chats.dm.chatId),
        { timeoutMs: s.timeouts.receiveMs, what: 'the fake to observe the deletion' },
      );
    }
  },
};

export const typingScenario: Scenario = {
  id: 'typing',
  title:
    'typing: capabilities.typing true exactly when adapter.typing exists; if so, the fake sees the indicator',
  async run(s) {
    const { harness } = s;
    if (!checkFlagMatchesMethod(harness.adapter, 'typing')) return;
    await withTimeout(harness.adapter.typing!(harness.chats.dm), s.timeouts.receiveMs, 'adapter.typing()');
    if (harness.observedTyping) {
      await waitFor(
        async () => (await harness.observedTyping!()).find((t) => t.chatId === harness.chats.dm.chatId),
        { timeoutMs: s.timeouts.receiveMs, what: 'the fake to observe the typing indicator' },
      );
    }
  },
};

export const reactionsScenario: Scenario = {
  id: 'reactions',
  title:
    'reactions: capabilities.reactions true exactly when adapter.react exists; if so, reacting to a received message works',
  async run(s) {
    const { harness } = s;
    if (!checkFlagMatchesMethod(harness.adapter, 'reactions')) return;
    // Hosts react to the user's message (processing / done), so react to an inbound one.
    const text = `please react ${uniqueToken('rx')}`;
    await harness.deliverDm(text);
    const msg = await harness.context.waitForReceived((m) => m.text.includes(text), s.timeouts.receiveMs);
    await withTimeout(
      harness.adapter.react!(msg.chat, msg.id, '👀'),
      s.timeouts.receiveMs,
      'adapter.react()',
    );
    if (harness.observedReactions) {
      await waitFor(
        async () => (await harness.observedReactions!()).find((r) => r.chatId === harness.chats.dm.chatId),
        { timeoutMs: s.timeouts.receiveMs, what: 'the fake to observe the reaction' },
      );
    }
  },
};
